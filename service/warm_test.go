package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
)

// warmInput is a small simulated marketplace, in engine order, as store
// input, with about one event in 20 repeated (right after itself or a few
// batches later, as a file with duplicates would have it).
func warmInput(t *testing.T) []store.Incoming {
	t.Helper()
	evs := simulate(t, sim.Config{Seed: 3, Sellers: 20, Buyers: 300, Days: 14, Complainers: 5})
	replay.SortEvents(evs)
	rng := rand.New(rand.NewPCG(5, 7))
	var ins []store.Incoming
	for _, in := range incoming(t, evs) {
		ins = append(ins, in)
		if rng.IntN(20) == 0 {
			ins = append(ins, ins[max(0, len(ins)-1-rng.IntN(300))])
		}
	}
	return ins
}

// importedState is what an import leaves in the store once the service
// has opened on it: decisions, the evidence log's records and the cases.
type importedState struct {
	decisions []string
	evidence  []string
	cases     []string
	applied   int64
}

// importAndOpen imports ins into a fresh embedded store the way `fairmark
// import` does (one transaction, batches of batch) with or without a
// Warm, opens the service on it and returns what is stored, and whether
// Open took the Warm. pre, when not empty, is stored first (an import into
// a store that holds data).
func importAndOpen(t *testing.T, ins, pre []store.Incoming, batch int, warm bool) (importedState, bool) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(pre) > 0 {
		if _, err := db.Append(ctx, pre); err != nil {
			t.Fatal(err)
		}
	}
	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	opt := service.Options{DB: db, Config: engine.Config{Detect: scan.Detector}, Now: func() time.Time { return clock }}
	var w *service.Warm
	if warm {
		w = service.NewWarm(opt)
	}
	im, err := db.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(ins); lo += batch {
		part := ins[lo:min(lo+batch, len(ins))]
		isNew, err := im.Append(ctx, part)
		if err != nil {
			t.Fatal(err)
		}
		if w != nil {
			w.Add(part, isNew, im.Received())
		}
	}
	if err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	log := servicetest.EvidenceLog(t, db)
	opt.Evidence, opt.Warm = log, w
	svc, err := service.Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	var st importedState
	st.applied = svc.Stats().Applied
	ds, err := db.Decisions(ctx, store.DecisionFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		st.decisions = append(st.decisions, fmt.Sprintf("%s %s %s %s %s %s %s %s", d.Key, d.Kind, d.At.Format(time.RFC3339Nano), d.Event, d.Account, d.Seller, d.Feedback, d.Body))
	}
	slices.Sort(st.decisions)
	for i := range log.Size() {
		r, err := db.Evidence().Record(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		// Everything but the time it was logged (the wall clock).
		st.evidence = append(st.evidence, fmt.Sprintf("%d %s %s %v %s %x %s", r.Index, r.Kind, r.Ref, r.Scopes, r.At.Format(time.RFC3339Nano), r.ContentSHA256, r.Content))
	}
	cs, err := db.Cases(ctx, store.CaseFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.CaseEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		be, err := json.Marshal(evs)
		if err != nil {
			t.Fatal(err)
		}
		st.cases = append(st.cases, string(b)+" "+string(be))
	}
	return st, w != nil && w.Adopted()
}

func sameState(t *testing.T, got, want importedState) {
	t.Helper()
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"decisions", got.decisions, want.decisions}, {"evidence records", got.evidence, want.evidence}, {"cases", got.cases, want.cases}} {
		if len(c.got) != len(c.want) {
			t.Errorf("%s: got %d, want %d", c.what, len(c.got), len(c.want))
			continue
		}
		for i := range c.got {
			if c.got[i] != c.want[i] {
				t.Errorf("%s: #%d differs:\ngot:  %.300s\nwant: %.300s", c.what, i, c.got[i], c.want[i])
				break
			}
		}
	}
	if got.applied != want.applied {
		t.Errorf("engine applied %d events, want %d", got.applied, want.applied)
	}
}

// TestWarmImportStoresTheSame: an import that runs the engine while it
// stores the events (Warm) leaves the same decisions, evidence records and
// cases as one whose service rebuilds the engine from the stored log.
func TestWarmImportStoresTheSame(t *testing.T) {
	ins := warmInput(t)
	want, _ := importAndOpen(t, ins, nil, 97, false)
	// The comparison means something only if the marketplace raised all
	// three.
	var holds, messages, reports, caseEvents int
	for _, d := range want.decisions {
		var k string
		fmt.Sscanf(d, "%s %s", new(string), &k)
		if k == string(engine.HoldFeedback) {
			holds++
		}
	}
	for _, r := range want.evidence {
		var kind string
		fmt.Sscanf(r, "%d %s", new(int), &kind)
		switch kind {
		case "message":
			messages++
		case "report":
			reports++
		case "case_event":
			caseEvents++
		}
	}
	if holds == 0 || messages == 0 || reports == 0 || caseEvents == 0 || len(want.cases) == 0 {
		t.Fatalf("the marketplace is too quiet to compare: %d decisions (%d holds), %d messages, %d reports, %d case events logged, %d cases",
			len(want.decisions), holds, messages, reports, caseEvents, len(want.cases))
	}
	t.Logf("%d decisions (%d holds), %d evidence records (%d messages, %d reports, %d case events), %d cases",
		len(want.decisions), holds, len(want.evidence), messages, reports, caseEvents, len(want.cases))
	for _, batch := range []int{1, 97, len(ins)} {
		got, adopted := importAndOpen(t, ins, nil, batch, true)
		if !adopted {
			t.Errorf("batches of %d: Open rebuilt the engine instead of taking the warm one", batch)
		}
		sameState(t, got, want)
	}
}

// TestWarmFallsBack: when the events are not in engine order, or the store
// held events before the import, Open does not take the Warm's engine and
// rebuilds from the log, storing the same as without a Warm.
func TestWarmFallsBack(t *testing.T) {
	ins := warmInput(t)
	t.Run("out of order", func(t *testing.T) {
		shuffled := slices.Clone(ins)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range shuffled {
			if j := i + rng.IntN(30); j < len(shuffled) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			}
		}
		want, _ := importAndOpen(t, shuffled, nil, 97, false)
		got, adopted := importAndOpen(t, shuffled, nil, 97, true)
		if adopted {
			t.Error("Open took a warm engine that saw events out of engine order")
		}
		sameState(t, got, want)
	})
	t.Run("store held events", func(t *testing.T) {
		// The first events are in the store already; the import brings the
		// rest (and the first again, as duplicates).
		pre := ins[:200]
		want, _ := importAndOpen(t, ins, pre, 97, false)
		got, adopted := importAndOpen(t, ins, pre, 97, true)
		if adopted {
			t.Error("Open took a warm engine that saw only part of the stored events")
		}
		sameState(t, got, want)
	})
}

// TestCatchUpLogsCaseEventsOnce: the cases Open opens from a stored log
// (an import's) have each of their events in the evidence log exactly
// once, with the event as content, in the order they were decided (by
// case, then sequence, as the triggers came), after the messages and
// reports.
func TestCatchUpLogsCaseEventsOnce(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Append(ctx, warmInput(t)); err != nil {
		t.Fatal(err)
	}
	log := servicetest.EvidenceLog(t, db)
	svc, err := service.Open(ctx, service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := svc.Cases(ctx, store.CaseFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // ref → content
	for _, c := range cs {
		evs, err := db.CaseEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprintf("%s/%d", e.Case, e.Seq)] = string(b)
		}
	}
	if len(want) == 0 {
		t.Fatal("no case events: nothing to check")
	}
	seen := map[string]bool{}
	lastSeq := map[string]int{}
	inCases := false
	for i := range log.Size() {
		r, err := db.Evidence().Record(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != "case_event" {
			if inCases {
				t.Fatalf("record %d (%s) after case events: want the case events last", i, r.Kind)
			}
			continue
		}
		inCases = true
		if seen[r.Ref] {
			t.Fatalf("case event %s logged twice", r.Ref)
		}
		seen[r.Ref] = true
		if string(r.Content) != want[r.Ref] {
			t.Fatalf("case event %s: content %s, want %s", r.Ref, r.Content, want[r.Ref])
		}
		var id string
		var seq int
		if _, err := fmt.Sscanf(strings.Replace(r.Ref, "/", " ", 1), "%s %d", &id, &seq); err != nil {
			t.Fatal(err)
		}
		if seq != lastSeq[id]+1 {
			t.Fatalf("case %s: event %d logged after event %d", id, seq, lastSeq[id])
		}
		lastSeq[id] = seq
	}
	if len(seen) != len(want) {
		t.Fatalf("%d case events logged, want %d", len(seen), len(want))
	}
}
