package replay

import (
	"os"
	"testing"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/scan"
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
		b.ReportMetric(float64(len(evs))/b.Elapsed().Seconds()*float64(b.N), "events/s")
	}
}
