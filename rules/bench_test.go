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

// BenchmarkResolveName is the cost of five variable lookups as cel-go does
// them (the same name strings every time).
func BenchmarkResolveName(b *testing.B) {
	s, err := Default(engineVars)
	if err != nil {
		b.Fatal(err)
	}
	v := s.NewValues()
	names := []string{"negatives_7d", "risk", "consensus_agreement", "fast_negatives_30d", "is_new_account"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			v.ResolveName(n)
		}
	}
}
