package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL path of Append. The rows go to the server with COPY
// (binary) into temporary staging tables of the connection, and each
// table is then written set-wise with one INSERT … SELECT from its
// staging table per generation of the projector, ON CONFLICT as the
// projector's own statement: a few dozen round trips for a batch of any
// size, no per-row statement parsing, and the same merge SQL as SQLite's
// path, so the same projections.
//
// Copies of an id within the batch are dropped in Go (the first is the
// one stored), and an order's updates within the batch are merged into
// one row (mergeOrder), as every order has at least two.
//
// The staging happens before the append lock (cluster.go), which is
// taken before the first row goes into events: the projection rows of
// every event of the batch are staged assuming all are new, which is the
// usual case (an import, a stream without redeliveries). The events
// themselves are copied straight into the log, in a savepoint, when the
// previous Append found none of its events stored (half the cost of
// going through a staging table and ON CONFLICT); if that copy hits a
// stored id, or the previous Append found some, they go through the
// staging table and INSERT … ON CONFLICT DO NOTHING RETURNING id. When
// some turn out to be stored already, the projection rows are staged
// again, under the lock, for the new events only.
//
// The staging tables are temporary tables of the session, so the store
// needs session-level connections to PostgreSQL (direct, or a pooler in
// session mode), as pgx's prepared statements already do.

// pgStageEvents is the staging table of events (a temporary table: one
// per connection, emptied at commit).
const pgStageEvents = `pg_temp.fm_stage_events`

var pgStageEventsIdent = pgx.Identifier{"pg_temp", "fm_stage_events"}

const pgCreateStageEvents = `CREATE TEMP TABLE IF NOT EXISTS fm_stage_events (id text, type text, at_ns bigint, body bytea) ON COMMIT DELETE ROWS`

// pgInsertEvents stores the staged events and returns the new ones.
const pgInsertEvents = `INSERT INTO events (id, type, at_ns, body, received_ns)
	SELECT id, type, at_ns, body, $1 FROM ` + pgStageEvents + `
	ON CONFLICT (id) DO NOTHING RETURNING id`

// pgStagedOp is a projector statement (prefix "INSERT INTO t (cols)
// VALUES ", row "(?, …, literal)", suffix "ON CONFLICT …") with a staging
// table for its rows: (gen, c1, …) with a column per ?.
type pgStagedOp struct {
	table  string   // the staging table, pg_temp.fm_stage_N
	create string   // CREATE TEMP TABLE IF NOT EXISTS …
	cols   []string // gen, c1, …
	kinds  []byte   // per ?: 's' text, 'i' bigint, 'n' nullable bigint
	insert string   // INSERT INTO t (cols) SELECT … FROM table WHERE gen = $1 suffix
}

var pgStaged struct {
	sync.Mutex
	m map[string]*pgStagedOp // by prefix+row+suffix
}

// pgStagedFor returns op's staging, the types of its columns taken from
// the Go values of a row.
func pgStagedFor(op *pendingOp, sample []any) (*pgStagedOp, error) {
	key := op.prefix + op.row + op.suffix
	pgStaged.Lock()
	defer pgStaged.Unlock()
	if s := pgStaged.m[key]; s != nil {
		return s, nil
	}
	if pgStaged.m == nil {
		pgStaged.m = map[string]*pgStagedOp{}
	}
	name := "fm_stage_" + strconv.Itoa(len(pgStaged.m)+1)
	s := &pgStagedOp{table: "pg_temp." + name, cols: []string{"gen"}}
	defs := []string{"gen integer"}
	var sel []string
	inner := strings.TrimSuffix(strings.TrimPrefix(op.row, "("), ")")
	for _, f := range strings.Split(inner, ",") {
		f = strings.TrimSpace(f)
		if f != "?" {
			sel = append(sel, f)
			continue
		}
		n := len(s.kinds)
		if n >= len(sample) {
			return nil, fmt.Errorf("statement for %s: more placeholders than values", op.table)
		}
		var kind byte
		var typ string
		switch sample[n].(type) {
		case string:
			kind, typ = 's', "text"
		case int, int64:
			kind, typ = 'i', "bigint"
		case sql.NullInt64:
			kind, typ = 'n', "bigint"
		default:
			return nil, fmt.Errorf("statement for %s: no column type for %T", op.table, sample[n])
		}
		c := "c" + strconv.Itoa(n+1)
		s.kinds = append(s.kinds, kind)
		s.cols = append(s.cols, c)
		defs = append(defs, c+" "+typ)
		sel = append(sel, "s."+c)
	}
	if len(s.kinds) != len(sample) {
		return nil, fmt.Errorf("statement for %s: %d placeholders, %d values", op.table, len(s.kinds), len(sample))
	}
	s.create = "CREATE TEMP TABLE IF NOT EXISTS " + name + " (" + strings.Join(defs, ", ") + ") ON COMMIT DELETE ROWS"
	prefix := strings.TrimSuffix(strings.TrimSpace(op.prefix), "VALUES")
	s.insert = prefix + "SELECT " + strings.Join(sel, ", ") + " FROM " + s.table + " s WHERE s.gen = $1" + op.suffix
	pgStaged.m[key] = s
	return s, nil
}

// appendPG is Append on PostgreSQL.
func (db *DB) appendPG(ctx context.Context, evs []Incoming) ([]bool, error) {
	isNew := make([]bool, len(evs))
	// The first copy of each id; later copies are duplicates whatever is
	// stored.
	first := make(map[string]int, len(evs))
	uniq := make([]int, 0, len(evs))
	for i, in := range evs {
		id := string(in.Event.ID)
		if _, dup := first[id]; dup {
			continue
		}
		first[id] = i
		uniq = append(uniq, i)
	}
	p, err := projectPG(evs, uniq)
	if err != nil {
		return nil, err
	}
	now := db.Now().UnixNano()

	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	dups := false
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		made, err := db.stageTables(ctx, c, tx, p, nil)
		if err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		copyEvents := func(table pgx.Identifier, cols ...string) error {
			row := make([]any, len(cols))
			_, err := tx.CopyFrom(ctx, table, cols, pgx.CopyFromSlice(len(uniq), func(k int) ([]any, error) {
				in := evs[uniq[k]]
				row[0], row[1], row[2], row[3] = string(in.Event.ID), string(in.Event.Type), ns(in.Event.At), in.Raw
				if len(row) > 4 {
					row[4] = now
				}
				return row, nil
			}))
			return err
		}
		// The events go straight into the log (under the lock) when the
		// last Append found none of its events stored; else, or when
		// that fails on a stored id, through the staging table.
		direct := !db.pgDups.Load()
		if !direct {
			if err := copyEvents(pgStageEventsIdent, "id", "type", "at_ns", "body"); err != nil {
				return fmt.Errorf("store events: %w", err)
			}
		}
		staged, err := stageRows(ctx, tx, p)
		if err != nil {
			return fmt.Errorf("project events: %w", err)
		}
		// From here on, commit order: events.seq is taken under the lock.
		if err := lockAppendsPgx(ctx, tx); err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		news := 0
		if direct {
			sp, err := tx.Begin(ctx) // a savepoint
			if err != nil {
				return fmt.Errorf("store events: %w", err)
			}
			err = copyEvents(pgx.Identifier{"events"}, "id", "type", "at_ns", "body", "received_ns")
			var pgErr *pgconn.PgError
			switch {
			case err == nil:
				if err := sp.Commit(ctx); err != nil {
					return fmt.Errorf("store events: %w", err)
				}
				for _, i := range uniq {
					isNew[i] = true
				}
				news = len(uniq)
			case errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.TableName == "events":
				// An id is stored already.
				if err := sp.Rollback(ctx); err != nil {
					return fmt.Errorf("store events: %w", err)
				}
				direct = false
				if err := copyEvents(pgStageEventsIdent, "id", "type", "at_ns", "body"); err != nil {
					return fmt.Errorf("store events: %w", err)
				}
			default:
				return fmt.Errorf("store events: %w", err)
			}
		}
		if !direct {
			rows, err := tx.Query(ctx, pgInsertEvents, now)
			if err != nil {
				return fmt.Errorf("store events: %w", err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("store events: %w", err)
				}
				i, ok := first[id]
				if !ok {
					rows.Close()
					return fmt.Errorf("store events: unexpected id %q returned", id)
				}
				isNew[i] = true
				news++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store events: %w", err)
			}
		}
		dups = news < len(uniq)
		if news < len(uniq) {
			// Some were stored already: project the new ones only.
			for _, s := range staged {
				if _, err := tx.Exec(ctx, `DELETE FROM `+s.table); err != nil {
					return fmt.Errorf("project events: %w", err)
				}
			}
			staged = nil
			if news > 0 {
				fresh := make([]int, 0, news)
				for _, i := range uniq {
					if isNew[i] {
						fresh = append(fresh, i)
					}
				}
				if p, err = projectPG(evs, fresh); err != nil {
					return err
				}
				if made, err = db.stageTables(ctx, c, tx, p, made); err != nil {
					return fmt.Errorf("project events: %w", err)
				}
				if staged, err = stageRows(ctx, tx, p); err != nil {
					return fmt.Errorf("project events: %w", err)
				}
			}
		}
		// Generation after generation, as the projector's flush does.
		for g := 0; g <= p.maxGen; g++ {
			for _, op := range p.order {
				if g >= len(op.gens) || len(op.gens[g]) == 0 {
					continue
				}
				s := staged[op]
				if s == nil {
					continue
				}
				if _, err := tx.Exec(ctx, s.insert, g); err != nil {
					return fmt.Errorf("project events into %s: %w", op.table, err)
				}
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		for _, name := range made {
			db.pgStaging.Store(pgStagingKey{c, name}, true)
		}
		db.pgDups.Store(dups)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return isNew, nil
}

// projectPG buffers the projection rows of evs[i] for i in idx, in that
// order, by generation.
func projectPG(evs []Incoming, idx []int) (*projector, error) {
	p := &projector{pg: true}
	for _, i := range idx {
		if err := p.apply(evs[i].Event); err != nil {
			return nil, fmt.Errorf("project event %s: %w", evs[i].Event.ID, err)
		}
	}
	if err := p.flushOrders(); err != nil {
		return nil, err
	}
	return p, nil
}

// stageTables makes sure the session has the staging tables p needs and
// returns made with the names of those it made. It runs in the
// transaction: a table made by a transaction that then rolls back is
// gone, and made again by the next one. The tables of a session are
// remembered (pgStaging) once a transaction that made them committed.
func (db *DB) stageTables(ctx context.Context, c *pgx.Conn, tx pgx.Tx, p *projector, made []string) ([]string, error) {
	var stmts []string
	need := func(name, create string) {
		if _, ok := db.pgStaging.Load(pgStagingKey{c, name}); !ok && !slices.Contains(made, name) {
			stmts, made = append(stmts, create), append(made, name)
		}
	}
	need(pgStageEvents, pgCreateStageEvents)
	for _, op := range p.order {
		s, err := pgStagedFor(op, op.sample())
		if err != nil {
			return made, err
		}
		need(s.table, s.create)
	}
	if len(stmts) == 0 {
		return made, nil
	}
	_, err := tx.Exec(ctx, strings.Join(stmts, "; "), pgx.QueryExecModeSimpleProtocol)
	return made, err
}

// pgStagingKey names a staging table of a session.
type pgStagingKey struct {
	c     *pgx.Conn
	table string
}

// stageRows copies p's rows into their staging tables.
func stageRows(ctx context.Context, tx pgx.Tx, p *projector) (map[*pendingOp]*pgStagedOp, error) {
	staged := make(map[*pendingOp]*pgStagedOp, len(p.order))
	for _, op := range p.order {
		s, err := pgStagedFor(op, op.sample())
		if err != nil {
			return nil, err
		}
		var all [][]any
		var gens []int32
		for g, rows := range op.gens {
			for _, r := range rows {
				all, gens = append(all, r), append(gens, int32(g))
			}
		}
		row := make([]any, len(s.cols))
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", strings.TrimPrefix(s.table, "pg_temp.")}, s.cols,
			pgx.CopyFromSlice(len(all), func(i int) ([]any, error) {
				row[0] = gens[i]
				for j, kind := range s.kinds {
					v := all[i][j]
					switch kind {
					case 'i':
						if n, ok := v.(int); ok {
							v = int64(n)
						}
					case 'n':
						if n := v.(sql.NullInt64); n.Valid {
							v = n.Int64
						} else {
							v = nil
						}
					}
					row[j+1] = v
				}
				return row, nil
			}))
		if err != nil {
			return nil, fmt.Errorf("stage %s rows: %w", op.table, err)
		}
		staged[op] = s
	}
	return staged, nil
}

// sample returns one of op's rows.
func (op *pendingOp) sample() []any {
	for _, rows := range op.gens {
		if len(rows) > 0 {
			return rows[0]
		}
	}
	return nil
}

// The updates of one order between two flushes of the projector (placed,
// delivered, refunded: most orders have two; on PostgreSQL a batch, on
// SQLite up to projectFlushRows other rows) are merged in Go into one row
// and written by one statement, qOrderMerged, instead of a generation
// each.
// The merge is what the three statements do in sequence: placed's columns
// and the refund's are the last ones applied (they touch disjoint
// columns), delivered_ns the earliest. In the merged row a NULL placed_ns
// or refunded_ns means "no such event in the batch": both are event
// times, never NULL when set.
const qOrderMerged = `INSERT INTO orders (id, buyer, seller, item_id, title, category, digital, amount, currency, placed_ns, delivered_ns, refunded_ns, refund_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
	buyer = CASE WHEN excluded.placed_ns IS NULL THEN orders.buyer ELSE excluded.buyer END,
	seller = CASE WHEN excluded.placed_ns IS NULL THEN orders.seller ELSE excluded.seller END,
	item_id = CASE WHEN excluded.placed_ns IS NULL THEN orders.item_id ELSE excluded.item_id END,
	title = CASE WHEN excluded.placed_ns IS NULL THEN orders.title ELSE excluded.title END,
	category = CASE WHEN excluded.placed_ns IS NULL THEN orders.category ELSE excluded.category END,
	digital = CASE WHEN excluded.placed_ns IS NULL THEN orders.digital ELSE excluded.digital END,
	amount = CASE WHEN excluded.placed_ns IS NULL THEN orders.amount ELSE excluded.amount END,
	currency = CASE WHEN excluded.placed_ns IS NULL THEN orders.currency ELSE excluded.currency END,
	placed_ns = CASE WHEN excluded.placed_ns IS NULL THEN orders.placed_ns ELSE excluded.placed_ns END,
	delivered_ns = CASE WHEN orders.delivered_ns IS NULL OR excluded.delivered_ns < orders.delivered_ns THEN excluded.delivered_ns ELSE orders.delivered_ns END,
	refunded_ns = CASE WHEN excluded.refunded_ns IS NULL THEN orders.refunded_ns ELSE excluded.refunded_ns END,
	refund_amount = CASE WHEN excluded.refunded_ns IS NULL THEN orders.refund_amount ELSE excluded.refund_amount END`

// mergeOrder merges one of the order statements' rows into the order's
// merged row; false for other statements.
func (p *projector) mergeOrder(query string, args []any) bool {
	if query != qOrderPlaced && query != qOrderDelivered && query != qOrderRefunded {
		return false
	}
	id := args[0].(string)
	row := p.orders[id]
	if row == nil {
		if p.orders == nil {
			p.orders = map[string][]any{}
		}
		// A new row: the columns' defaults.
		row = []any{id, "", "", "", "", "", 0, int64(0), "", sql.NullInt64{}, sql.NullInt64{}, sql.NullInt64{}, sql.NullInt64{}}
		p.orders[id] = row
		p.orderIDs = append(p.orderIDs, id)
	}
	switch query {
	case qOrderPlaced:
		copy(row[1:9], args[1:9])
		row[9] = sql.NullInt64{Int64: args[9].(int64), Valid: true}
	case qOrderDelivered:
		at := args[1].(int64)
		if d := row[10].(sql.NullInt64); !d.Valid || at < d.Int64 {
			row[10] = sql.NullInt64{Int64: at, Valid: true}
		}
	case qOrderRefunded:
		row[11] = sql.NullInt64{Int64: args[1].(int64), Valid: true}
		row[12] = args[2]
	}
	return true
}

// flushOrders queues the merged order rows (one per order: generation 0;
// exec does not merge qOrderMerged again).
func (p *projector) flushOrders() error {
	ids, orders := p.orderIDs, p.orders
	p.orders, p.orderIDs = nil, nil // exec may flush (SQLite), which comes back here
	for _, id := range ids {
		if err := p.exec(qOrderMerged, orders[id]...); err != nil {
			return err
		}
	}
	return nil
}
