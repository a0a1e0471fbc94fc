package graph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// riskByID maps Compute's name-sorted scores back to node ids.
func riskByID(t *testing.T, g *Graph, opt Options) []float64 {
	t.Helper()
	scores, err := Compute(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	idx := make(map[string]int, len(scores))
	for i, s := range scores {
		idx[s.Node] = i
	}
	risk := make([]float64, g.NumNodes())
	for u := range risk {
		risk[u] = scores[idx[g.Name(int32(u))]].Risk
	}
	return risk
}

// meanGiven is the "mean rating given" baseline: risk = -mean.
func meanGiven(g *Graph) []float64 {
	out := make([]float64, g.NumNodes())
	for u := range out {
		s, e := g.outStart[u], g.outStart[u+1]
		var sum float64
		for j := s; j < e; j++ {
			sum += float64(g.outRating[j])
		}
		if e > s {
			out[u] = -sum / float64(e-s)
		}
	}
	return out
}

// Figures the issue author measured with a reference REV2 and the
// mean-rating baseline; fairmark must beat them as well as our own runs.
var issueBaselines = map[bool]map[string]float64{
	false: {"REV2 (issue)": 0.763, "mean rating (issue)": 0.646},
	true:  {"REV2 (issue)": 0.639, "mean rating (issue)": 0.653},
}

// TestAlphaEvaluation reports ROC-AUC and average precision of risk for
// labelled Bitcoin-Alpha users with at least one outgoing rating, under the
// standard protocol (whole graph) and the strict one (every rating received
// by a labelled user removed first, since the labels derive from those).
func TestAlphaEvaluation(t *testing.T) {
	d := loadAlpha(t)
	for _, strict := range []bool{false, true} {
		name := map[bool]string{false: "standard", true: "strict"}[strict]
		t.Run(name, func(t *testing.T) {
			g := mustRead(t, d.network(strict))
			methods := []struct {
				name string
				risk []float64
			}{
				{"fairmark", riskByID(t, g, Options{})},
				{"rev2 (ours, alpha=beta=0)", riskByID(t, g, Options{Algo: AlgoREV2})},
				{"mean rating given", meanGiven(g)},
			}
			auc := map[string]float64{}
			for _, m := range methods {
				s, l := evalSet(g, d.labels, func(u int32) float64 { return m.risk[u] })
				var nf int
				for _, f := range l {
					if f {
						nf++
					}
				}
				auc[m.name] = rocAUC(s, l)
				t.Logf("%s %-26s users=%d fraud=%d  AUC %.3f  AP %.3f", name, m.name, len(s), nf, auc[m.name], averagePrecision(s, l))
			}
			for k, v := range issueBaselines[strict] {
				auc[k] = v
			}
			for k, v := range auc {
				if k != "fairmark" && auc["fairmark"] <= v {
					t.Errorf("fairmark AUC %.3f does not beat %s %.3f", auc["fairmark"], k, v)
				}
			}
		})
	}
}

// injectComplainers appends k synthetic complainers to the Alpha lines:
// each gives 3-5 ratings of -8..-10 to well-rated users (mean received
// rating >= +1 of 10, >= 10 ratings) within 7 days of its first
// activity; every other one also gives camouflage: 3-6 positive ratings to
// popular users, one within the attack week and the rest spread over the
// following 60 days (a clean-looking history built after the attack).
func injectComplainers(t *testing.T, lines []string, k int, seed uint64) (string, []string) {
	g := mustRead(t, strings.Join(lines, "\n"))
	var victims, popular []string
	for v := 0; v < g.NumNodes(); v++ {
		s, e := g.inStart[v], g.inStart[v+1]
		var sum float64
		for j := s; j < e; j++ {
			sum += float64(g.inRating[j])
		}
		if e-s >= 10 && sum/float64(e-s) >= 0.1 { // Alpha ratings are mostly +1..+3 of 10
			victims = append(victims, g.Name(int32(v)))
		}
		if e-s >= 30 {
			popular = append(popular, g.Name(int32(v)))
		}
	}
	slices.SortFunc(victims, nodeLess)
	slices.SortFunc(popular, nodeLess)
	tmin := g.minTime
	var tmax float64
	for _, x := range g.outTime {
		tmax = max(tmax, float64(x)+tmin)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString(strings.Join(lines, "\n"))
	b.WriteByte('\n')
	var names []string
	day := 86400.0
	for i := 0; i < k; i++ {
		name := fmt.Sprintf("inj%d", i)
		names = append(names, name)
		t0 := tmin + 60*day + r.Float64()*(tmax-tmin-70*day)
		if i%2 == 1 {
			for j, m := 0, 3+r.IntN(4); j < m; j++ {
				dt := r.Float64() * 60 * day
				if j == 0 {
					dt = r.Float64() * 7 * day
				}
				fmt.Fprintf(&b, "%s,%s,%d,%.0f\n", name, popular[r.IntN(len(popular))], 1+r.IntN(3), t0+dt)
			}
		}
		for j, m := 0, 3+r.IntN(3); j < m; j++ {
			fmt.Fprintf(&b, "%s,%s,%d,%.0f\n", name, victims[r.IntN(len(victims))], -8-r.IntN(3), t0+r.Float64()*7*day)
		}
	}
	return b.String(), names
}

// recallAtFPR returns the share of injected nodes whose risk exceeds the
// (1-fpr) quantile of the risk of real raters (nodes with an outgoing
// rating that were not injected).
func recallAtFPR(g *Graph, risk []float64, injected map[string]bool, fpr float64) (recall, threshold float64) {
	var real []float64
	for u := 0; u < g.NumNodes(); u++ {
		if g.OutDegree(int32(u)) > 0 && !injected[g.Name(int32(u))] {
			real = append(real, risk[u])
		}
	}
	slices.Sort(real)
	threshold = real[min(len(real)-1, int(float64(len(real))*(1-fpr)))]
	var hit int
	for name := range injected {
		if risk[slices.Index(g.names, name)] > threshold {
			hit++
		}
	}
	return float64(hit) / float64(len(injected)), threshold
}

// TestAlphaInjection plants synthetic complainers in the real Alpha graph
// and checks that fairmark ranks them above 99% of real raters.
func TestAlphaInjection(t *testing.T) {
	d := loadAlpha(t)
	in, names := injectComplainers(t, d.lines, 60, 1)
	g := mustRead(t, in)
	injected := map[string]bool{}
	for _, n := range names {
		injected[n] = true
	}
	recalls := map[string]float64{}
	for _, m := range []struct {
		name string
		opt  Options
	}{{"fairmark", Options{}}, {"rev2", Options{Algo: AlgoREV2}}} {
		risk := riskByID(t, g, m.opt)
		rec, thr := recallAtFPR(g, risk, injected, 0.01)
		recalls[m.name] = rec
		var plain, camo int
		for i, name := range names {
			if risk[slices.Index(g.names, name)] > thr {
				if i%2 == 1 {
					camo++
				} else {
					plain++
				}
			}
		}
		t.Logf("%-8s recall at 1%% FPR %.3f (plain %d/%d, camouflaged %d/%d; threshold risk %.3f)",
			m.name, rec, plain, (len(names)+1)/2, camo, len(names)/2, thr)
	}
	const floor = 0.65 // measured 0.733 with seed 1; see docs/GRAPH.md
	if recalls["fairmark"] < floor {
		t.Errorf("fairmark recall at 1%% FPR %.3f, want >= %.2f", recalls["fairmark"], floor)
	}
	if recalls["fairmark"] <= recalls["rev2"] {
		t.Errorf("fairmark recall %.3f does not beat plain REV2 %.3f", recalls["fairmark"], recalls["rev2"])
	}
}
