package sim

import (
	"bytes"
	"testing"
)

// countWriter counts lines and discards them.
type countWriter struct{ lines, bytes int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte{'\n'})
	w.bytes += len(p)
	return len(p), nil
}

func benchGenerate(b *testing.B, cfg Config) {
	b.ReportAllocs()
	var events, size int
	for b.Loop() {
		var w countWriter
		if _, err := Generate(cfg, &w); err != nil {
			b.Fatal(err)
		}
		events, size = w.lines, w.bytes
	}
	b.ReportMetric(float64(events), "events/op")
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.SetBytes(int64(size))
}

// BenchmarkGenerateDefault is the CLI's default marketplace (~20k events).
func BenchmarkGenerateDefault(b *testing.B) { benchGenerate(b, DefaultConfig()) }

// BenchmarkGenerateLarge is the scale target: about a million events
// (5,000 sellers, 150,000 buyers, 60 days). Run with -benchtime=1x.
func BenchmarkGenerateLarge(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Sellers, cfg.Buyers, cfg.Days = 5000, 150000, 60
	benchGenerate(b, cfg)
}

// BenchmarkEventsDefault builds the default marketplace in memory (demo).
func BenchmarkEventsDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Events(DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
