package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/evidence/evidencetest"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
)

// engines lists the stores every test runs on: SQLite always, PostgreSQL
// when FAIRMARK_TEST_POSTGRES names a database.
func engines(t *testing.T) map[string]func(t *testing.T) *store.DB {
	m := map[string]func(t *testing.T) *store.DB{"sqlite": MustOpenSQLite}
	m["postgres"] = MustOpenPostgres
	return m
}

// MustOpenSQLite opens a fresh embedded store in a temp folder.
func MustOpenSQLite(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.OpenSQLite(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// MustOpenPostgres opens a fresh schema in the database named by
// FAIRMARK_TEST_POSTGRES, or skips.
func MustOpenPostgres(t *testing.T) *store.DB {
	t.Helper()
	url := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set FAIRMARK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run them")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "fm_test_" + hex.EncodeToString(b[:])
	db, err := store.OpenPostgres(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.DropSchema(context.Background())
		db.Close()
	})
	return db
}

func mustDecode(t *testing.T, lines ...string) []store.Incoming {
	t.Helper()
	var out []store.Incoming
	for _, l := range lines {
		e, err := event.Decode([]byte(l))
		if err != nil {
			t.Fatalf("decode %s: %v", l, err)
		}
		out = append(out, store.Incoming{Event: e, Raw: []byte(l)})
	}
	return out
}

var story = []string{
	`{"id":"e1","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s9","role":"seller","links":{"device":"d-77"}}}`,
	`{"id":"e2","type":"order.placed","at":"2026-03-02T10:00:00Z","order":{"id":"o1","buyer":"b123","seller":"s9","item":{"id":"i1","title":"50元 Q币充值卡","category":"prepaid_card","digital":true},"amount":{"value":"50.00","currency":"CNY"}}}`,
	`{"id":"e3","type":"order.delivered","at":"2026-03-02T10:01:00Z","order":{"id":"o1"}}`,
	`{"id":"e5","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"f1","order":"o1","buyer":"b123","seller":"s9","rating":"negative","stars":1,"text":"骗子卖家，充值卡无效"}}`,
	`{"id":"e6","type":"feedback.revised","at":"2026-03-04T09:00:00Z","feedback":{"id":"f1","rating":"positive","text":"误会，卡没问题"}}`,
	`{"id":"e8","type":"message.sent","at":"2026-03-02T10:06:00Z","message":{"id":"m1","conversation":"c1","order":"o1","from":"b123","to":"s9","text":"想删差评加我扣扣 3 8 5 7 2 1 9 0 6"}}`,
	`{"id":"e9","type":"report.filed","at":"2026-03-03T12:00:00Z","report":{"id":"r1","reporter":"s9","accused":"b123","order":"o1","feedback":"f1","kind":"extortion","paid":{"value":"50.00","currency":"CNY"}}}`,
}

func TestAppendIdempotent(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			evs := mustDecode(t, story...)
			isNew, err := db.Append(ctx, evs)
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range isNew {
				if !n {
					t.Fatalf("event %d: got duplicate, want new", i)
				}
			}
			// Again, plus one duplicate inside the batch: nothing new.
			again := append(mustDecode(t, story...), evs[0])
			isNew, err = db.Append(ctx, again)
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range isNew {
				if n {
					t.Fatalf("event %d: got new on second append, want duplicate", i)
				}
			}
			n, err := db.EventCount(ctx)
			if err != nil || n != int64(len(story)) {
				t.Fatalf("event count: got %d (%v), want %d", n, err, len(story))
			}
			var ids []string
			err = db.Events(ctx, func(raw []byte) error {
				e, err := event.Decode(raw)
				if err != nil {
					return err
				}
				ids = append(ids, string(e.ID))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(ids)
			want := []string{"e1", "e2", "e3", "e5", "e6", "e8", "e9"}
			if len(ids) != len(want) {
				t.Fatalf("order: got %v, want %v", ids, want)
			}
			for i := range want {
				if ids[i] != want[i] {
					t.Fatalf("order: got %v, want %v", ids, want)
				}
			}
			msgs, err := db.Messages(ctx, "c1")
			if err != nil || len(msgs) != 1 || msgs[0].From != "b123" {
				t.Fatalf("messages: got %+v (%v)", msgs, err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
		})
	}
}

// TestAppendModeration: a moderation.action event (an extension of the
// contract, docs/EVENTS.md) is stored in the event log like any other, once,
// and leaves the projections alone.
func TestAppendModeration(t *testing.T) {
	const ban = `{"id":"m1","type":"moderation.action","at":"2026-03-05T10:00:00Z","moderation":{"action":"ban","accounts":["b123","b124"],"case":"c1","by":"lead:li","reason":"extortion confirmed: 3 victims in 6 days"}}`
	const remove = `{"id":"m2","type":"moderation.action","at":"2026-03-05T10:00:01Z","moderation":{"action":"remove_feedback","feedback":["f1"],"case":"c1","by":"lead:li","reason":"extortion remark"}}`
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			lines := append(append([]string{}, story...), ban, remove)
			isNew, err := db.Append(ctx, mustDecode(t, lines...))
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range isNew {
				if !n {
					t.Fatalf("event %d: got duplicate, want new", i)
				}
			}
			isNew, err = db.Append(ctx, mustDecode(t, ban))
			if err != nil || isNew[0] {
				t.Fatalf("second append of m1: got new=%v (%v), want a duplicate", isNew, err)
			}
			if n, err := db.EventCount(ctx); err != nil || n != int64(len(lines)) {
				t.Fatalf("event count: got %d (%v), want %d", n, err, len(lines))
			}
			raw, err := db.EventByID(ctx, "m1")
			if err != nil || string(raw) != ban {
				t.Fatalf("EventByID(m1): got %s (%v), want %s", raw, err, ban)
			}
			e, err := event.Decode(raw)
			if err != nil || e.Moderation == nil || e.Moderation.Action != fairmark.ActionBan || len(e.Moderation.Accounts) != 2 {
				t.Fatalf("stored m1 decodes to %+v (%v), want the ban", e, err)
			}
			// The removal leaves the feedback projection as the story made it.
			f, err := db.FeedbackRow(ctx, "f1")
			if err != nil || f.Rating != fairmark.Positive || f.Revisions != 1 || !f.Withdrawn.IsZero() {
				t.Fatalf("feedback f1: got %+v (%v), want it untouched by moderation", f, err)
			}
		})
	}
}

func TestFeedbackProjectionOrderIndependent(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			// The revision arrives before the feedback it revises.
			evs := mustDecode(t, story[4], story[3])
			if _, err := db.Append(ctx, evs); err != nil {
				t.Fatal(err)
			}
			f, err := db.FeedbackRow(ctx, "f1")
			if err != nil {
				t.Fatal(err)
			}
			if f.Rating != fairmark.Positive || f.FirstRating != fairmark.Negative || f.Revisions != 1 {
				t.Fatalf("feedback: got %+v, want current positive, first negative, 1 revision", f)
			}
		})
	}
}

func TestEvidenceStorageConformance(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			evidencetest.RunStorageTests(t, func(t *testing.T) evidence.Storage { return open(t).Evidence() })
		})
	}
}

// TestEvidenceStorageSharedByTwoLogs: two Logs, each on its own
// connection to one database (as two fairmark workers), append
// concurrently.
func TestEvidenceStorageSharedByTwoLogs(t *testing.T) {
	ctx := context.Background()
	opens := map[string]func(t *testing.T) (evidence.Storage, evidence.Storage){
		"sqlite": func(t *testing.T) (evidence.Storage, evidence.Storage) {
			dir := t.TempDir()
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.OpenSQLite(ctx, dir)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			return dbs[0].Evidence(), dbs[1].Evidence()
		},
		"postgres": func(t *testing.T) (evidence.Storage, evidence.Storage) {
			url := os.Getenv("FAIRMARK_TEST_POSTGRES")
			if url == "" {
				t.Skip("set FAIRMARK_TEST_POSTGRES to run on PostgreSQL")
			}
			var b [6]byte
			rand.Read(b[:])
			schema := "fm_test_" + hex.EncodeToString(b[:])
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.OpenPostgres(ctx, url, schema)
				if err != nil {
					t.Fatal(err)
				}
				dbs[i] = db
			}
			t.Cleanup(func() {
				dbs[1].Close()
				dbs[0].DropSchema(context.Background())
				dbs[0].Close()
			})
			return dbs[0].Evidence(), dbs[1].Evidence()
		},
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			evidencetest.RunSharedStorageTests(t, open)
		})
	}
}

func TestEvidenceLogOnStore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenSQLite(t)
	signer, err := evidence.LoadOrCreateKey(t.TempDir(), "fairmark.test/log")
	if err != nil {
		t.Fatal(err)
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		t.Fatal(err)
	}
	conv := evidence.Scope{Type: evidence.ScopeConversation, ID: "c1"}
	for i := range 5 {
		if _, err := log.Append(ctx, evidence.Record{Kind: "message", Ref: "m" + string(rune('0'+i)), Scopes: []evidence.Scope{conv}, At: time.Date(2026, 3, 2, 10, i, 0, 0, time.UTC), Content: []byte(`{"text":"hi"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := log.Bundle(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 5 {
		t.Fatalf("bundle records: got %d, want 5", len(b.Records))
	}
}

// TestEvidenceRewrittenHistoryCaught: editing a logged record in the
// database behind the log's back is caught when the next checkpoint is
// checked against the one already published.
func TestEvidenceRewrittenHistoryCaught(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			keys := t.TempDir()
			signer, err := evidence.LoadOrCreateKey(keys, "fairmark.test/log")
			if err != nil {
				t.Fatal(err)
			}
			log, err := evidence.Open(ctx, db.Evidence(), signer)
			if err != nil {
				t.Fatal(err)
			}
			conv := evidence.Scope{Type: evidence.ScopeConversation, ID: "c1"}
			for i := range 4 {
				if _, err := log.Append(ctx, evidence.Record{Kind: "message", Ref: fmt.Sprint("m", i), Scopes: []evidence.Scope{conv}, Content: []byte(fmt.Sprintf(`{"text":"msg %d"}`, i))}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := log.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			// Rewrite history: change record 1's content and kind, and
			// recompute nothing (an attacker with database access).
			if err := db.ExecForTest(ctx, `UPDATE evidence_records SET kind = 'edited' WHERE idx = 1`); err != nil {
				t.Fatal(err)
			}
			if _, err := log.Append(ctx, evidence.Record{Kind: "message", Ref: "m9", Scopes: []evidence.Scope{conv}, Content: []byte(`{"text":"later"}`)}); err != nil {
				t.Fatal(err)
			}
			b, err := log.Bundle(ctx, conv)
			if err == nil {
				// If a bundle was produced, it must not verify.
				raw := new(bytes.Buffer)
				if werr := evidence.WriteBundle(raw, b); werr != nil {
					t.Fatal(werr)
				}
				if _, verr := evidence.Verify(raw.Bytes(), ""); verr == nil {
					t.Fatal("a bundle over a rewritten record verified")
				}
			}
			// A full rewrite — record 1 changed and the tree rebuilt over it,
			// as an attacker with database access would — is caught by the
			// consistency check against the published checkpoint.
			if name != "sqlite" {
				return
			}
			otherDir := t.TempDir()
			other, err := store.OpenSQLite(ctx, otherDir)
			if err != nil {
				t.Fatal(err)
			}
			olog, err := evidence.Open(ctx, other.Evidence(), signer)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				content := fmt.Sprintf(`{"text":"msg %d"}`, i)
				if i == 1 {
					content = `{"text":"the seller threatened me"}`
				}
				if _, err := olog.Append(ctx, evidence.Record{Kind: "message", Ref: fmt.Sprint("m", i), Scopes: []evidence.Scope{conv}, Content: []byte(content)}); err != nil {
					t.Fatal(err)
				}
			}
			other.Close()
			for _, q := range []string{
				`ATTACH DATABASE '` + otherDir + `/fairmark.db' AS other`,
				`DELETE FROM evidence_records`, `INSERT INTO evidence_records SELECT * FROM other.evidence_records`,
				`DETACH DATABASE other`,
			} {
				if err := db.ExecForTest(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			log2, err := evidence.Open(ctx, db.Evidence(), signer)
			if err == nil {
				_, err = log2.Checkpoint(ctx)
			}
			if !errors.Is(err, evidence.ErrInconsistent) {
				t.Fatalf("rewritten history: got %v, want an error wrapping ErrInconsistent", err)
			}
			t.Logf("caught: %v", err)
		})
	}
}

// BenchmarkEvidenceAppend appends batches of 1,000 message records (one
// HTTP ingest batch) to the evidence log on the embedded store, shaped as
// service.logEvidence makes them: the message event as received for
// content (about 150–330 bytes of JSON), scopes conversation, sender,
// recipient and, for every other message, the order (3–4 scopes) over a
// marketplace of 400 sellers, 20,000 buyers and 5,000 conversations.
// Reports records/s (wall) and cpu-ns/record (process CPU time, getrusage).
func BenchmarkEvidenceAppend(b *testing.B) {
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	signer, _ := evidence.LoadOrCreateKey(b.TempDir(), "bench/log")
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		b.Fatal(err)
	}
	// Bytes the process wrote (WAL frames and checkpoints), from
	// /proc/self/io on Linux; 0 elsewhere.
	wchar := func() float64 {
		bs, _ := os.ReadFile("/proc/self/io")
		var v float64
		for _, l := range strings.Split(string(bs), "\n") {
			if strings.HasPrefix(l, "wchar: ") {
				v, _ = strconv.ParseFloat(l[7:], 64)
			}
		}
		return v
	}
	w0 := wchar()
	texts := []string{
		"想删差评加我扣扣 3 8 5 7 2 1 9 0 6",
		"hello, is the card still available?",
		"你好，请问这个充值卡什么时候发货？我已经付款了，订单号在上面，麻烦尽快处理一下，谢谢",
		"delivered, thanks for your order. Please leave feedback if everything is fine with the code.",
		"退款或者我给你差评，你自己选",
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	recs := make([]evidence.Record, 1000)
	n := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		for i := range recs {
			n++
			conv := n % 5000
			buyer, seller := fmt.Sprint("b", (conv*7919)%20000), fmt.Sprint("s", conv%400)
			from, to := buyer, seller
			if n%3 == 0 {
				from, to = to, from
			}
			id := fmt.Sprint("m", n)
			c := fmt.Sprint("c", conv)
			t := at.Add(time.Duration(n) * time.Second)
			scopes := []evidence.Scope{{Type: evidence.ScopeConversation, ID: c}, {Type: evidence.ScopeAccount, ID: from}, {Type: evidence.ScopeAccount, ID: to}}
			order := ""
			if n%2 == 0 {
				order = fmt.Sprint("o", conv*3+n%3)
				scopes = append(scopes, evidence.Scope{Type: evidence.ScopeOrder, ID: order})
			}
			content := fmt.Sprintf(`{"id":"e%d","type":"message.sent","at":%q,"message":{"id":%q,"conversation":%q,"from":%q,"to":%q,"order":%q,"text":%q}}`,
				n, t.Format(time.RFC3339), id, c, from, to, order, texts[n%len(texts)])
			recs[i] = evidence.Record{Kind: "message", Ref: id, Scopes: scopes, At: t, Content: []byte(content)}
		}
		b.StartTimer()
		c0 := cpuTime()
		if _, err := log.Append(ctx, recs...); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric((wchar()-w0)/float64(n), "write-B/record")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	// Process CPU time of the Appends (building the records excluded).
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/record")
}

// BenchmarkAppend stores a simulated marketplace's events in batches of
// 5,000 (what `fairmark import` does); reports events/s.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	ins := store.SimIncoming(b, sim.Config{Seed: 4, Sellers: 300, Buyers: 8000, Days: 20, Complainers: 30})
	n := 0
	for b.Loop() {
		b.StopTimer()
		db, err := store.OpenSQLite(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < len(ins); i += 5000 {
			if _, err := db.Append(ctx, ins[i:min(i+5000, len(ins))]); err != nil {
				b.Fatal(err)
			}
		}
		n += len(ins)
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkImport stores a simulated marketplace's events through an
// Importer into an empty embedded store, in batches of 50,000 (what
// `fairmark import` does: one transaction, indexes built at the end);
// reports events/s and the process CPU time per event.
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	ins := store.SimIncoming(b, sim.Config{Seed: 4, Sellers: 1000, Buyers: 30000, Days: 30, Complainers: 60})
	n := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := store.OpenSQLite(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		done, err := db.BulkLoad(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime()
		b.StartTimer()
		im, err := db.BeginImport(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(ins); i += 50000 {
			if _, err := im.Append(ctx, ins[i:min(i+50000, len(ins))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := im.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		if err := done(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		n += len(ins)
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/event")
}

// BenchmarkAppendPostgres stores the events of BenchmarkAppend into a
// fresh schema of the PostgreSQL database named by FAIRMARK_TEST_POSTGRES
// (skipped without it), in batches of 5,000 (an HTTP or stream batch) and
// 50,000 (`fairmark import`'s default); reports events/s.
func BenchmarkAppendPostgres(b *testing.B) {
	url := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if url == "" {
		b.Skip("set FAIRMARK_TEST_POSTGRES to run")
	}
	ctx := context.Background()
	ins := store.SimIncoming(b, sim.Config{Seed: 4, Sellers: 300, Buyers: 8000, Days: 20, Complainers: 30})
	for _, batch := range []int{5000, 50000} {
		b.Run(fmt.Sprint("batch=", batch), func(b *testing.B) {
			n := 0
			for b.Loop() {
				b.StopTimer()
				var rb [6]byte
				rand.Read(rb[:])
				db, err := store.OpenPostgres(ctx, url, "fm_bench_"+hex.EncodeToString(rb[:]))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for i := 0; i < len(ins); i += batch {
					if _, err := db.Append(ctx, ins[i:min(i+batch, len(ins))]); err != nil {
						b.Fatal(err)
					}
				}
				n += len(ins)
				b.StopTimer()
				db.DropSchema(ctx)
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkAppendPostgresWorkers stores the marketplace of the import
// figure in docs/SCALING.md (`fairmark simulate --seed 5 --sellers 1600
// --buyers 40000 --days 45 --complainers 100`, 224k events) into a fresh
// schema in batches of 50,000, by one worker and by two workers (each its
// own *store.DB, i.e. its own connections) appending the two halves of
// the log concurrently; reports the total events/s.
func BenchmarkAppendPostgresWorkers(b *testing.B) {
	url := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if url == "" {
		b.Skip("set FAIRMARK_TEST_POSTGRES to run")
	}
	ctx := context.Background()
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Sellers, cfg.Buyers, cfg.Days, cfg.Complainers = 5, 1600, 40000, 45, 100
	ins := store.SimIncoming(b, cfg)
	const batch = 50000
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", workers), func(b *testing.B) {
			n := 0
			for b.Loop() {
				b.StopTimer()
				var rb [6]byte
				rand.Read(rb[:])
				schema := "fm_bench_" + hex.EncodeToString(rb[:])
				dbs := make([]*store.DB, workers)
				for w := range dbs {
					var err error
					if dbs[w], err = store.OpenPostgres(ctx, url, schema); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				errs := make(chan error, workers)
				for w, db := range dbs {
					part := ins[w*len(ins)/workers : (w+1)*len(ins)/workers]
					go func() {
						for i := 0; i < len(part); i += batch {
							if _, err := db.Append(ctx, part[i:min(i+batch, len(part))]); err != nil {
								errs <- err
								return
							}
						}
						errs <- nil
					}()
				}
				for range dbs {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
				n += len(ins)
				b.StopTimer()
				if c, err := dbs[0].EventCount(ctx); err != nil || c != int64(len(ins)) {
					b.Fatalf("%d events stored (%v), want %d", c, err, len(ins))
				}
				dbs[0].DropSchema(ctx)
				for _, db := range dbs {
					db.Close()
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestEvidenceScopeKeysAfterRestart: the first append to an empty log
// creates its scopes' keys without looking them up; after a restart (a
// fresh key cache) an append finds the stored keys, so a scope keeps one
// key and its bundle holds the records of both.
func TestEvidenceScopeKeysAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	signer, err := evidence.LoadOrCreateKey(t.TempDir(), "fairmark.test/log")
	if err != nil {
		t.Fatal(err)
	}
	a := evidence.Scope{Type: evidence.ScopeConversation, ID: "c1"}
	b := evidence.Scope{Type: evidence.ScopeAccount, ID: "b1"}
	c := evidence.Scope{Type: evidence.ScopeAccount, ID: "b2"}
	appendTo := func(ref string, scopes ...evidence.Scope) {
		t.Helper()
		db, err := store.OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		log, err := evidence.Open(ctx, db.Evidence(), signer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := log.Append(ctx, evidence.Record{Kind: "message", Ref: ref, Scopes: scopes, At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Content: []byte(`{"text":"hi"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	appendTo("m1", a, b)
	appendTo("m2", a, c)
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := sql.Open("sqlite", store.SQLiteDSN(filepath.Join(dir, "fairmark.db"), true))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var keys, distinct int
	if err := r.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT type || ' ' || id) FROM evidence_scope_keys`).Scan(&keys, &distinct); err != nil {
		t.Fatal(err)
	}
	if keys != 3 || distinct != 3 {
		t.Errorf("scope keys: %d rows for %d scopes, want 3 for 3", keys, distinct)
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		t.Fatal(err)
	}
	for sc, want := range map[evidence.Scope]int{a: 2, b: 1, c: 1} {
		bundle, err := log.Bundle(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		if len(bundle.Records) != want {
			t.Errorf("bundle of %v: %d records, want %d", sc, len(bundle.Records), want)
		}
	}
}
