// Package store keeps fairmark's event log, its projections and the engine's
// decisions in a SQL database: SQLite (modernc, embedded, pure Go) on one
// machine, PostgreSQL (pgx) when a marketplace outgrows one. Both go through
// database/sql on one code path; a small dialect shim rewrites placeholders
// and the migrations are kept per engine.
//
// The event table is append-only with the event id as idempotency key: the
// same id twice is stored once. Append commits the events and their
// projections in one transaction, so an acknowledged event is durable.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"github.com/fairmark/fairmark"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine behind a DB.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a fairmark store. Writes go through one connection (SQLite allows
// one writer); reads use a pool.
type DB struct {
	dialect Dialect
	w       *sql.DB
	r       *sql.DB
	schema  string
	// stmts holds prepared multi-row statements of the writer (events.go).
	stmts stmtCache
	// scopeKeys caches evidence scope keys (evidence.go).
	scopeKeys scopeKeyCache
	// pgStaging holds the staging tables each PostgreSQL session has
	// (events_pg.go).
	pgStaging sync.Map
	// pgDups: the last PostgreSQL Append found some of its events stored.
	pgDups atomic.Bool
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// sole: the last import was the event log's only writer (events.go).
	soleMu sync.Mutex
	sole   soleImport
	// counted: how often HoldsExactly counted the events (tests).
	counted atomic.Int64
}

// Dialect reports the engine behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQLiteDSN returns the DSN used for the database file at path: PRAGMAs in
// the DSN so that every pooled connection gets them, busy_timeout first.
func SQLiteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// No page_size here: the driver runs these PRAGMAs in lexicographic
	// order, journal_mode(WAL) before page_size, which then has no effect
	// (see createSQLite).
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "wal_autocheckpoint(4000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		// Readers read the file through a memory map (up to 1 GiB), with
		// a small page cache of their own: in WAL mode a reader drops its
		// cache whenever the writer has committed since it last read, and
		// freeing a large cache page by page cost more system time than
		// the reads it saved (import's engine phase: ~25% less sys time).
		q.Add("_pragma", "cache_size(-8192)")
		q.Add("_pragma", "mmap_size(1073741824)")
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Add("_pragma", "cache_size(-65536)")
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// BulkLoad tunes the writer connection of an embedded store for a bulk
// import and returns done, which restores the settings and makes all that
// was written durable. In between, commits do not wait for the disk
// (synchronous=NORMAL: a crash or power loss may lose the last commits but
// never corrupts the database) and checkpoints are rarer. done syncs the
// database file, its WAL and their folder. Both are no-ops on PostgreSQL,
// whose commits stay synchronous.
//
// The page cache keeps its size: a larger one (1 GiB) made a 1.12M-event
// import slower when pages were 16 KiB (store phase 26 s against 12.6 s,
// 21 s of system time against 7): the driver's allocator gives each such
// page its own mapping, and freeing them one by one — when the cache
// shrinks back and when the database closes — cost more than the reads
// it saved.
func (db *DB) BulkLoad(ctx context.Context) (done func(context.Context) error, err error) {
	if db.dialect != SQLite {
		return func(context.Context) error { return nil }, nil
	}
	set := func(ctx context.Context, pragmas ...string) error {
		for _, p := range pragmas {
			if _, err := db.w.ExecContext(ctx, "PRAGMA "+p); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}
	if err := set(ctx, "synchronous = NORMAL", "wal_autocheckpoint = 16000"); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if err := set(ctx, "synchronous = FULL", "wal_autocheckpoint = 4000"); err != nil {
			return err
		}
		var path string
		if err := db.w.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			return err
		}
		if path == "" {
			return nil // in-memory
		}
		for _, p := range []string{path, path + "-wal", filepath.Dir(path)} {
			f, err := os.Open(p)
			if errors.Is(err, fs.ErrNotExist) && p != path {
				continue
			}
			if err != nil {
				return err
			}
			err = f.Sync()
			f.Close()
			if err != nil {
				return fmt.Errorf("sync %s: %w", p, err)
			}
		}
		return nil
	}, nil
}

// OpenSQLite opens (creating if needed) the embedded database in dir and
// migrates it to the latest schema.
func OpenSQLite(ctx context.Context, dir string) (*DB, error) { return openSQLite(ctx, dir, 0) }

// openSQLite opens the embedded database in dir migrated to version (0:
// the latest).
func openSQLite(ctx context.Context, dir string, version int64) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dir, "fairmark.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := createSQLite(ctx, path); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	}
	w, err := sql.Open("sqlite", SQLiteDSN(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{dialect: SQLite, w: w, Now: time.Now}
	if err := db.migrate(ctx, version); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", SQLiteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(readIdleConns)
	db.r = r
	return db, nil
}

// readIdleConns is how many idle connections the embedded store's read
// pool keeps (database/sql's default); a bulk import closes them while
// it runs (Importer).
const readIdleConns = 2

// isBusy reports whether err is SQLite's SQLITE_BUSY (the database is
// locked by another connection).
func isBusy(err error) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code()&0xff == 5 // SQLITE_BUSY, extended codes included
}

// sqlitePageSize is the page size of new embedded databases: SQLite's
// default, 4 KiB, chosen by measurement. Larger pages help bulk work
// (16 KiB: evidence appends 51k-62k/s against 51k-54k, a 1.12M-event
// import's store phase 91k/s against 73k-77k) but hurt what the server
// does all day, small commits that each dirty scattered index pages on a
// growing store: under 10k events/s from Kafka for 5 minutes the consumer
// kept up with 4 KiB (max lag 21k records, caught up 3 s after the end),
// fell behind with 8 KiB (152k, 17 s) and with 16 KiB (561k, 105 s): every
// dirtied page goes to the WAL, and fsynced, whole. createSQLite sets it
// explicitly so that a change of the default cannot slip in unseen.
const sqlitePageSize = 4096

// createSQLite creates the database file at path with sqlitePageSize
// pages, in WAL mode. The page size of a database is fixed once it is
// created (or once in WAL mode), so it is set here, before anything else.
func createSQLite(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, p := range []string{"page_size = " + strconv.Itoa(sqlitePageSize), "journal_mode = WAL"} {
		if _, err := c.ExecContext(ctx, "PRAGMA "+p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return c.Close()
}

// OpenPostgres opens the PostgreSQL database at url and migrates it. When
// schema is not empty, every connection uses that schema (created if
// missing); tests use it to keep runs apart.
func OpenPostgres(ctx context.Context, dsn, schema string) (*DB, error) {
	return openPostgres(ctx, dsn, schema, 0)
}

// openPostgres opens the PostgreSQL database at url migrated to version
// (0: the latest).
func openPostgres(ctx context.Context, dsn, schema string, version int64) (*DB, error) {
	if schema != "" {
		boot, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		_, err = boot.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoteIdent(schema))
		boot.Close()
		if err != nil {
			return nil, fmt.Errorf("create schema %s: %w", schema, err)
		}
		dsn = withSearchPath(dsn, schema)
	}
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(16)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	db := &DB{dialect: Postgres, w: p, r: p, schema: schema, Now: time.Now}
	if err := db.migrate(ctx, version); err != nil {
		p.Close()
		return nil, err
	}
	return db, nil
}

func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// migrate brings the schema up to version, or to the latest when version
// is 0.
func (db *DB) migrate(ctx context.Context, version int64) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.w, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if version > 0 {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.Up(ctx)
	}
	if err != nil {
		if isBusy(err) {
			// An import into an empty embedded store holds the database
			// until it ends (Importer); so may another program.
			return fmt.Errorf("migrate %s store: the database is locked by another process (an import into it may be running; try again when it ends): %w", db.dialect, err)
		}
		return fmt.Errorf("migrate %s store: %w", db.dialect, err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	err := db.w.Close()
	if db.r != db.w && db.r != nil {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// DropSchema drops the PostgreSQL schema the DB was opened with; tests call
// it in cleanup. It does nothing on SQLite.
func (db *DB) DropSchema(ctx context.Context) error {
	if db.dialect != Postgres || db.schema == "" {
		return nil
	}
	_, err := db.w.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+quoteIdent(db.schema)+` CASCADE`)
	return err
}

// Ping checks that the store can be read and written.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM decisions WHERE key = ?`), "-healthz-probe"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return tx.Commit()
}

// q rewrites ? placeholders for the dialect.
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func ns(t time.Time) int64 { return t.UnixNano() }

func nullNS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// notFound maps sql.ErrNoRows to ENOTFOUND.
func notFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fairmark.Errorf(fairmark.ENOTFOUND, "%s %v not found", what, id)
	}
	return err
}

// ExecForTest runs a statement on the write connection. Tests use it to
// tamper with the database behind the application's back.
func (db *DB) ExecForTest(ctx context.Context, query string) error {
	_, err := db.w.ExecContext(ctx, query)
	return err
}
