package main

// Two workers on one PostgreSQL database, one killed with SIGKILL in the
// middle of ingestion (issue 10): every event is stored once, the
// survivor takes over the dead worker's partitions, and the decisions
// stored, the accounts served and the reports acted on are those of one
// engine over the whole stream.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/store"
)

// startWorker starts `fairmark serve --postgres` as worker id.
func startWorker(t *testing.T, bin, data, pg, id string) *server {
	t.Helper()
	return startServerArgs(t, bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--postgres", pg,
		"--worker", id, "--partitions", "8", "--lease-ttl", "1500ms", "--log-level", "warn")
}

// freshDatabase creates a database of its own on the server that
// FAIRMARK_TEST_POSTGRES names, dropped when the test ends.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set FAIRMARK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run them")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "fm_workers_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestWorkersKillOne(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fairmark binary and SIGKILLs a worker; skipped under -short")
	}
	pg := freshDatabase(t)
	ctx := context.Background()
	bin, tmp := buildFairmark(t)
	evFile := filepath.Join(tmp, "events.ndjson")
	mustRun(t, "", "simulate", "--out", evFile, "--seed", "17", "--sellers", "30", "--buyers", "700",
		"--days", "21", "--complainers", "6")
	lines := strings.Split(strings.TrimSpace(mustRead(t, evFile)), "\n")

	// The reference: one engine, with serve's configuration, over the
	// stream in engine order.
	var evs []*fairmark.Event
	var reports []fairmark.ReportID
	convs := map[fairmark.ConversationID]int{} // messages per conversation
	for _, l := range lines {
		e, err := event.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
		if e.Report != nil {
			reports = append(reports, e.Report.ID)
		}
		if e.Message != nil {
			convs[e.Message.Conversation]++
		}
	}
	nEvents := len(evs)
	cfg, err := (&Main{}).engineConfig("")
	if err != nil {
		t.Fatal(err)
	}
	var want []engine.Decision
	cfg.OnDecision = func(d engine.Decision) { want = append(want, d) }
	ref := engine.New(cfg)
	replay.SortEvents(evs)
	replay.Run(ref, evs)
	wantKeys := servicetest.DecisionKeys(want)
	flagged := ref.Flagged()
	if len(flagged) == 0 || len(reports) == 0 {
		t.Fatalf("the marketplace has %d flagged accounts and %d reports: the test would prove nothing", len(flagged), len(reports))
	}

	data := filepath.Join(tmp, "data") // shared: the evidence key
	a := startWorker(t, bin, data, pg, "a")
	b := startWorker(t, bin, data, pg, "b")
	db, err := store.OpenPostgres(ctx, pg, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitUntil(t, 30*time.Second, "the two workers to share the partitions", func() bool {
		return leaseOwners(t, db)["a"] == 4 && leaseOwners(t, db)["b"] == 4
	})

	// Batches go to a and b in turn, each sent after the last was
	// answered (the stream stays in time order). b is killed while a
	// batch is in flight; the sender gets no answer and sends it to a.
	const batchSize = 40
	client := &http.Client{Timeout: 30 * time.Second}
	var killed atomic.Bool
	killAt := len(lines) / batchSize / 3
	sent, resent := 0, 0
	for i, n := 0, 0; i < len(lines); i, n = i+batchSize, n+1 {
		batch := lines[i:min(i+batchSize, len(lines))]
		to := a
		if n%2 == 1 && !killed.Load() {
			to = b
		}
		killing := to == b && n >= killAt
		if killing {
			go func() {
				time.Sleep(3 * time.Millisecond)
				b.kill(t)
				killed.Store(true)
			}()
		}
		_, status, err := post(client, to.url, batch)
		if err != nil && killing {
			for !killed.Load() {
				time.Sleep(time.Millisecond)
			}
			resent++
			_, status, err = post(client, a.url, batch)
		}
		if err != nil {
			t.Fatalf("batch %d: status %d: %v\na's log:\n%s", n, status, err, a.stderr())
		}
		sent++
		if killing {
			for !killed.Load() {
				time.Sleep(time.Millisecond)
			}
		}
	}
	if !killed.Load() {
		t.Fatal("b was never killed")
	}

	waitUntil(t, 60*time.Second, "a to take over every partition, store every decision and act on every report", func() bool {
		if leaseOwners(t, db)["a"] != 8 {
			return false
		}
		ds, err := db.Decisions(ctx, store.DecisionFilter{Limit: 1 << 20})
		if err != nil || len(ds) < len(wantKeys) {
			return false
		}
		for _, id := range reports {
			if ok, err := db.HasTrigger(ctx, "report:"+string(id)); err != nil || !ok {
				return false
			}
		}
		return true
	})
	if n, err := db.EventCount(ctx); err != nil || n != int64(nEvents) {
		t.Fatalf("%d events stored (%v), want %d, each once", n, err, nEvents)
	}
	ds, err := db.Decisions(ctx, store.DecisionFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Key)
	}
	sort.Strings(got)
	if !slices.Equal(got, wantKeys) {
		t.Fatalf("stored decisions differ from one engine's: %d stored, %d by the reference", len(got), len(wantKeys))
	}
	// The survivor serves the reference's view of every flagged account
	// and of as many others.
	checked := 0
	for _, id := range append(flagged, ref.AccountIDs()[:len(flagged)]...) {
		want, _ := ref.Account(id)
		var got struct {
			Flagged bool    `json:"flagged"`
			Risk    float64 `json:"risk"`
		}
		getJSON(t, client, a.url+"/v1/accounts/"+url.PathEscape(string(id)), &got)
		if got.Flagged != want.Flagged || fmt.Sprintf("%.6f", got.Risk) != fmt.Sprintf("%.6f", want.Risk) {
			t.Fatalf("account %s: survivor says flagged %v risk %.6f, one engine %v %.6f", id, got.Flagged, got.Risk, want.Flagged, want.Risk)
		}
		checked++
	}
	// Both workers wrote the one evidence log: a bundle of the busiest
	// conversation holds every message of it and verifies offline.
	var conv fairmark.ConversationID
	for c, n := range convs {
		if n > convs[conv] || (n == convs[conv] && c < conv) {
			conv = c
		}
	}
	bundle := filepath.Join(tmp, "conv.bundle")
	mustRun(t, "", "evidence", "export", "--data", data, "--postgres", pg, "--conversation", string(conv), "--out", bundle)
	v := mustRun(t, "", "verify", bundle)
	if want := fmt.Sprintf("ok: %d records, checkpoint ", convs[conv]); !strings.HasPrefix(v.stdout, want) {
		t.Fatalf("verify: %q, want it to start %q", v.stdout, want)
	}
	t.Logf("%d events in %d batches (%d re-sent after the kill), %d decisions, %d reports, %d accounts checked, conversation %s: %d messages verified", nEvents, sent, resent, len(got), len(reports), checked, conv, convs[conv])
	a.stop(t)
	if owners := leaseOwners(t, db); owners["a"] != 0 {
		t.Fatalf("a stopped cleanly but still holds %d partitions", owners["a"])
	}
}

func leaseOwners(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	ls, err := db.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	out := map[string]int{}
	for _, l := range ls {
		if l.Owner != "" && l.Expires.After(now) {
			out[l.Owner]++
		}
	}
	return out
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getJSON(t *testing.T, client *http.Client, u string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
