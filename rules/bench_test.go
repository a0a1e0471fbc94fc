package rules

import "testing"

func benchmarkEval(b *testing.B, f feat) {
	s, err := Default(engineVars)
	if err != nil {
		b.Fatal(err)
	}
	v := fill(b, s, f)
	var hits []Hit
	b.ReportAllocs()
	for b.Loop() {
		hits, err = s.AppendEval(hits[:0], v)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Rules)), "rules")
}

// BenchmarkEvalDefaultHonest evaluates the default rules on an honest
// critic: nothing fires, the common case.
func BenchmarkEvalDefaultHonest(b *testing.B) { benchmarkEval(b, honestCritic) }

// BenchmarkEvalDefaultComplainer evaluates the default rules on a
// complainer: most rules fire and render their reasons.
func BenchmarkEvalDefaultComplainer(b *testing.B) { benchmarkEval(b, complainer) }
