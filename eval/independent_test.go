package eval_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/eval"
	"github.com/fairmark/fairmark/eval/scenarios"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/scan"
)

var (
	scenarioSeed   = flag.Uint64("scenarios.seed", 7, "seed of the independent scenarios")
	scenarioBuyers = flag.Int("scenarios.buyers", 2000, "honest buyers per independent scenario")
)

var dumpScenarios = flag.String("scenarios.out", "", "write each independent scenario's events.ndjson and labels.csv under this directory (for `fairmark eval`)")

// runScenario feeds a generated scenario to the engine the way `fairmark
// eval` does: NDJSON through replay.Load, labels through eval.ReadLabels.
func runScenario(t *testing.T, sc scenarios.Scenario) (eval.Report, *engine.Engine, map[fairmark.AccountID]string) {
	t.Helper()
	evs, st, err := replay.Load(bytes.NewReader(sc.Events))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rejected) > 0 {
		t.Fatalf("%d events rejected, first: %v", len(st.Rejected), st.Rejected[0])
	}
	labels, err := eval.ReadLabels(bytes.NewReader(sc.Labels))
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		t.Fatal(err)
	}
	en := engine.New(engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set)})
	replay.Run(en, evs)
	return eval.Evaluate(en, labels), en, labels
}

func TestIndependentScenarios(t *testing.T) {
	for _, m := range scenarios.Markets {
		for _, tactic := range scenarios.Tactics {
			name := m.Name + "/" + string(tactic)
			t.Run(name, func(t *testing.T) {
				cfg := scenarios.Config{Seed: *scenarioSeed, Market: m, Tactic: tactic, Buyers: *scenarioBuyers, Sellers: 100 * *scenarioBuyers / 2000, Extortionists: 24, Days: 70}
				sc := scenarios.Generate(cfg)
				if *dumpScenarios != "" {
					dir := filepath.Join(*dumpScenarios, m.Name+"-"+string(tactic))
					if err := os.MkdirAll(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, "events.ndjson"), sc.Events, 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, "labels.csv"), sc.Labels, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				r, en, labels := runScenario(t, sc)
				if testing.Verbose() {
					logExtremes(t, en, labels)
				}
				ever := 0
				for id, l := range labels {
					if v, ok := en.Account(id); ok && l != eval.Positive && v.FirstFlaggedAt != nil {
						ever++
					}
				}
				byLabel := map[string]int{}
				for _, id := range r.FalsePositives {
					byLabel[labels[id]]++
				}
				t.Logf("%s: %d extortionists, %d honest; recall %.3f honest flagged %d (%s; ever %d) remarks-to-flag %.1f held %d/%d extortion, %d/%d honest; AUC %.3f",
					name, r.Positives, r.Negatives, r.Recall, r.FP, fmtCounts(byLabel), ever, r.MedianRemarksToFlag,
					r.ExtortionHeld, r.ExtortionNegatives, r.HonestHeld, r.HonestNegatives, r.AUC)
			})
		}
	}
}

func fmtCounts(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	s := ""
	for _, k := range ks {
		s += fmt.Sprintf("%s:%d ", k, m[k])
	}
	return s
}

// logExtremes logs the riskiest honest accounts and the least risky
// extortionists, to show the margin either side of the flag line.
func logExtremes(t *testing.T, en *engine.Engine, labels map[fairmark.AccountID]string) {
	type acc struct {
		id    fairmark.AccountID
		label string
		risk  float64
	}
	var honest, pos []acc
	for id, l := range labels {
		v, ok := en.Account(id)
		if !ok {
			continue
		}
		a := acc{id, l, v.Risk}
		if l == eval.Positive {
			pos = append(pos, a)
		} else {
			honest = append(honest, a)
		}
	}
	sort.Slice(honest, func(i, j int) bool { return honest[i].risk > honest[j].risk })
	sort.Slice(pos, func(i, j int) bool { return pos[i].risk < pos[j].risk })
	s := "riskiest honest:"
	for _, a := range honest[:min(5, len(honest))] {
		s += fmt.Sprintf(" %s(%s) %.3f", a.id, a.label, a.risk)
	}
	s += "; least risky extortionists:"
	for _, a := range pos[:min(5, len(pos))] {
		s += fmt.Sprintf(" %s %.3f", a.id, a.risk)
	}
	t.Log(s)
	for _, a := range pos {
		if v, _ := en.Account(a.id); !v.Flagged && os.Getenv("SCENARIO_MISSES") != "" {
			t.Logf("missed %s risk %.3f first flagged %v: %q", a.id, v.Risk, v.FirstFlaggedAt, v.Reasons)
		}
	}
}
