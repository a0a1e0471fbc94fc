package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairmark/fairmark/evidence"
)

// TestEvidenceScopeKeysMigration stores evidence records in the schema of
// version 6 (scopes as (type, id, idx) rows), migrates, and checks that
// every scope still finds its records, that the log opens and audits, and
// that appends after the migration are found too.
func TestEvidenceScopeKeysMigration(t *testing.T) {
	ctx := context.Background()
	// The migration computes eras as Append does.
	for _, d := range []string{"sqlite", "postgres"} {
		b, err := migrations.ReadFile("migrations/" + d + "/00007_evidence_scope_keys.sql")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("s.idx >> %d, k.skey", scopeEraBits); !strings.Contains(string(b), want) {
			t.Fatalf("%s migration 00007 does not compute eras as %q", d, want)
		}
	}
	opens := map[string]func(t *testing.T) *DB{
		"sqlite": func(t *testing.T) *DB {
			db, err := openSQLite(ctx, t.TempDir(), 6)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(t *testing.T) *DB {
			url := os.Getenv("FAIRMARK_TEST_POSTGRES")
			if url == "" {
				t.Skip("set FAIRMARK_TEST_POSTGRES to run on PostgreSQL")
			}
			var b [6]byte
			rand.Read(b[:])
			db, err := openPostgres(ctx, url, "fm_test_"+hex.EncodeToString(b[:]), 6)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				db.DropSchema(context.Background())
				db.Close()
			})
			return db
		},
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			signer, err := evidence.LoadOrCreateKey(t.TempDir(), "fairmark.test/migrate")
			if err != nil {
				t.Fatal(err)
			}
			// The reference: the same records in memory.
			mem := &evidence.MemStorage{}
			ref, err := evidence.Open(ctx, mem, signer)
			if err != nil {
				t.Fatal(err)
			}
			ref.Now = func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
			var scopes []evidence.Scope
			var recs []evidence.Record
			for i := range 40 {
				sc := []evidence.Scope{
					{Type: evidence.ScopeConversation, ID: fmt.Sprint("c", i%5)},
					{Type: evidence.ScopeAccount, ID: fmt.Sprint("买家", i%7)},
					{Type: evidence.ScopeAccount, ID: fmt.Sprint("s", i%3)},
				}
				if i%2 == 0 {
					sc = append(sc, evidence.Scope{Type: evidence.ScopeOrder, ID: fmt.Sprint("o", i/2)})
				}
				scopes = append(scopes, sc...)
				recs = append(recs, evidence.Record{Kind: "message", Ref: fmt.Sprint("m", i), Scopes: sc,
					At: time.Date(2026, 2, 1, 0, i, 0, 0, time.UTC), Content: []byte(fmt.Sprintf(`{"text":"msg %d"}`, i))})
			}
			stored, err := ref.Append(ctx, recs...)
			if err != nil {
				t.Fatal(err)
			}
			cp, err := ref.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Version 6 rows, as its Append wrote them.
			for _, r := range stored {
				lo, hi := tlog.StoredHashIndex(0, r.Index), tlog.StoredHashIndex(0, r.Index+1)
				var idx []int64
				for x := lo; x < hi; x++ {
					idx = append(idx, x)
				}
				hs, err := mem.ReadHashes(ctx, idx)
				if err != nil {
					t.Fatal(err)
				}
				var flat []byte
				for _, h := range hs {
					flat = append(flat, h[:]...)
				}
				js, err := json.Marshal(r.Scopes)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.w.ExecContext(ctx, db.q(`INSERT INTO evidence_records (idx, kind, ref, at_us, logged_us, content, sha, redacted, scopes, hashes) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`),
					r.Index, r.Kind, r.Ref, us(r.At), us(r.Logged), r.Content, r.ContentSHA256[:], string(js), flat); err != nil {
					t.Fatal(err)
				}
				for _, sc := range r.Scopes {
					if _, err := db.w.ExecContext(ctx, db.q(`INSERT INTO evidence_scopes (type, id, idx) VALUES (?, ?, ?)`), sc.Type, sc.ID, r.Index); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := db.Evidence().SaveCheckpoint(ctx, cp.Size, cp.Note); err != nil {
				t.Fatal(err)
			}
			if err := db.migrate(ctx, 0); err != nil {
				t.Fatal(err)
			}
			st := db.Evidence()
			check := func() {
				t.Helper()
				for _, sc := range append(scopes, evidence.Scope{Type: evidence.ScopeCase, ID: "none"}) {
					got, err := st.Records(ctx, sc)
					if err != nil {
						t.Fatal(err)
					}
					want, _ := mem.Records(ctx, sc)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("scope %v after migration: got %d records, want %d, or they differ\ngot  %+v\nwant %+v", sc, len(got), len(want), got, want)
					}
				}
			}
			check()
			log, err := evidence.Open(ctx, st, signer)
			if err != nil {
				t.Fatal(err)
			}
			log.Now = ref.Now
			if err := log.Audit(ctx); err != nil {
				t.Fatal(err)
			}
			more := []evidence.Record{{Kind: "message", Ref: "m40", Scopes: []evidence.Scope{{Type: evidence.ScopeConversation, ID: "c1"}, {Type: evidence.ScopeCase, ID: "new"}}, Content: []byte(`{}`)}}
			if _, err := log.Append(ctx, more...); err != nil {
				t.Fatal(err)
			}
			if _, err := ref.Append(ctx, more...); err != nil {
				t.Fatal(err)
			}
			scopes = append(scopes, evidence.Scope{Type: evidence.ScopeCase, ID: "new"})
			check()
			if _, err := log.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSQLitePageSize: a new embedded database gets sqlitePageSize pages
// (the DSN's PRAGMAs run in lexicographic order, so a page_size there
// would come after journal_mode and do nothing) and stays in WAL mode.
func TestSQLitePageSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for range 2 { // created, then reopened
		db, err := OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		var size int64
		var mode string
		if err := db.w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if size != sqlitePageSize || mode != "wal" {
			t.Fatalf("page size %d, journal mode %s; want %d, wal", size, mode, sqlitePageSize)
		}
	}
}
