package eval_test

import (
	"math"
	"testing"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/eval"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/sim"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		scores []float64
		pos    []bool
		want   float64
	}{
		{[]float64{0.1, 0.9}, []bool{false, true}, 1},
		{[]float64{0.9, 0.1}, []bool{false, true}, 0},
		{[]float64{0.5, 0.5}, []bool{false, true}, 0.5},
		{[]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
	}
	for _, tt := range tests {
		if got := eval.AUC(tt.scores, tt.pos); math.Abs(got-tt.want) > 1e-12 {
			t.Fatalf("AUC(%v, %v): got %v, want %v", tt.scores, tt.pos, got, tt.want)
		}
	}
	if got := eval.AUC([]float64{1, 2}, []bool{true, true}); !math.IsNaN(got) {
		t.Fatalf("AUC with one class: got %v, want NaN", got)
	}
}

// TestTactics holds the engine, with the built-in rules, to the targets of
// the behavioural issue on every simulated tactic: recall ≥ 0.95, honest
// accounts flagged ≤ 0.1% (here: at most a few), ≥ 95% of extortion
// negatives held, ≤ 0.5% of honest negatives held, and median flag by the
// second extortion remark. Small marketplaces keep it quick; `fairmark eval`
// runs the same at any size.
func TestTactics(t *testing.T) {
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		t.Fatal(err)
	}
	for _, tactic := range sim.Tactics {
		t.Run(string(tactic), func(t *testing.T) {
			evs, labels, err := sim.Events(sim.Config{Seed: 42, Sellers: 150, Buyers: 3000, Days: 45, Complainers: 25, Tactic: tactic})
			if err != nil {
				t.Fatal(err)
			}
			replay.SortEvents(evs)
			en := engine.New(engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set)})
			replay.Run(en, evs)
			r := eval.Evaluate(en, labels)
			t.Logf("%s: recall %.3f precision %.3f FPR %.5f AUC %.3f remarks-to-flag %.1f hours-to-flag %.1f held %d/%d extortion, %d/%d honest",
				tactic, r.Recall, r.Precision, r.FPR, r.AUC, r.MedianRemarksToFlag, r.MedianHoursToFlag,
				r.ExtortionHeld, r.ExtortionNegatives, r.HonestHeld, r.HonestNegatives)
			if tactic == sim.Traps {
				if r.Positives != 0 {
					t.Fatalf("traps has %d extortionists, want none", r.Positives)
				}
				if r.FP > 1 {
					t.Fatalf("traps: %d honest accounts flagged (%v), want at most 1", r.FP, r.FalsePositives)
				}
			} else {
				if r.Recall < 0.95 {
					t.Fatalf("recall %.3f < 0.95; missed %v", r.Recall, r.Missed)
				}
				if r.MedianRemarksToFlag > 3 {
					t.Fatalf("median flag after %.1f extortion remarks, want ≤ 3", r.MedianRemarksToFlag)
				}
				if held := eval.HeldShare(r.ExtortionHeld, r.ExtortionNegatives); held < 0.95 {
					t.Fatalf("%.3f of extortion negatives held, want ≥ 0.95", held)
				}
			}
			if r.FP > 3 {
				t.Fatalf("%d honest accounts flagged (FPR %.5f): %v", r.FP, r.FPR, r.FalsePositives)
			}
			if held := eval.HeldShare(r.HonestHeld, r.HonestNegatives); held > 0.01 {
				t.Fatalf("%.4f of honest negatives held, want ≤ 0.01", held)
			}
		})
	}
}
