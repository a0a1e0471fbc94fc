package feat

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
)

// Example is one labelled corpus line.
type Example struct {
	Text  string `json:"text"`
	Label int    `json:"label"`
	Lang  string `json:"lang"`
}

// ReadCorpus reads JSONL examples, reporting bad lines by number.
func ReadCorpus(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var e Example
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if e.Label != 0 && e.Label != 1 {
			return nil, fmt.Errorf("line %d: label %d, want 0 or 1", n, e.Label)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Options controls training. The zero value is not useful; use DefaultOptions.
type Options struct {
	Epochs    int
	Rate      float64 // AdaGrad base rate
	L2Pattern float64 // L2 strength on pattern features
	L2Hash    float64 // L2 strength on n-gram buckets
	Folds     int     // cross-validation folds for calibration and threshold
	Seed      uint64
}

// DefaultOptions are the settings the committed model was trained with.
var DefaultOptions = Options{Epochs: 40, Rate: 0.3, L2Pattern: 1e-4, L2Hash: 2e-3, Folds: 5, Seed: 20240611}

// TrainReport describes the cross-validated (out-of-fold) behaviour that
// chose the calibration and the threshold.
type TrainReport struct {
	OOFProb   []float64 // calibrated out-of-fold probability per example
	Threshold float64
	F1        float64 // out-of-fold F1 at Threshold
}

// rng is a xorshift64* generator: fixed, portable, deterministic.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(r.next() % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Vectorize analyses and featurises every example.
func Vectorize(ex []Example) []Vector {
	vs := make([]Vector, len(ex))
	for i, e := range ex {
		Features(Analyze(e.Text), &vs[i])
	}
	return vs
}

// Train fits the model on ex: k-fold cross-validation gives out-of-fold
// scores, on which a Platt calibration and the F1-maximising threshold are
// fitted; then the final weights are fitted on all of ex. Everything runs
// in a fixed order, so the same input gives bit-identical weights.
func Train(ex []Example, o Options) (*Model, *TrainReport) {
	vs := Vectorize(ex)
	y := make([]float64, len(ex))
	for i, e := range ex {
		y[i] = float64(e.Label)
	}
	r := rng(o.Seed | 1)
	order := r.perm(len(ex))
	fold := make([]int, len(ex))
	for k, i := range order {
		fold[i] = k % o.Folds
	}
	oof := make([]float64, len(ex))
	for f := 0; f < o.Folds; f++ {
		var idx []int
		for i := range ex {
			if fold[i] != f {
				idx = append(idx, i)
			}
		}
		w := fit(vs, y, idx, o, o.Seed+uint64(f)+1)
		m := Model{W: w}
		for i := range ex {
			if fold[i] == f {
				oof[i] = m.Logit(&vs[i])
			}
		}
	}
	a, b := platt(oof, y)
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	m := &Model{W: fit(vs, y, all, o, o.Seed), A: a, B: b, Signature: Signature()}
	rep := &TrainReport{OOFProb: make([]float64, len(ex))}
	for i, z := range oof {
		rep.OOFProb[i] = m.Prob(z)
	}
	m.Threshold, rep.F1 = bestThreshold(rep.OOFProb, y)
	rep.Threshold = m.Threshold
	return m, rep
}

// fit runs AdaGrad SGD on logistic loss with L2, visiting the examples idx
// in a seeded order each epoch. Products are wrapped in explicit float64
// conversions so the compiler may not fuse them (bit-exact everywhere).
func fit(vs []Vector, y []float64, idx []int, o Options, seed uint64) []float32 {
	w := make([]float64, Dim)
	g2 := make([]float64, Dim)
	r := rng(seed | 1)
	for e := 0; e < o.Epochs; e++ {
		p := r.perm(len(idx))
		for _, k := range p {
			i := idx[k]
			v := &vs[i]
			z := 0.0
			for t, j := range v.Idx {
				z += float64(w[j] * float64(v.Val[t]))
			}
			d := sigmoid(z) - y[i]
			for t, j := range v.Idx {
				l2 := o.L2Hash
				if j < NumPattern {
					l2 = o.L2Pattern
				}
				g := float64(d*float64(v.Val[t])) + float64(l2*w[j])
				g2[j] += float64(g * g)
				w[j] -= float64(o.Rate * g / (math.Sqrt(g2[j]) + 1e-8))
			}
		}
	}
	out := make([]float32, Dim)
	for j, x := range w {
		out[j] = float32(x)
	}
	return out
}

// platt fits sigmoid(a*z+b) to labels y by Newton's method, with Platt's
// smoothed targets so that a separable training set does not give
// probabilities of exactly 0 or 1.
func platt(z, y []float64) (a, b float64) {
	var npos, nneg float64
	for _, t := range y {
		if t > 0.5 {
			npos++
		} else {
			nneg++
		}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	a, b = 1, 0
	for it := 0; it < 100; it++ {
		var ga, gb, haa, hab, hbb float64
		for i, zi := range z {
			t := lo
			if y[i] > 0.5 {
				t = hi
			}
			p := sigmoid(float64(a*zi) + b)
			d := p - t
			s := float64(p * (1 - p))
			ga += float64(d * zi)
			gb += d
			haa += float64(float64(s*zi) * zi)
			hab += float64(s * zi)
			hbb += s
		}
		haa += 1e-9
		hbb += 1e-9
		det := float64(haa*hbb) - float64(hab*hab)
		if det == 0 {
			break
		}
		da := (float64(hbb*ga) - float64(hab*gb)) / det
		db := (float64(haa*gb) - float64(hab*ga)) / det
		a -= da
		b -= db
		if math.Abs(da) < 1e-12 && math.Abs(db) < 1e-12 {
			break
		}
	}
	return a, b
}

// bestThreshold returns the threshold maximising F1 of p >= threshold,
// the F1 of each candidate averaged with that of thresholds 0.025 and
// 0.05 either side: out-of-fold F1 is flat and ragged over a wide range
// (0.40–0.52 within 0.006 of each other), and its plain argmax jumped
// from one end of that range to the other as a few training texts came
// and went; the smoothed maximum sits inside the broad good region.
// It returns the threshold and the (unsmoothed) F1 there.
func bestThreshold(p, y []float64) (thr, f1 float64) {
	var pos float64
	for _, t := range y {
		pos += t
	}
	f1At := func(t float64) float64 {
		tp, fp := 0.0, 0.0
		for i, x := range p {
			if x >= t {
				if y[i] > 0.5 {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp+fp+pos == 0 {
			return 0
		}
		return 2 * tp / (tp + fp + pos)
	}
	sorted := slices.Clone(p)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	thr, f1 = 0.5, -1
	best := -1.0
	for k := len(sorted) - 1; k >= 0; k-- {
		next := 0.0
		if k > 0 {
			next = sorted[k-1]
		}
		t := (sorted[k] + next) / 2
		sm := 0.0
		for _, d := range []float64{-0.05, -0.025, 0, 0.025, 0.05} {
			sm += f1At(t + d)
		}
		if sm > best {
			best, thr, f1 = sm, t, f1At(t)
		}
	}
	return thr, f1
}

// Metrics are binary classification counts and scores.
type Metrics struct {
	TP, FP, TN, FN        int
	Precision, Recall, F1 float64
}

// Score computes Metrics for predictions pred against labels.
func Score(pred []bool, labels []int) Metrics {
	var m Metrics
	for i, p := range pred {
		switch {
		case p && labels[i] == 1:
			m.TP++
		case p:
			m.FP++
		case labels[i] == 1:
			m.FN++
		default:
			m.TN++
		}
	}
	if m.TP+m.FP > 0 {
		m.Precision = float64(m.TP) / float64(m.TP+m.FP)
	}
	if m.TP+m.FN > 0 {
		m.Recall = float64(m.TP) / float64(m.TP+m.FN)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}
