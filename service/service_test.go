package service_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/sim"
)

// TestOutOfOrderAndDuplicates is the property the engine promises: events
// that arrive out of order, more than once, in batches of any size, give
// the same end state as the ordered, deduplicated stream.
func TestOutOfOrderAndDuplicates(t *testing.T) {
	evs := simulate(t, sim.Config{Seed: 11, Sellers: 12, Buyers: 120, Days: 10, Complainers: 3})
	ordered := engine.New(engine.Config{Detect: scan.Detector})
	sorted := append([]*fairmark.Event(nil), evs...)
	replay.SortEvents(sorted)
	replay.Run(ordered, sorted)
	want := servicetest.CSVs(t, ordered)

	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 99))
		// Shuffle locally (late by up to 40 positions) and duplicate 10%.
		stream := append([]*fairmark.Event(nil), evs...)
		for i := range stream {
			j := i + rng.IntN(40)
			if j < len(stream) {
				stream[i], stream[j] = stream[j], stream[i]
			}
		}
		var withDups []*fairmark.Event
		for _, e := range stream {
			withDups = append(withDups, e)
			if rng.IntN(10) == 0 {
				withDups = append(withDups, e)
			}
		}
		svc := servicetest.Open(t)
		for i := 0; i < len(withDups); {
			n := 1 + rng.IntN(200)
			var raws [][]byte
			for _, e := range withDups[i:min(i+n, len(withDups))] {
				raw, err := event.Encode(e)
				if err != nil {
					t.Fatal(err)
				}
				raws = append(raws, raw)
			}
			if _, err := svc.Ingest(context.Background(), raws); err != nil {
				t.Fatal(err)
			}
			i += n
		}
		got := service.Snapshot(svc, func(en *engine.Engine) string { return servicetest.CSVs(t, en) })
		if got != want {
			t.Fatalf("seed %d: end state differs from the ordered stream:\n%s", seed, servicetest.FirstDiff(got, want))
		}
		st := svc.Stats()
		if st.Applied != int64(len(evs)) {
			t.Fatalf("seed %d: engine applied %d events, want %d unique", seed, st.Applied, len(evs))
		}
		if st.Rebuilds < 2 { // one at open, at least one for a late event
			t.Fatalf("seed %d: %d rebuilds: the shuffled stream never exercised a late event", seed, st.Rebuilds)
		}
		t.Logf("seed %d: %d events in %d deliveries, %d rebuilds", seed, len(evs), len(withDups), st.Rebuilds)
	}
}

func TestIngestRejectsAndKeepsValid(t *testing.T) {
	svc := servicetest.Open(t)
	raws := [][]byte{
		[]byte(`{"id":"e1","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s9","role":"seller"}}`),
		[]byte(`{"id":"e2","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"f1","order":"o1","buyer":"b1","seller":"s9","rating":"awful"}}`),
		[]byte(`{"id":"e3","type":"account.opened","at":"2026-03-01T09:00:00Z","account":{"id":"b1","role":"buyer"}}`),
		[]byte(`{"id":"e1","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s9","role":"seller"}}`),
	}
	res, err := svc.Ingest(context.Background(), raws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Duplicates != 1 || len(res.Rejected) != 1 {
		t.Fatalf("got %+v, want 2 accepted, 1 duplicate, 1 rejected", res)
	}
	if r := res.Rejected[0]; r.Index != 1 || r.ID != "e2" || !bytes.Contains([]byte(r.Error), []byte("feedback.rating")) {
		t.Fatalf("rejected: got %+v, want index 1, id e2, an error naming feedback.rating", r)
	}
	if _, err := svc.Account("b1"); err != nil {
		t.Fatalf("account b1: %v", err)
	}
	if _, err := svc.Account("nobody"); fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
		t.Fatalf("unknown account: got %v, want not_found", err)
	}
}

func TestLogRuleSetOncePerChange(t *testing.T) {
	ctx := context.Background()
	svc := servicetest.Open(t)
	for _, h := range []string{"sha256:a", "sha256:a", "sha256:b", "sha256:b", "sha256:a"} {
		if err := svc.LogRuleSet(ctx, h, "v", []byte("version = \"v\"\n")); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := svc.DB().Evidence().RecordsByKind(ctx, "rule_change")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range recs {
		refs = append(refs, r.Ref)
	}
	if got, want := fmt.Sprint(refs), "[sha256:a sha256:b sha256:a]"; got != want {
		t.Fatalf("rule_change records: got %s, want %s", got, want)
	}
}

// TestSameTimeLowerIDIsLate: engine order is time, then id, so an event at
// the same time as the last applied one but with a smaller id is late too.
func TestSameTimeLowerIDIsLate(t *testing.T) {
	ctx := context.Background()
	svc := servicetest.Open(t)
	at := `"at":"2026-03-01T08:00:00Z"`
	for _, raw := range []string{
		`{"id":"e2","type":"account.opened",` + at + `,"account":{"id":"b2","role":"buyer"}}`,
		`{"id":"e1","type":"account.opened",` + at + `,"account":{"id":"b1","role":"buyer"}}`,
	} {
		if _, err := svc.Ingest(ctx, [][]byte{[]byte(raw)}); err != nil {
			t.Fatal(err)
		}
	}
	before := svc.Stats().Rebuilds
	if err := svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := svc.Stats().Rebuilds; got != before+1 {
		t.Fatalf("rebuilds after Settle: got %d, want %d (e1 sorts before e2 and arrived late)", got, before+1)
	}
	if _, err := svc.Account("b1"); err != nil {
		t.Fatalf("b1: %v", err)
	}
}
