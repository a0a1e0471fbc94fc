package store

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/sim"
)

// dump returns every row of the event log and the projection tables, in
// key order, as text.
func dump(t *testing.T, db *DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range append([]string{"events"}, projectionTables...) {
		cols := "*"
		if table == "events" {
			cols = "id, type, at_ns, body" // not received_ns
		}
		order := "id"
		if db.dialect == Postgres {
			order = `id COLLATE "C"` // SQLite's order
		}
		rows, err := db.r.Query(`SELECT ` + cols + ` FROM ` + table + ` ORDER BY ` + order)
		if err != nil {
			t.Fatal(err)
		}
		names, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s", table)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "\t%v", v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

func indexNames(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.r.Query(`SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// TestImportMatchesOneByOne: the projections built by batched Append
// (multi-row statements by generation) and by a bulk Importer (one
// transaction, indexes built at the end) equal those built one event per
// transaction, with events out of order and repeated.
// SimIncoming is a simulated marketplace as store input (exported for
// the store_test package's tests and benchmarks).
func SimIncoming(tb testing.TB, cfg sim.Config) []Incoming {
	tb.Helper()
	evs, _, err := sim.Events(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ins := make([]Incoming, 0, len(evs))
	for _, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			tb.Fatal(err)
		}
		ins = append(ins, Incoming{Event: e, Raw: raw})
	}
	return ins
}

// simIncoming is a small simulated marketplace (seed) as store input.
func simIncoming(t *testing.T, seed int64) []Incoming {
	return SimIncoming(t, sim.Config{Seed: seed, Sellers: 15, Buyers: 250, Days: 10, Complainers: 4})
}

func TestImportMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	ins := simIncoming(t, 3)
	// Shuffle nearby events and repeat some.
	rng := rand.New(rand.NewSource(1))
	for i := range ins {
		j := min(len(ins)-1, i+rng.Intn(40))
		ins[i], ins[j] = ins[j], ins[i]
	}
	for i := 0; i < len(ins); i += 17 {
		ins = append(ins, ins[i])
	}
	t.Logf("%d events", len(ins))
	open := func() *DB { return openSQLiteForTest(t, t.TempDir()) }
	countNew := func(isNew []bool) (n int) {
		for _, b := range isNew {
			if b {
				n++
			}
		}
		return n
	}

	ref := open()
	refNew := 0
	for _, in := range ins {
		isNew, err := ref.Append(ctx, []Incoming{in})
		if err != nil {
			t.Fatal(err)
		}
		refNew += countNew(isNew)
	}
	want := dump(t, ref)

	batched := open()
	n := 0
	for i := 0; i < len(ins); i += 300 {
		isNew, err := batched.Append(ctx, ins[i:min(i+300, len(ins))])
		if err != nil {
			t.Fatal(err)
		}
		n += countNew(isNew)
	}
	if got := dump(t, batched); got != want || n != refNew {
		t.Errorf("batched Append: %d new (want %d); tables differ from one-by-one: %v", n, refNew, got != want)
	}

	bulk := open()
	indexes := indexNames(t, bulk)
	done, err := bulk.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	im, err := bulk.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if im.tx == nil {
		t.Fatal("import into an empty store: want one transaction")
	}
	n = 0
	for i := 0; i < len(ins); i += 1000 {
		isNew, err := im.Append(ctx, ins[i:min(i+1000, len(ins))])
		if err != nil {
			t.Fatal(err)
		}
		n += countNew(isNew)
	}
	// The import holds the database exclusively (a rollback journal):
	// readers wait, then fail; they never see part of it.
	if c, err := bulk.EventCount(ctx); err == nil || c != 0 {
		t.Errorf("before Commit, readers see %d events (%v), want an error", c, err)
	}
	if err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := done(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, bulk); got != want || n != refNew {
		t.Errorf("Importer: %d new (want %d); tables differ from one-by-one: %v", n, refNew, got != want)
	}
	if got := indexNames(t, bulk); got != indexes {
		t.Errorf("indexes after import:\n%s\nwant\n%s", got, indexes)
	}

	// A second import into the now non-empty store commits batch by batch
	// and stores nothing twice.
	im, err = bulk.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if im.tx != nil {
		t.Fatal("import into a store with data: want a transaction per Append")
	}
	isNew, err := im.Append(ctx, ins[:min(500, len(ins))])
	if err != nil || countNew(isNew) != 0 {
		t.Fatalf("re-import: %d new (%v), want 0", countNew(isNew), err)
	}
	if err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// An abandoned bulk import leaves nothing, indexes included.
	empty := open()
	im, err = empty.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.Append(ctx, ins[:min(500, len(ins))]); err != nil {
		t.Fatal(err)
	}
	im.Rollback()
	if c, _ := empty.EventCount(ctx); c != 0 {
		t.Errorf("after Rollback: %d events, want 0", c)
	}
	if got := indexNames(t, empty); got != indexes {
		t.Errorf("indexes after Rollback:\n%s\nwant\n%s", got, indexes)
	}
}

// TestBulkLoadDone: done restores full synchronous commits and syncs the
// files.
func TestBulkLoadDone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLiteForTest(t, dir)
	done, err := db.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sync int
	db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if sync != 1 {
		t.Errorf("during bulk load: synchronous = %d, want 1 (NORMAL)", sync)
	}
	if err := done(ctx); err != nil {
		t.Fatal(err)
	}
	db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if sync != 2 {
		t.Errorf("after done: synchronous = %d, want 2 (FULL)", sync)
	}
	if _, err := os.Stat(filepath.Join(dir, "fairmark.db")); err != nil {
		t.Fatal(err)
	}
}

// openPostgresForTest opens a fresh schema in the database named by
// FAIRMARK_TEST_POSTGRES, or skips.
// openSQLiteForTest opens the embedded store in dir, closed when the test
// ends.
func openSQLiteForTest(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgresForTest(t *testing.T) *DB {
	t.Helper()
	url := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set FAIRMARK_TEST_POSTGRES")
	}
	schema := fmt.Sprintf("fm_itest_%d", rand.Int63())
	db, err := OpenPostgres(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.DropSchema(context.Background())
		db.Close()
	})
	return db
}

// TestPostgresAppendMatchesSQLite: batched Append on PostgreSQL (rows as
// arrays) reports the same events as new and builds the same event log
// and projections as SQLite fed one event per transaction, with events
// out of order, repeated within a batch and repeated across batches.
func TestPostgresAppendMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	pg := openPostgresForTest(t)
	ins := simIncoming(t, 7)
	rng := rand.New(rand.NewSource(2))
	// Second events (other ids, times earlier or later) for some rows, so
	// that rows are updated several times within and across batches:
	// orders placed twice (another amount), delivered and refunded twice,
	// accounts opened twice, feedback left, revised and withdrawn again.
	for _, in := range ins[:len(ins):len(ins)] {
		e := in.Event
		if rng.Intn(4) != 0 {
			continue
		}
		c := *e
		c.ID += "-again"
		c.At = e.At.Add(time.Duration(rng.Intn(48)-24) * time.Hour)
		switch e.Type {
		case fairmark.OrderPlaced, fairmark.OrderRefunded:
			if e.Order.Amount != nil {
				o, a := *e.Order, *e.Order.Amount
				a.Value += 100
				o.Amount = &a
				c.Order = &o
			}
		case fairmark.OrderDelivered, fairmark.AccountOpened, fairmark.FeedbackLeft, fairmark.FeedbackRevised, fairmark.FeedbackWithdrawn:
		default:
			continue
		}
		raw, err := event.Encode(&c)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, Incoming{Event: &c, Raw: raw})
	}
	for i := range ins {
		j := min(len(ins)-1, i+rng.Intn(60))
		ins[i], ins[j] = ins[j], ins[i]
	}
	// Repeats: some close by (often in the same batch), some far back
	// (a batch that repeats stored events).
	var stream []Incoming
	for i, in := range ins {
		stream = append(stream, in)
		if i%13 == 0 {
			stream = append(stream, ins[max(0, i-rng.Intn(5))])
		}
		if i%29 == 0 {
			stream = append(stream, ins[rng.Intn(i+1)])
		}
	}
	// Last, deliveries (another time) of the refunded orders: rows whose
	// refund is stored and whose batch has none.
	refunds := 0
	for _, in := range ins {
		if in.Event.Type != fairmark.OrderRefunded {
			continue
		}
		refunds++
		c := fairmark.Event{ID: in.Event.ID + "-late", Type: fairmark.OrderDelivered, At: in.Event.At.Add(-time.Hour), Order: &fairmark.Order{ID: in.Event.Order.ID}}
		raw, err := event.Encode(&c)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, Incoming{Event: &c, Raw: raw})
		stream = append(stream, ins[len(ins)-1])
	}
	if refunds == 0 {
		t.Fatal("no refunds in the simulated events")
	}
	t.Logf("%d events, %d distinct, %d refunds", len(stream), len(ins), refunds)

	ref := openSQLiteForTest(t, t.TempDir())
	var want []bool
	for _, in := range stream {
		isNew, err := ref.Append(ctx, []Incoming{in})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, isNew...)
	}
	var got []bool
	for i := 0; i < len(stream); i += 250 {
		isNew, err := pg.Append(ctx, stream[i:min(i+250, len(stream))])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, isNew...)
	}
	news := 0
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d (%s): PostgreSQL new=%v, SQLite new=%v", i, stream[i].Event.ID, got[i], want[i])
		}
		if got[i] {
			news++
		}
	}
	if news != len(ins) {
		t.Fatalf("%d reported new, want %d", news, len(ins))
	}
	if n, err := pg.EventCount(ctx); err != nil || n != int64(len(ins)) {
		t.Fatalf("event count %d (%v), want %d", n, err, len(ins))
	}
	w, g := dump(t, ref), dump(t, pg)
	if w != g {
		wl, gl := strings.Split(w, "\n"), strings.Split(g, "\n")
		for i := range min(len(wl), len(gl)) {
			if wl[i] != gl[i] {
				t.Fatalf("tables differ (%d and %d rows); first difference:\nsqlite:   %s\npostgres: %s", len(wl), len(gl), wl[i], gl[i])
			}
		}
		t.Fatalf("tables differ: %d rows on SQLite, %d on PostgreSQL", len(wl), len(gl))
	}
	t.Logf("%d rows equal", strings.Count(w, "\n"))

	// The whole stream again in one batch: nothing is new.
	isNew, err := pg.Append(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range isNew {
		if n {
			t.Fatalf("second pass, event %d: new, want duplicate", i)
		}
	}
	if g2 := dump(t, pg); g2 != g {
		t.Fatal("a batch of duplicates changed the tables")
	}
}

// TestPostgresAppendAfterRollback: an Append that fails rolls back
// everything, the staging tables its transaction made included, and the
// next Append on the same connection makes them again and succeeds.
func TestPostgresAppendAfterRollback(t *testing.T) {
	ctx := context.Background()
	db := openPostgresForTest(t)
	db.w.SetMaxOpenConns(1) // every Append on the same session
	ins := SimIncoming(t, sim.Config{Seed: 2, Sellers: 5, Buyers: 40, Days: 3, Complainers: 1})
	// A fresh session's first Append fails after staging (the events
	// insert breaks a constraint added for the test).
	last := ins[len(ins)-1].Event.ID
	if err := db.ExecForTest(ctx, `ALTER TABLE events ADD CONSTRAINT no_last CHECK (id <> '`+string(last)+`')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Append(ctx, ins); err == nil {
		t.Fatal("Append broke a constraint and succeeded")
	}
	if n, err := db.EventCount(ctx); err != nil || n != 0 {
		t.Fatalf("after a failed Append: %d events (%v), want 0", n, err)
	}
	if err := db.ExecForTest(ctx, `ALTER TABLE events DROP CONSTRAINT no_last`); err != nil {
		t.Fatal(err)
	}
	isNew, err := db.Append(ctx, ins)
	if err != nil {
		t.Fatalf("Append after a rolled-back one: %v", err)
	}
	for i, n := range isNew {
		if !n {
			t.Fatalf("event %d: duplicate, want new", i)
		}
	}
	var accounts int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM accounts`).Scan(&accounts); err != nil || accounts == 0 {
		t.Fatalf("accounts projected: %d (%v)", accounts, err)
	}
}

// TestHoldsExactly: after a one-transaction import into an empty event
// log the store answers without counting, and stops doing so (counting
// instead) once anything else stores events, on this connection or
// another.
func TestHoldsExactly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLiteForTest(t, dir)
	ins := simIncoming(t, 4)
	im, err := db.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for i := 0; i < len(ins)-2; i += 500 {
		isNew, err := im.Append(ctx, ins[i:min(i+500, len(ins)-2)])
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range isNew {
			if x {
				n++
			}
		}
	}
	if err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	holds := func(what string, n int64, want, sole bool) {
		t.Helper()
		got, err := db.HoldsExactly(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: HoldsExactly(%d) = %v, want %v", what, n, got, want)
		}
		if db.sole.ok != sole {
			t.Errorf("%s: answered from the import: %v, want %v", what, db.sole.ok, sole)
		}
	}
	holds("after the import", n, true, true)
	if c := db.counted.Load(); c != 0 {
		t.Errorf("after an import with a rollback journal: counted the events %d times, want 0", c)
	}
	holds("after the import", n-1, false, true)
	holds("after the import", n+1, false, true)

	// Another connection stores an event: data_version tells.
	other, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Append(ctx, ins[len(ins)-2:len(ins)-1]); err != nil {
		t.Fatal(err)
	}
	other.Close()
	holds("after another connection stored one", n, false, true)
	holds("after another connection stored one", n+1, true, true)

	// This connection stores one: it forgets the import and counts.
	if _, err := db.Append(ctx, ins[len(ins)-1:]); err != nil {
		t.Fatal(err)
	}
	holds("after this connection stored one", n+1, false, false)
	holds("after this connection stored one", n+2, true, false)

	// An import into a log that holds events (even with empty
	// projections: moderation actions have none) is not its only writer.
	db2 := openSQLiteForTest(t, t.TempDir())
	if err := db2.ExecForTest(ctx, `INSERT INTO events (id, type, at_ns, body, received_ns) VALUES ('x', 'moderation.action', 1, x'7b7d', 1)`); err != nil {
		t.Fatal(err)
	}
	im, err = db2.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !im.OneTransaction() {
		t.Fatal("empty projections: want a one-transaction import")
	}
	if _, err := im.Append(ctx, ins[:10]); err != nil {
		t.Fatal(err)
	}
	if err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if db2.sole.ok {
		t.Error("import into a log holding an event: taken as the log's only writer")
	}
	if ok, err := db2.HoldsExactly(ctx, 10); err != nil || ok {
		t.Errorf("HoldsExactly(10) with 11 events stored: %v, %v; want false", ok, err)
	}
}

// copyFile copies src to dst (a missing src is not copied).
func copyFile(t *testing.T, src, dst string) bool {
	t.Helper()
	b, err := os.ReadFile(src)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return true
}

// TestImportRollbackJournal: an import into an empty store runs with a
// rollback journal and gives the WAL back at the end, with the same rows
// and indexes as an import that kept the WAL (another connection had the
// database open); a crash in the middle (the files as they were on disk,
// the journal hot) leaves a sound, empty store that takes the import
// again.
func TestImportRollbackJournal(t *testing.T) {
	ctx := context.Background()
	ins := simIncoming(t, 5)
	journal := func(db *DB) (mode string, sync int) {
		t.Helper()
		if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		return mode, sync
	}
	load := func(db *DB, wantRollback bool) {
		t.Helper()
		done, err := db.BulkLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		im, err := db.BeginImport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !im.OneTransaction() || im.RollbackJournal() != wantRollback {
			t.Fatalf("one transaction %v, rollback journal %v; want true, %v", im.OneTransaction(), im.RollbackJournal(), wantRollback)
		}
		if wantRollback {
			var mode string
			var sync int
			if err := im.tx.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if err := im.tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
				t.Fatal(err)
			}
			if mode != "delete" || sync != 3 {
				t.Errorf("during the import: journal %s, synchronous %d; want delete, 3 (EXTRA)", mode, sync)
			}
		}
		for i := 0; i < len(ins); i += 700 {
			if _, err := im.Append(ctx, ins[i:min(i+700, len(ins))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := im.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if mode, sync := journal(db); mode != "wal" || sync != 1 {
			t.Errorf("after Commit: journal %s, synchronous %d; want wal, 1 (BulkLoad's NORMAL)", mode, sync)
		}
		if err := done(ctx); err != nil {
			t.Fatal(err)
		}
	}

	fast := openSQLiteForTest(t, t.TempDir())
	indexes := indexNames(t, fast)
	load(fast, true)
	want := dump(t, fast)
	if want == "" || indexNames(t, fast) != indexes {
		t.Fatalf("after the import: %d bytes of rows; indexes\n%s\nwant\n%s", len(want), indexNames(t, fast), indexes)
	}
	// Readers work again, and a later Append commits in the WAL.
	if _, err := fast.Append(ctx, ins[:1]); err != nil {
		t.Fatal(err)
	}
	if mode, _ := journal(fast); mode != "wal" {
		t.Errorf("after an Append: journal %s", mode)
	}

	// Another connection has the database open: the import keeps the WAL.
	dir := t.TempDir()
	walDB := openSQLiteForTest(t, dir)
	other := openSQLiteForTest(t, dir)
	if _, err := other.EventCount(ctx); err != nil {
		t.Fatal(err)
	}
	load(walDB, false)
	if got := dump(t, walDB); got != want {
		t.Error("rows differ between the imports with a rollback journal and with the WAL")
	}

	// A crash: copy the files while the import is in its transaction,
	// after the page cache has spilled into the database file.
	dir = t.TempDir()
	crash := openSQLiteForTest(t, dir)
	path := filepath.Join(dir, "fairmark.db")
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	im, err := crash.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !im.RollbackJournal() {
		t.Fatal("want a rollback journal")
	}
	if _, err := im.tx.ExecContext(ctx, `PRAGMA cache_size = 20`); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Append(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < before.Size()+100*4096 {
		t.Fatalf("the import has not spilled into the database file (%d bytes before, %v, %v)", before.Size(), st.Size(), err)
	}
	copyDir := t.TempDir()
	copyFile(t, path, filepath.Join(copyDir, "fairmark.db"))
	if !copyFile(t, path+"-journal", filepath.Join(copyDir, "fairmark.db-journal")) {
		t.Fatal("no journal during the import")
	}
	im.Rollback()
	if mode, _ := journal(crash); mode != "wal" {
		t.Errorf("after Rollback: journal %s, want wal", mode)
	}
	if c, _ := crash.EventCount(ctx); c != 0 {
		t.Errorf("after Rollback: %d events, want 0", c)
	}

	after := openSQLiteForTest(t, copyDir)
	var check string
	if err := after.w.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("after the crash: integrity_check %q, %v", check, err)
	}
	if c, _ := after.EventCount(ctx); c != 0 {
		t.Errorf("after the crash: %d events, want 0 (the import rolled back)", c)
	}
	if got := indexNames(t, after); got != indexes {
		t.Errorf("after the crash: indexes\n%s\nwant\n%s", got, indexes)
	}
	if mode, _ := journal(after); mode != "wal" {
		t.Errorf("after the crash: journal %s, want wal", mode)
	}
	load(after, true)
	if got := dump(t, after); got != want {
		t.Error("the import again after the crash: rows differ")
	}
}
