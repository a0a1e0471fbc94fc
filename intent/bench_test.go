package intent

import (
	"strings"
	"testing"

	"github.com/fairmark/fairmark/intent/internal/feat"
)

// BenchmarkScore scores the held-out corpus round-robin; messages/s is the
// per-core throughput (run with -cpu 1).
func BenchmarkScore(b *testing.B) {
	ex := readCorpus(b, "testdata/test.jsonl")
	Score("") // load the model outside the timer
	bytes := 0
	for _, e := range ex {
		bytes += len(e.Text)
	}
	b.SetBytes(int64(bytes / len(ex)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Score(ex[i%len(ex)].Text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkLoad decodes the embedded model, as package initialisation does
// on first use; model-bytes is the embedded size.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var m feat.Model
		if err := m.UnmarshalBinary(modelBytes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(modelBytes)), "model-bytes")
}

// BenchmarkScoreAdversarial scores a 12 KB message dense with negators,
// money words, conditions and report frames: the analysis must stay
// roughly linear in the text length.
func BenchmarkScoreAdversarial(b *testing.B) {
	s := strings.Repeat("不钱就他说1 ", 1000)
	b.SetBytes(int64(len(s)))
	for i := 0; i < b.N; i++ {
		Score(s)
	}
}
