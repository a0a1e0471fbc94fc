package replay

import (
	"os"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/sim"
)

// BenchmarkReplayFile replays the events file named by FAIRMARK_BENCH_EVENTS
// (make one with `fairmark simulate`), reporting events/s.
func BenchmarkReplayFile(b *testing.B) {
	path := os.Getenv("FAIRMARK_BENCH_EVENTS")
	if path == "" {
		b.Skip("set FAIRMARK_BENCH_EVENTS to an events file (fairmark simulate --out FILE)")
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		evs, _, err := Load(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		en := engine.New(engine.Config{Detect: scan.Detector})
		Run(en, evs)
		_ = evs
	}
}

// BenchmarkReplayPipeline runs Replay on the events file named by
// FAIRMARK_BENCH_EVENTS without applying the events: reading, decoding,
// deduplication and the detectors, what runs beside the engine's apply.
// Compare CPU time (user+sys of the test binary) rather than ns/op on a
// loaded machine.
func BenchmarkReplayPipeline(b *testing.B) {
	path := os.Getenv("FAIRMARK_BENCH_EVENTS")
	if path == "" {
		b.Skip("set FAIRMARK_BENCH_EVENTS to an events file (fairmark simulate --out FILE)")
	}
	applied := 0
	defer func(apply func(*engine.Engine, engine.Prepared)) { applyPrepared = apply }(applyPrepared)
	applyPrepared = func(*engine.Engine, engine.Prepared) { applied++ }
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_, st, err := Replay(f, engine.Config{Detect: scan.Detector})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if applied != st.Events {
			b.Fatalf("applied %d of %d events (out of order?)", applied, st.Events)
		}
		applied = 0
	}
}

// BenchmarkEngine applies a simulated marketplace (decoded in memory) with
// the detectors and the built-in rules: the engine's own speed, without
// reading or decoding. Reports events/s.
func BenchmarkEngine(b *testing.B) {
	evs, _, err := sim.Events(sim.Config{Seed: 9, Sellers: 1000, Buyers: 30000, Days: 30, Complainers: 100})
	if err != nil {
		b.Fatal(err)
	}
	SortEvents(evs)
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		en := engine.New(engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set)})
		Run(en, append([]*fairmark.Event(nil), evs...))
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
