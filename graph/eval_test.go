package graph

import (
	"bufio"
	"bytes"
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// alphaDir returns the Bitcoin-Alpha folder (env FAIRMARK_DATA, else the
// shared data folder next to the repository) or skips the test.
func alphaDir(tb testing.TB) string {
	tb.Helper()
	dirs := []string{}
	if d := os.Getenv("FAIRMARK_DATA"); d != "" {
		dirs = append(dirs, d, filepath.Join(d, "bitcoin-alpha"))
	}
	dirs = append(dirs, filepath.Join("..", "..", "shared", "data", "bitcoin-alpha"))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "alpha_network.csv")); err == nil {
			return d
		}
	}
	tb.Skipf("Bitcoin-Alpha data not found (tried %v); set FAIRMARK_DATA to the folder holding alpha_network.csv and alpha_gt.csv", dirs)
	return ""
}

// alphaData is the raw Alpha network (lines) and labels (true = fraudulent).
type alphaData struct {
	lines  []string
	labels map[string]bool
}

func loadAlpha(tb testing.TB) *alphaData {
	tb.Helper()
	dir := alphaDir(tb)
	net, err := os.ReadFile(filepath.Join(dir, "alpha_network.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	gt, err := os.ReadFile(filepath.Join(dir, "alpha_gt.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	d := &alphaData{labels: map[string]bool{}}
	for _, l := range strings.Split(string(net), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			d.lines = append(d.lines, l)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(gt))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(f) != 2 {
			continue
		}
		d.labels[f[0]] = f[1] == "-1"
	}
	return d
}

// network returns the Alpha CSV, with every rating received by a labelled
// user removed when strict is set (the labels were derived from such
// ratings).
func (d *alphaData) network(strict bool) string {
	var b strings.Builder
	for _, l := range d.lines {
		if strict {
			f := strings.SplitN(l, ",", 3)
			if _, ok := d.labels[f[1]]; ok {
				continue
			}
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// evalSet returns risk scores and labels for labelled nodes with at least
// one outgoing rating in g.
func evalSet(g *Graph, labels map[string]bool, risk func(u int32) float64) (scores []float64, fraud []bool) {
	for u := int32(0); u < int32(g.NumNodes()); u++ {
		lab, ok := labels[g.Name(u)]
		if !ok || g.OutDegree(u) == 0 {
			continue
		}
		scores = append(scores, risk(u))
		fraud = append(fraud, lab)
	}
	return scores, fraud
}

// rocAUC is the Mann-Whitney probability that a random positive scores
// above a random negative (ties count one half).
func rocAUC(scores []float64, pos []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var rankSumPos, nPos, nNeg float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean 1-based rank of the tie group
		for k := i; k < j; k++ {
			if pos[idx[k]] {
				rankSumPos += avg
			}
		}
		i = j
	}
	for _, p := range pos {
		if p {
			nPos++
		} else {
			nNeg++
		}
	}
	if nPos == 0 || nNeg == 0 {
		return 0.5
	}
	return (rankSumPos - nPos*(nPos+1)/2) / (nPos * nNeg)
}

// averagePrecision is the step-wise area under the precision-recall curve
// with tied scores treated as one threshold (as scikit-learn does).
func averagePrecision(scores []float64, pos []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	var nPos float64
	for _, p := range pos {
		if p {
			nPos++
		}
	}
	if nPos == 0 {
		return 0
	}
	var tp, fp, ap, prevRecall float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			if pos[idx[j]] {
				tp++
			} else {
				fp++
			}
			j++
		}
		recall := tp / nPos
		ap += (recall - prevRecall) * tp / (tp + fp)
		prevRecall = recall
		i = j
	}
	return ap
}
