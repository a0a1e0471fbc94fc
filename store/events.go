package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fairmark/fairmark"
)

// Incoming is a validated event with the bytes it arrived as.
type Incoming struct {
	Event *fairmark.Event
	Raw   []byte
}

// Append stores evs and their projections in one transaction and reports,
// for each, whether it was new (true) or a duplicate of an id already
// stored or earlier in the same batch (false). When Append returns nil the
// new events are durable.
func (db *DB) Append(ctx context.Context, evs []Incoming) ([]bool, error) {
	if len(evs) == 0 {
		return make([]bool, 0), nil
	}
	if db.dialect == Postgres {
		return db.appendPG(ctx, evs)
	}
	db.forgetSole() // this connection's own commits leave data_version as it is
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := db.lockAppends(ctx, tx); err != nil {
		return nil, fmt.Errorf("store events: %w", err)
	}
	w := &txWriter{db: db, tx: tx, ctx: ctx}
	p := &projector{w: w}
	isNew, err := db.appendTx(ctx, w, p, evs, db.Now().UnixNano(), nil)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	w.share()
	return isNew, nil
}

// appendTx stores evs and their projections in w's transaction, received
// at now (nanoseconds). seen, when not nil, holds every id in the events
// table (an import into an empty log keeps it): duplicates are found in
// it, and the new events written with a plain INSERT.
func (db *DB) appendTx(ctx context.Context, w *txWriter, p *projector, evs []Incoming, now int64, seen map[fairmark.EventID]struct{}) ([]bool, error) {
	if seen != nil {
		return db.appendSeen(w, p, evs, now, seen)
	}
	isNew := make([]bool, len(evs))
	// Insert in chunks with one multi-row statement each; RETURNING names
	// the ids that were new (ON CONFLICT skips the others).
	inserted := make(map[string]bool, maxChunk)
	err := chunks(len(evs), func(lo, k int) error {
		part := evs[lo : lo+k]
		args := w.args[:0]
		for _, in := range part {
			e := in.Event
			args = append(args, string(e.ID), string(e.Type), ns(e.At), in.Raw, now)
		}
		w.args = args
		st, err := w.stmt(multiKey{`INSERT INTO events (id, type, at_ns, body, received_ns) VALUES `, "(?, ?, ?, ?, ?)", ` ON CONFLICT (id) DO NOTHING RETURNING id`, k})
		if err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		clear(inserted)
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, in := range part {
			id := string(in.Event.ID)
			if !inserted[id] {
				continue
			}
			delete(inserted, id) // a second copy in the same batch is a duplicate
			isNew[lo+i] = true
			if err := p.apply(in.Event); err != nil {
				return fmt.Errorf("project event %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("project events: %w", err)
	}
	return isNew, nil
}

// appendSeen is appendTx for an import into an empty log: seen has the
// ids stored so far, so no statement needs RETURNING (SQLite buffers
// the returned rows in a temporary table, and each is scanned into Go).
func (db *DB) appendSeen(w *txWriter, p *projector, evs []Incoming, now int64, seen map[fairmark.EventID]struct{}) ([]bool, error) {
	isNew := make([]bool, len(evs))
	fresh := make([]Incoming, 0, len(evs))
	for i, in := range evs {
		if _, dup := seen[in.Event.ID]; dup {
			continue
		}
		// A copy: a decoded event's strings may share one buffer with its
		// texts, which the map would keep alive.
		seen[fairmark.EventID(strings.Clone(string(in.Event.ID)))] = struct{}{}
		isNew[i] = true
		fresh = append(fresh, in)
	}
	err := chunks(len(fresh), func(lo, k int) error {
		args := w.args[:0]
		for _, in := range fresh[lo : lo+k] {
			e := in.Event
			args = append(args, string(e.ID), string(e.Type), ns(e.At), in.Raw, now)
		}
		w.args = args
		st, err := w.stmt(multiKey{`INSERT INTO events (id, type, at_ns, body, received_ns) VALUES `, "(?, ?, ?, ?, ?)", ``, k})
		if err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		if _, err := st.ExecContext(w.ctx, args...); err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, in := range fresh {
		if err := p.apply(in.Event); err != nil {
			return nil, fmt.Errorf("project event %s: %w", in.Event.ID, err)
		}
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("project events: %w", err)
	}
	return isNew, nil
}

// projectionTables are the tables Append projects events into.
var projectionTables = []string{"accounts", "orders", "feedback", "messages", "reports"}

// An Importer stores a bulk load of events (`fairmark import`).
//
// On an embedded store whose projection tables are empty, the whole import
// is one transaction: the projections' secondary indexes are dropped at
// the start and built again by Commit (sorting a table once is cheaper than
// keeping an index in order through a million random inserts). A crash or
// an error before Commit returns loses the whole import, never part of it.
// Otherwise (PostgreSQL, or a store that holds data) each Append commits on
// its own, as DB.Append does.
type Importer struct {
	db       *DB
	tx       *sql.Tx // nil: one transaction per Append
	w        *txWriter
	p        *projector
	indexes  []string // CREATE INDEX statements Commit runs
	received int64    // the arrival stamp of the last Append's events
	// emptyLog: the events table was empty at the start (one transaction
	// only); stored counts the events Append took as new.
	emptyLog bool
	stored   int64
	seen     map[fairmark.EventID]struct{} // with emptyLog: the ids stored
	// rollbackJournal: the import into an empty store runs with a
	// rollback journal instead of the WAL (see BeginImport); sync is the
	// synchronous setting to restore when it ends.
	rollbackJournal bool
	sync            int
}

// soleImport records that the last import on the writer connection was
// the only writer of the whole event log: it began on an empty events
// table and committed events events, and the connection's data_version
// was version (it changes when another connection commits).
type soleImport struct {
	ok      bool
	events  int64
	version int64
}

func (db *DB) forgetSole() {
	db.soleMu.Lock()
	db.sole = soleImport{}
	db.soleMu.Unlock()
}

// HoldsExactly reports whether the event log holds exactly n events. It
// is cheap when the last import into an empty embedded log stored n
// events and nothing else has committed events since (PRAGMA data_version
// for other connections; Append on this one forgets the import);
// otherwise it counts them.
func (db *DB) HoldsExactly(ctx context.Context, n int64) (bool, error) {
	db.soleMu.Lock()
	sole := db.sole
	db.soleMu.Unlock()
	if db.dialect == SQLite && sole.ok && sole.events == n {
		var v int64
		if err := db.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			return false, err
		}
		if v == sole.version {
			return true, nil
		}
	}
	db.counted.Add(1)
	count, err := db.EventCount(ctx)
	return count == n, err
}

// OneTransaction reports whether the import is one transaction into an
// embedded store whose projections were empty (see Importer).
func (im *Importer) OneTransaction() bool { return im.tx != nil }

// Received is the arrival time the last Append gave the events it stored
// (received_ns, the order UnloggedEvidence returns them in, with their
// ids); zero before the first Append and when each Append commits on
// its own.
func (im *Importer) Received() time.Time {
	if im.received == 0 {
		return time.Time{}
	}
	return time.Unix(0, im.received)
}

// BeginImport starts a bulk import.
//
// Into an embedded store whose event log and projections are empty, and
// that no other connection has open, the import's one transaction runs
// with a rollback journal (journal_mode=DELETE, synchronous=EXTRA) instead
// of the WAL, which is restored by Commit and Rollback. A new database
// grows by pages the journal need not keep (SQLite journals only the
// pages that existed when the transaction began: the empty schema), so
// every page is written once, to the database file, instead of to the WAL
// and again by the checkpoint. A crash leaves the journal, "hot": whoever
// opens the database next rolls the import back, all of it, to the empty
// store. While it runs, other connections can neither read nor write the
// database (they wait, then fail with SQLITE_BUSY); before, they could
// read the empty store.
func (db *DB) BeginImport(ctx context.Context) (*Importer, error) {
	im := &Importer{db: db}
	if db.dialect != SQLite {
		return im, nil
	}
	db.forgetSole()
	if err := im.tryRollbackJournal(ctx); err != nil {
		return nil, err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		im.endRollbackJournal(ctx)
		return nil, err
	}
	empty := true
	for _, t := range projectionTables {
		var any int
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&any); err != nil {
			tx.Rollback()
			im.endRollbackJournal(ctx)
			return nil, err
		}
		if any != 0 {
			empty = false
			break
		}
	}
	if !empty {
		tx.Rollback()
		if err := im.endRollbackJournal(ctx); err != nil {
			return nil, err
		}
		return im, nil
	}
	var anyEvent int
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events)`).Scan(&anyEvent); err != nil {
		tx.Rollback()
		im.endRollbackJournal(ctx)
		return nil, err
	}
	im.emptyLog = anyEvent == 0
	if !im.emptyLog && im.rollbackJournal {
		// Another writer came between the check and the transaction:
		// keep the WAL for an import into a log with data.
		tx.Rollback()
		if err := im.endRollbackJournal(ctx); err != nil {
			return nil, err
		}
		if tx, err = db.w.BeginTx(ctx, nil); err != nil {
			return nil, err
		}
	}
	if im.emptyLog {
		im.seen = map[fairmark.EventID]struct{}{}
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('`+strings.Join(projectionTables, "', '")+`') ORDER BY name`)
	if err != nil {
		tx.Rollback()
		im.endRollbackJournal(ctx)
		return nil, err
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			tx.Rollback()
			im.endRollbackJournal(ctx)
			return nil, err
		}
		names, im.indexes = append(names, name), append(im.indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		tx.Rollback()
		im.endRollbackJournal(ctx)
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(name)); err != nil {
			tx.Rollback()
			im.endRollbackJournal(ctx)
			return nil, err
		}
	}
	im.tx = tx
	im.w = &txWriter{db: db, tx: tx, ctx: ctx}
	im.p = &projector{w: im.w}
	return im, nil
}

// tryRollbackJournal switches the writer connection to a rollback journal
// when the event log and the projections look empty and no other
// connection has the database open (leaving the WAL needs the only
// connection: it fails at once with SQLITE_BUSY otherwise, and the import
// keeps the WAL). BeginImport checks emptiness again inside its
// transaction.
func (im *Importer) tryRollbackJournal(ctx context.Context) error {
	db := im.db
	for _, t := range append([]string{"events"}, projectionTables...) {
		var any int
		if err := db.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&any); err != nil {
			return err
		}
		if any != 0 {
			return nil
		}
	}
	if err := db.w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&im.sync); err != nil {
		return err
	}
	// This process's idle readers keep the WAL open too.
	db.r.SetMaxIdleConns(0)
	var mode string
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		db.r.SetMaxIdleConns(readIdleConns)
		if err != nil && !isBusy(err) {
			return fmt.Errorf("leave WAL for the import: %w", err)
		}
		return nil // someone else has the database open: keep the WAL
	}
	im.rollbackJournal = true
	// In rollback mode FULL syncs the journal before the database file
	// is overwritten on every file system, and EXTRA also syncs the
	// folder once the journal is deleted, so that the commit survives a
	// power loss right after it (else the journal could come back, hot,
	// and roll the import back; the import's done syncs the folder too,
	// before it reports anything). The exclusive locking
	// mode keeps the lock from the first write until the WAL is back, so
	// that no other connection can commit between the import's commit
	// and the switch (Commit relies on it for HoldsExactly).
	for _, p := range []string{"synchronous = EXTRA", "locking_mode = EXCLUSIVE"} {
		if _, err := db.w.ExecContext(ctx, `PRAGMA `+p); err != nil {
			im.endRollbackJournal(ctx)
			return err
		}
	}
	return nil
}

// endRollbackJournal puts the WAL and the synchronous setting back after
// an import with a rollback journal (outside any transaction).
func (im *Importer) endRollbackJournal(ctx context.Context) error {
	if !im.rollbackJournal {
		return nil
	}
	im.rollbackJournal = false
	db := im.db
	defer db.r.SetMaxIdleConns(readIdleConns)
	// Back to normal locking before the WAL is opened, or SQLite would
	// keep its index in this connection's memory and lock everyone else
	// out; the exclusive lock is released by the switch.
	var mode string
	if err := db.w.QueryRowContext(ctx, `PRAGMA locking_mode = NORMAL`).Scan(&mode); err != nil {
		return fmt.Errorf("back to WAL: %w", err)
	}
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return fmt.Errorf("back to WAL: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("back to WAL: journal mode is %s", mode)
	}
	if _, err := db.w.ExecContext(ctx, `PRAGMA synchronous = `+strconv.Itoa(im.sync)); err != nil {
		return err
	}
	return nil
}

// RollbackJournal reports whether the import runs with a rollback journal
// (see BeginImport).
func (im *Importer) RollbackJournal() bool { return im.rollbackJournal }

// Append stores evs like DB.Append; within a single-transaction import
// they are durable only once Commit returns.
func (im *Importer) Append(ctx context.Context, evs []Incoming) ([]bool, error) {
	if im.tx == nil {
		return im.db.Append(ctx, evs)
	}
	if len(evs) == 0 {
		return make([]bool, 0), nil
	}
	im.w.ctx = ctx
	im.received = im.db.Now().UnixNano()
	isNew, err := im.db.appendTx(ctx, im.w, im.p, evs, im.received, im.seen)
	for _, n := range isNew {
		if n {
			im.stored++
		}
	}
	return isNew, err
}

// Commit builds the dropped indexes and commits the import.
func (im *Importer) Commit(ctx context.Context) error {
	if im.tx == nil {
		return nil
	}
	tx := im.tx
	im.tx, im.seen = nil, nil
	sole, err := im.commit(ctx, tx)
	if err != nil {
		im.endRollbackJournal(context.WithoutCancel(ctx))
		return err
	}
	if im.rollbackJournal {
		if err := im.endRollbackJournal(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("import committed: %w", err)
		}
		// Leaving the rollback journal counts as one change of
		// data_version (the page cache is reset). No other connection
		// can have committed before the switch (the lock was kept), so
		// one more than inside the transaction means none did since;
		// anything else, and HoldsExactly counts.
		var v int64
		if err := im.db.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			return fmt.Errorf("import committed: %w", err)
		}
		if v == sole.version+1 {
			sole.version = v
		} else {
			sole.ok = false
		}
	}
	im.db.soleMu.Lock()
	im.db.sole = sole
	im.db.soleMu.Unlock()
	im.w.share()
	return nil
}

// commit builds the indexes and commits tx (rolled back on an error).
func (im *Importer) commit(ctx context.Context, tx *sql.Tx) (soleImport, error) {
	defer tx.Rollback()
	for _, def := range im.indexes {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return soleImport{}, fmt.Errorf("build index: %w", err)
		}
	}
	// Read while the transaction holds the write lock: no other
	// connection can have committed in between.
	sole := soleImport{ok: im.emptyLog, events: im.stored}
	if sole.ok {
		if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&sole.version); err != nil {
			return soleImport{}, err
		}
	}
	return sole, tx.Commit()
}

// Rollback abandons a single-transaction import (nothing of it is kept);
// after Commit it does nothing.
func (im *Importer) Rollback() {
	if im.tx != nil {
		im.tx.Rollback()
		im.tx, im.seen = nil, nil
		im.endRollbackJournal(context.Background())
	}
}

// Multi-row statements. SQLite (through modernc) parses a multi-row INSERT
// in time proportional to its rows, about as long as it takes to run it, so
// statements are kept prepared across transactions. To keep their number
// small, a statement has maxChunk rows or a power of two below it: n rows
// are written as n/maxChunk statements of maxChunk rows and one statement
// for each bit of the rest.
const (
	maxChunk       = 256
	maxCachedStmts = 512
)

// multiKey names the statement prefix + n × row (comma-separated) + suffix.
type multiKey struct {
	prefix, row, suffix string
	n                   int
}

func (k multiKey) query() string {
	var b strings.Builder
	b.Grow(len(k.prefix) + k.n*(len(k.row)+2) + len(k.suffix))
	b.WriteString(k.prefix)
	for i := 0; i < k.n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.row)
	}
	b.WriteString(k.suffix)
	return b.String()
}

// stmtCache holds statements prepared on the writer pool, shared by all
// transactions.
type stmtCache struct {
	mu sync.Mutex
	m  map[multiKey]*sql.Stmt
}

func (c *stmtCache) get(k multiKey) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	c.m = nil
}

// chunks calls fn(lo, k) for consecutive pieces [lo, lo+k) of n rows, k
// being maxChunk or a power of two below it.
func chunks(n int, fn func(lo, k int) error) error {
	lo := 0
	for ; n-lo >= maxChunk; lo += maxChunk {
		if err := fn(lo, maxChunk); err != nil {
			return err
		}
	}
	for k := maxChunk / 2; k >= 1; k /= 2 {
		if n-lo >= k {
			if err := fn(lo, k); err != nil {
				return err
			}
			lo += k
		}
	}
	return nil
}

// txWriter runs multi-row statements in one transaction. A statement not
// yet in the DB's cache is prepared on the transaction (the writer's only
// connection is busy with it) and, after the commit, by share for the
// next transactions.
type txWriter struct {
	db      *DB
	tx      *sql.Tx
	ctx     context.Context
	local   map[multiKey]*sql.Stmt // bound to tx
	missing []multiKey
	args    []any
}

func (w *txWriter) stmt(k multiKey) (*sql.Stmt, error) {
	if s := w.local[k]; s != nil {
		return s, nil
	}
	var s *sql.Stmt
	if shared := w.db.stmts.get(k); shared != nil {
		s = w.tx.StmtContext(w.ctx, shared)
	} else {
		var err error
		if s, err = w.tx.PrepareContext(w.ctx, w.db.q(k.query())); err != nil {
			return nil, err
		}
		w.missing = append(w.missing, k)
	}
	if w.local == nil {
		w.local = map[multiKey]*sql.Stmt{}
	}
	w.local[k] = s
	return s, nil
}

// execRows writes rows (each with one value per ? of row) with the
// statement prefix + row, row, … + suffix.
func (w *txWriter) execRows(prefix, row, suffix string, rows [][]any) error {
	return chunks(len(rows), func(lo, k int) error {
		st, err := w.stmt(multiKey{prefix, row, suffix, k})
		if err != nil {
			return err
		}
		args := w.args[:0]
		for _, r := range rows[lo : lo+k] {
			args = append(args, r...)
		}
		w.args = args
		_, err = st.ExecContext(w.ctx, args...)
		return err
	})
}

// share prepares, outside the (committed) transaction, the statements it
// had to prepare for itself, so that later transactions reuse them. It is
// an optimisation only: errors are ignored.
func (w *txWriter) share() {
	c := &w.db.stmts
	for _, k := range w.missing {
		c.mu.Lock()
		skip := c.m[k] != nil || len(c.m) >= maxCachedStmts
		c.mu.Unlock()
		if skip {
			continue
		}
		s, err := w.db.w.PrepareContext(context.WithoutCancel(w.ctx), w.db.q(k.query()))
		if err != nil {
			return
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[multiKey]*sql.Stmt{}
		}
		if c.m[k] == nil {
			c.m[k], s = s, nil
		}
		c.mu.Unlock()
		if s != nil {
			s.Close()
		}
	}
	w.missing = nil
}

// EventCount returns the number of events stored.
func (db *DB) EventCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

// Events calls fn with the stored bytes of every event, in no particular
// order (callers sort into engine order). It stops at the first error fn
// returns.
func (db *DB) Events(ctx context.Context, fn func(raw []byte) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT body FROM events`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EventByID returns the stored bytes of one event; ENOTFOUND if absent.
func (db *DB) EventByID(ctx context.Context, id fairmark.EventID) ([]byte, error) {
	var raw []byte
	err := db.r.QueryRowContext(ctx, db.q(`SELECT body FROM events WHERE id = ?`), string(id)).Scan(&raw)
	return raw, notFound(err, "event", id)
}

// projector keeps the projection tables in step with the event log. Each
// update is written so that the result does not depend on the order events
// arrive in: later event times win, first ones are kept by min().
//
// Rows are buffered per statement and written as multi-row statements. Two
// updates of the same row must run in order: the n-th pending update of a
// row goes into generation n, and flush writes generation after
// generation. Within a generation every row is updated at most once, so
// its statements may run in any order.
type projector struct {
	w        *txWriter
	ops      map[string]*pendingOp
	order    []*pendingOp
	gen      map[rowKey]int
	maxGen   int
	pending  int
	pg       bool             // PostgreSQL: rows are only buffered; appendPG writes them (events_pg.go)
	orders   map[string][]any // one merged row per order until the next flush (mergeOrder)
	orderIDs []string
}

type rowKey struct{ table, id string }

type pendingOp struct {
	table, prefix, row, suffix string
	gens                       [][][]any // rows by generation
}

// projectFlushRows bounds the rows a projector buffers.
const projectFlushRows = 20000

// exec queues one row of query, an INSERT … VALUES (…) [ON CONFLICT …]
// whose first argument is the row's key (a string).
func (p *projector) exec(query string, args ...any) error {
	if p.mergeOrder(query, args) {
		return nil
	}
	op := p.ops[query]
	if op == nil {
		if p.ops == nil {
			p.ops, p.gen = map[string]*pendingOp{}, map[rowKey]int{}
		}
		table, _, _ := strings.Cut(strings.TrimPrefix(query, "INSERT INTO "), " ")
		vi := strings.Index(query, "VALUES (")
		end := strings.Index(query[vi:], ")") + vi + 1
		op = &pendingOp{table: table, prefix: query[:vi+len("VALUES ")], row: query[vi+len("VALUES ") : end], suffix: query[end:]}
		p.ops[query] = op
		p.order = append(p.order, op)
	}
	id, ok := args[0].(string)
	if !ok {
		id = fmt.Sprint(args[0])
	}
	k := rowKey{op.table, id}
	g := p.gen[k]
	p.gen[k] = g + 1
	for len(op.gens) <= g {
		op.gens = append(op.gens, nil)
	}
	op.gens[g] = append(op.gens[g], args)
	p.maxGen = max(p.maxGen, g)
	p.pending++
	if p.pending >= projectFlushRows && !p.pg {
		return p.flush()
	}
	return nil
}

// flush writes every pending row, generation by generation.
func (p *projector) flush() error {
	if err := p.flushOrders(); err != nil {
		return err
	}
	if p.pending == 0 {
		return nil
	}
	for g := 0; g <= p.maxGen; g++ {
		for _, op := range p.order {
			if g >= len(op.gens) || len(op.gens[g]) == 0 {
				continue
			}
			// In key order: the rows of a generation are distinct, so
			// their order is free, and sorted they visit the table's
			// primary-key index page after page instead of at random.
			slices.SortFunc(op.gens[g], func(a, b []any) int {
				return strings.Compare(rowID(a), rowID(b))
			})
			if err := p.w.execRows(op.prefix, op.row, op.suffix, op.gens[g]); err != nil {
				return err
			}
			clear(op.gens[g])
			op.gens[g] = op.gens[g][:0]
		}
	}
	clear(p.gen)
	p.maxGen, p.pending = 0, 0
	return nil
}

// rowID is the key of a projection row (its first value).
func rowID(row []any) string {
	if id, ok := row[0].(string); ok {
		return id
	}
	return fmt.Sprint(row[0])
}

// The order projection's statements.
const (
	qOrderPlaced = `INSERT INTO orders (id, buyer, seller, item_id, title, category, digital, amount, currency, placed_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET buyer = excluded.buyer, seller = excluded.seller, item_id = excluded.item_id, title = excluded.title,
			category = excluded.category, digital = excluded.digital, amount = excluded.amount, currency = excluded.currency, placed_ns = excluded.placed_ns`
	qOrderDelivered = `INSERT INTO orders (id, delivered_ns) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET delivered_ns = CASE WHEN orders.delivered_ns IS NULL OR excluded.delivered_ns < orders.delivered_ns THEN excluded.delivered_ns ELSE orders.delivered_ns END`
	qOrderRefunded = `INSERT INTO orders (id, refunded_ns, refund_amount) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET refunded_ns = excluded.refunded_ns, refund_amount = excluded.refund_amount`
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *projector) apply(e *fairmark.Event) error {
	at := ns(e.At)
	switch e.Type {
	case fairmark.AccountOpened:
		a := e.Account
		var l fairmark.Links
		if a.Links != nil {
			l = *a.Links
		}
		return p.exec(`INSERT INTO accounts (id, role, name, opened_ns, device, ip, phone, payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET opened_ns = excluded.opened_ns, role = excluded.role, name = excluded.name,
			device = excluded.device, ip = excluded.ip, phone = excluded.phone, payment = excluded.payment
			WHERE excluded.opened_ns < accounts.opened_ns`,
			string(a.ID), string(a.Role), a.Name, at, l.Device, l.IP, l.Phone, l.Payment)
	case fairmark.OrderPlaced:
		o := e.Order
		var it fairmark.Item
		if o.Item != nil {
			it = *o.Item
		}
		var amt int64
		var cur string
		if o.Amount != nil {
			amt, cur = int64(o.Amount.Value), o.Amount.Currency
		}
		return p.exec(qOrderPlaced, string(o.ID), string(o.Buyer), string(o.Seller), string(it.ID), it.Title, it.Category, b2i(it.Digital), amt, cur, at)
	case fairmark.OrderDelivered:
		return p.exec(qOrderDelivered, string(e.Order.ID), at)
	case fairmark.OrderRefunded:
		var amt sql.NullInt64
		if e.Order.Amount != nil {
			amt = sql.NullInt64{Int64: int64(e.Order.Amount.Value), Valid: true}
		}
		return p.exec(qOrderRefunded, string(e.Order.ID), at, amt)
	case fairmark.FeedbackLeft:
		f := e.Feedback
		// The left state is the current one unless a later revision came first.
		return p.exec(`INSERT INTO feedback (id, order_id, buyer, seller, rating, stars, text, first_rating, left_ns, state_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET order_id = excluded.order_id, buyer = excluded.buyer, seller = excluded.seller,
			first_rating = excluded.first_rating, left_ns = excluded.left_ns,
			rating = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.rating ELSE feedback.rating END,
			stars = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.stars ELSE feedback.stars END,
			text = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.text ELSE feedback.text END,
			state_ns = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.state_ns ELSE feedback.state_ns END`,
			string(f.ID), string(f.Order), string(f.Buyer), string(f.Seller), string(f.Rating), f.Stars, f.Text, string(f.Rating), at, at)
	case fairmark.FeedbackRevised:
		f := e.Feedback
		return p.exec(`INSERT INTO feedback (id, rating, stars, text, state_ns, revisions) VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (id) DO UPDATE SET revisions = feedback.revisions + 1,
			rating = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.rating <> '' THEN excluded.rating ELSE feedback.rating END,
			stars = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.stars <> 0 THEN excluded.stars ELSE feedback.stars END,
			text = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.text <> '' THEN excluded.text ELSE feedback.text END,
			state_ns = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.state_ns ELSE feedback.state_ns END`,
			string(f.ID), string(f.Rating), f.Stars, f.Text, at)
	case fairmark.FeedbackWithdrawn:
		return p.exec(`INSERT INTO feedback (id, withdrawn_ns) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET withdrawn_ns = CASE WHEN feedback.withdrawn_ns IS NULL OR excluded.withdrawn_ns < feedback.withdrawn_ns THEN excluded.withdrawn_ns ELSE feedback.withdrawn_ns END`,
			string(e.Feedback.ID), at)
	case fairmark.MessageSent:
		m := e.Message
		return p.exec(`INSERT INTO messages (id, conversation, order_id, sender, recipient, text, event_id, at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			string(m.ID), string(m.Conversation), string(m.Order), string(m.From), string(m.To), m.Text, string(e.ID), at)
	case fairmark.ReportFiled:
		r := e.Report
		var paid sql.NullInt64
		var cur string
		if r.Paid != nil {
			paid, cur = sql.NullInt64{Int64: int64(r.Paid.Value), Valid: true}, r.Paid.Currency
		}
		ev := r.Evidence
		if ev == nil {
			ev = []fairmark.EvidenceRef{}
		}
		evj, _ := json.Marshal(ev)
		return p.exec(`INSERT INTO reports (id, reporter, accused, order_id, feedback, kind, text, paid, currency, evidence, event_id, at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			string(r.ID), string(r.Reporter), string(r.Accused), string(r.Order), string(r.Feedback), string(r.Kind), r.Text, paid, cur, string(evj), string(e.ID), at)
	case fairmark.ModerationAction:
		// Kept in the events table only: the engine replays reviewers'
		// decisions from the log; no projection table reads them.
		return nil
	}
	return nil
}

// Message is a stored chat message.
type Message struct {
	ID           fairmark.MessageID
	Conversation fairmark.ConversationID
	Order        fairmark.OrderID
	From, To     fairmark.AccountID
	Text         string
	At           time.Time
}

// Messages returns the messages of a conversation in time order.
func (db *DB) Messages(ctx context.Context, conv fairmark.ConversationID) ([]Message, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, conversation, order_id, sender, recipient, text, at_ns FROM messages WHERE conversation = ? ORDER BY at_ns, id`), string(conv))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var at int64
		if err := rows.Scan(&m.ID, &m.Conversation, &m.Order, &m.From, &m.To, &m.Text, &at); err != nil {
			return nil, err
		}
		m.At = time.Unix(0, at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// FeedbackRow is the projected state of one feedback.
type FeedbackRow struct {
	ID                  fairmark.FeedbackID
	Order               fairmark.OrderID
	Buyer, Seller       fairmark.AccountID
	Rating, FirstRating fairmark.Rating
	Stars               int
	Text                string
	Left, Withdrawn     time.Time
	Revisions           int
}

// FeedbackRow returns the projection of one feedback; ENOTFOUND if absent.
func (db *DB) FeedbackRow(ctx context.Context, id fairmark.FeedbackID) (FeedbackRow, error) {
	var f FeedbackRow
	var left, wd sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT id, order_id, buyer, seller, rating, first_rating, stars, text, left_ns, withdrawn_ns, revisions FROM feedback WHERE id = ?`), string(id)).
		Scan(&f.ID, &f.Order, &f.Buyer, &f.Seller, &f.Rating, &f.FirstRating, &f.Stars, &f.Text, &left, &wd, &f.Revisions)
	f.Left, f.Withdrawn = fromNS(left), fromNS(wd)
	return f, notFound(err, "feedback", id)
}

// UnloggedEvidence returns the stored bytes of message and report events
// that have no record in the evidence log yet, in arrival order: what the
// server appends to the log at start after a crash between the two.
func (db *DB) UnloggedEvidence(ctx context.Context) ([][]byte, error) {
	return db.unloggedEvidence(ctx, math.MaxInt64)
}

// unloggedEvidence is UnloggedEvidence for events received before
// receivedBefore (nanoseconds).
func (db *DB) unloggedEvidence(ctx context.Context, receivedBefore int64) ([][]byte, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT e.body FROM events e WHERE e.received_ns < ? AND e.id IN (
		SELECT m.event_id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM evidence_records r WHERE r.kind = 'message' AND r.ref = m.id)
		UNION
		SELECT p.event_id FROM reports p WHERE NOT EXISTS (SELECT 1 FROM evidence_records r WHERE r.kind = 'report' AND r.ref = p.id)
	) ORDER BY e.received_ns, e.id`), receivedBefore)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Decision is a stored engine decision.
type Decision struct {
	Key      string
	Kind     string
	At       time.Time
	Event    fairmark.EventID
	Account  fairmark.AccountID
	Seller   fairmark.AccountID
	Feedback fairmark.FeedbackID
	Body     []byte // the decision as JSON
}

// SaveDecisions stores decisions, ignoring any whose key is already stored.
func (db *DB) SaveDecisions(ctx context.Context, ds []Decision) error {
	if len(ds) == 0 {
		return nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, db.q(`INSERT INTO decisions (key, kind, at_ns, event_id, account, seller, feedback, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range ds {
		if _, err := st.ExecContext(ctx, d.Key, d.Kind, ns(d.At), string(d.Event), string(d.Account), string(d.Seller), string(d.Feedback), string(d.Body)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// DecisionFilter selects decisions; empty fields match everything.
type DecisionFilter struct {
	Kind    string
	Seller  fairmark.AccountID
	Account fairmark.AccountID
	Limit   int // default 100
}

// Decisions returns stored decisions, newest first.
func (db *DB) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	q := `SELECT key, kind, at_ns, event_id, account, seller, feedback, body FROM decisions WHERE 1=1`
	var args []any
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Seller != "" {
		q += ` AND seller = ?`
		args = append(args, string(f.Seller))
	}
	if f.Account != "" {
		q += ` AND account = ?`
		args = append(args, string(f.Account))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY at_ns DESC, key LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		var at int64
		var body string
		if err := rows.Scan(&d.Key, &d.Kind, &at, &d.Event, &d.Account, &d.Seller, &d.Feedback, &body); err != nil {
			return nil, err
		}
		d.At, d.Body = time.Unix(0, at).UTC(), []byte(body)
		out = append(out, d)
	}
	return out, rows.Err()
}
