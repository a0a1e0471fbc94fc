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

// BenchmarkEvalDefaultComplainerRefill refills one Values before each
// evaluation, as the engine does per event, cycling through three
// complainers whose every value differs: 7 to 9 rules fire, and no rule
// renders the same reason twice in a row (so none is reused).
func BenchmarkEvalDefaultComplainerRefill(b *testing.B) {
	s, err := Default(engineVars)
	if err != nil {
		b.Fatal(err)
	}
	v := s.NewValues()
	var setters [3][]func()
	for k := range setters {
		for _, d := range engineVars {
			i, x := v.Index(d.Name), complainer[d.Name]
			switch d.Type {
			case Int:
				// Outside the 0..255 that Go boxes without allocating.
				c, _ := x.(int)
				n := int64(c + 300*k)
				setters[k] = append(setters[k], func() { v.SetInt(i, n) })
			case Double:
				y, _ := x.(float64)
				y += 0.01 * float64(k)
				setters[k] = append(setters[k], func() { v.SetDouble(i, y) })
			case Bool:
				y, _ := x.(bool)
				setters[k] = append(setters[k], func() { v.SetBool(i, y) })
			}
		}
	}
	var hits []Hit
	fired := 0
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		k = (k + 1) % 3
		for _, set := range setters[k] {
			set()
		}
		hits, err = s.AppendEval(hits[:0], v)
		if err != nil || len(hits) < 7 {
			b.Fatalf("got %d hits, %v, want at least 7", len(hits), err)
		}
		fired += len(hits)
	}
	b.ReportMetric(float64(fired)/float64(b.N), "hits/op")
}
