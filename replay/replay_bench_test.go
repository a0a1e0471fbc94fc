package replay

import (
	"os"
	"syscall"
	"testing"
	"time"

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

// benchMarket simulates the marketplace cfg describes, in engine order,
// and loads the built-in rules.
func benchMarket(b *testing.B, cfg sim.Config) ([]*fairmark.Event, *rules.Set) {
	b.Helper()
	evs, _, err := sim.Events(cfg)
	if err != nil {
		b.Fatal(err)
	}
	SortEvents(evs)
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		b.Fatal(err)
	}
	return evs, set
}

// BenchmarkEngine applies a simulated marketplace (decoded in memory) with
// the detectors and the built-in rules: the engine's own speed, without
// reading or decoding. Reports events/s.
func BenchmarkEngine(b *testing.B) {
	evs, set := benchMarket(b, sim.Config{Seed: 9, Sellers: 1000, Buyers: 30000, Days: 30, Complainers: 100})
	b.ResetTimer()
	for b.Loop() {
		en := engine.New(engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set)})
		Run(en, append([]*fairmark.Event(nil), evs...))
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkApply is the single-threaded apply alone: a simulated
// marketplace of about 330k events, detectors run beforehand, applied with
// the built-in rules to a new engine each time. Reports events/s; its CPU
// per event is what bounds `fairmark replay` on the core that applies.
func BenchmarkApply(b *testing.B) {
	evs, set := benchMarket(b, sim.Config{Seed: 9, Sellers: 2000, Buyers: 60000, Days: 30, Complainers: 200})
	ps := make([]engine.Prepared, len(evs))
	for i, e := range evs {
		ps[i] = engine.Prepare(scan.Detector, e)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		en := engine.New(engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set), GraphEvery: graphEvery()})
		reserve(en, evs) // as Run does
		for _, p := range ps {
			en.Apply(p)
		}
	}
	b.StopTimer()
	events := float64(len(ps)) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	// CPU time (user and system, every thread: the garbage collector's
	// too) per event is steadier than wall time on a busy machine.
	b.ReportMetric(float64(cpuTime()-cpu0)/events, "cpu-ns/event")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// graphEvery is the engine's default batch period, or never with
// NOGRAPH=1 in the environment: to see what the weekly rating-graph batch
// costs.
func graphEvery() time.Duration {
	if os.Getenv("NOGRAPH") != "" {
		return -1
	}
	return 0
}
