package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The PostgreSQL path of Append. Every table's rows go in one statement
// whose values are arrays (INSERT … SELECT … FROM unnest($1::text[], …)):
// one round trip per table and generation instead of one per 256 rows,
// and one statement text whatever the number of rows, which pgx prepares
// once per connection. The SQL that merges a row into the stored one is
// the projector's own, so the projections are those of the SQLite path.

// pgInsertEvents stores the events (ids distinct) and returns the new ones.
const pgInsertEvents = `INSERT INTO events (id, type, at_ns, body, received_ns)
	SELECT u.id, u.type, u.at_ns, u.body, $5 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[]) AS u(id, type, at_ns, body)
	ON CONFLICT (id) DO NOTHING RETURNING id`

// pgProjectFlushRows bounds the rows a PostgreSQL projector buffers: one
// Append's rows normally go in a single flush.
const pgProjectFlushRows = 250000

func (db *DB) appendPG(ctx context.Context, evs []Incoming) ([]bool, error) {
	isNew := make([]bool, len(evs))
	// Before the transaction (and its lock): the columns of the first copy
	// of each id; later copies are duplicates whatever is stored.
	first := make(map[string]int, len(evs))
	ids := make([]string, 0, len(evs))
	types := make([]string, 0, len(evs))
	ats := make([]int64, 0, len(evs))
	bodies := make([][]byte, 0, len(evs))
	for i, in := range evs {
		e := in.Event
		id := string(e.ID)
		if _, dup := first[id]; dup {
			continue
		}
		first[id] = i
		ids, types = append(ids, id), append(types, string(e.Type))
		ats, bodies = append(ats, ns(e.At)), append(bodies, in.Raw)
	}
	now := db.Now().UnixNano()

	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := db.lockAppends(ctx, tx); err != nil {
		return nil, fmt.Errorf("store events: %w", err)
	}
	rows, err := tx.QueryContext(ctx, pgInsertEvents, ids, types, ats, bodies, now)
	if err != nil {
		return nil, fmt.Errorf("store events: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store events: %w", err)
		}
		i, ok := first[id]
		if !ok {
			rows.Close()
			return nil, fmt.Errorf("store events: unexpected id %q returned", id)
		}
		isNew[i] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store events: %w", err)
	}
	p := &projector{w: &txWriter{db: db, tx: tx, ctx: ctx}, pg: true}
	for i, in := range evs {
		if !isNew[i] {
			continue
		}
		if err := p.apply(in.Event); err != nil {
			return nil, fmt.Errorf("project event %s: %w", in.Event.ID, err)
		}
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("project events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return isNew, nil
}

// pgArrayOp is a projector statement rewritten to take its rows as arrays.
type pgArrayOp struct {
	query string
	kinds []byte // per ? of the row: 's' text, 'i' bigint, 'n' nullable bigint
}

var pgArrayOps sync.Map // pendingOp.prefix+row+suffix → *pgArrayOp

// pgArrayQuery rewrites op (prefix "INSERT INTO t (cols) VALUES ", row
// "(?, …, literal)", suffix "ON CONFLICT …") as INSERT INTO t (cols)
// SELECT u.c1, …, literal FROM unnest($1::type[], …) AS u(c1, …) suffix,
// the types taken from the Go values of a row.
func pgArrayQuery(op *pendingOp, sample []any) (*pgArrayOp, error) {
	key := op.prefix + op.row + op.suffix
	if a, ok := pgArrayOps.Load(key); ok {
		return a.(*pgArrayOp), nil
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(op.row, "("), ")")
	var sel, un, names []string
	var kinds []byte
	for _, f := range strings.Split(inner, ",") {
		f = strings.TrimSpace(f)
		if f != "?" {
			sel = append(sel, f)
			continue
		}
		n := len(kinds)
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
			return nil, fmt.Errorf("statement for %s: no array type for %T", op.table, sample[n])
		}
		c := "c" + strconv.Itoa(n+1)
		kinds = append(kinds, kind)
		sel, names = append(sel, "u."+c), append(names, c)
		un = append(un, "$"+strconv.Itoa(n+1)+"::"+typ+"[]")
	}
	if len(kinds) != len(sample) {
		return nil, fmt.Errorf("statement for %s: %d placeholders, %d values", op.table, len(kinds), len(sample))
	}
	prefix := strings.TrimSuffix(strings.TrimSpace(op.prefix), "VALUES")
	a := &pgArrayOp{
		query: prefix + "SELECT " + strings.Join(sel, ", ") + " FROM unnest(" + strings.Join(un, ", ") + ") AS u(" + strings.Join(names, ", ") + ")" + op.suffix,
		kinds: kinds,
	}
	v, _ := pgArrayOps.LoadOrStore(key, a)
	return v.(*pgArrayOp), nil
}

// execArrays writes rows (distinct keys) with one statement.
func (w *txWriter) execArrays(op *pendingOp, rows [][]any) error {
	a, err := pgArrayQuery(op, rows[0])
	if err != nil {
		return err
	}
	cols := make([]any, len(a.kinds))
	for j, kind := range a.kinds {
		switch kind {
		case 's':
			c := make([]string, len(rows))
			for i, r := range rows {
				c[i] = r[j].(string)
			}
			cols[j] = c
		case 'i':
			c := make([]int64, len(rows))
			for i, r := range rows {
				switch v := r[j].(type) {
				case int:
					c[i] = int64(v)
				case int64:
					c[i] = v
				}
			}
			cols[j] = c
		case 'n':
			c := make([]*int64, len(rows))
			for i, r := range rows {
				if v := r[j].(sql.NullInt64); v.Valid {
					c[i] = &v.Int64
				}
			}
			cols[j] = c
		}
	}
	_, err = w.tx.ExecContext(w.ctx, a.query, cols...)
	return err
}
