package graph

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Algorithms accepted by Options.Algo.
const (
	AlgoFairmark = "fairmark" // REV2 + behavioural prior + ring detector (default)
	AlgoREV2     = "rev2"     // plain REV2 reference: alpha = beta = 0, gamma1 = gamma2 = 1
)

// Options selects and parameterises the scoring algorithm. The zero value
// selects fairmark with its defaults.
type Options struct {
	// Algo is "" or "fairmark" (default) or "rev2".
	Algo string

	// REV2 weights (Kumar et al. 2018). If all six are zero the algorithm's
	// defaults are used: fairmark Alpha1=1, Alpha2=2, Beta1=1, Beta2=0,
	// Gamma1=1, Gamma2=1; rev2 Gamma1=Gamma2=1 and the rest 0.
	// Alpha1 weighs the median fairness, Alpha2 the behavioural prior
	// (fairmark only; ignored by rev2), Beta1 the median goodness, Beta2
	// a neutral target prior of 0 (no target prior is computed, so it
	// shrinks goodness towards 0), Gamma1 the rater's
	// fairness and Gamma2 the rating's agreement with the target's goodness
	// in a rating's reliability.
	Alpha1, Alpha2, Beta1, Beta2, Gamma1, Gamma2 float64

	// Tolerance stops the iteration when the sums of absolute changes of
	// fairness, goodness and reliability in one iteration are all below
	// it, as the REV2 reference code does. Default 0.01.
	Tolerance float64
	// RelTolerance, if > 0, also stops when the mean absolute changes (the
	// sums divided by the number of raters, targets and ratings) are all
	// below it; sums grow with the graph, so large graphs need this.
	RelTolerance float64
	// MaxIter bounds the iterations. Default 500 (as the reference).
	MaxIter int

	// RingBlocks is how many dense blocks the ring detector extracts
	// (fairmark only). Default 5; negative disables the detector.
	RingBlocks int
	// RingMinRaters is the fewest raters a block needs to count as a ring.
	// Default 2.
	RingMinRaters int

	// RiskWeights weigh (1 - fairness), behavioural suspicion and ring
	// membership in risk (fairmark only); they are normalised to sum 1.
	// Default {0.5, 0.3, 0.2}.
	RiskWeights [3]float64

	// ByID leaves the scores in node id order (Result.Nodes[i] == i)
	// rather than sorting them by name: for callers that map scores back
	// to nodes themselves and do not need the sort.
	ByID bool
}

// Score is one node's result: Fairness 0..1 (reliability as a rater),
// Goodness -1..1 (how well reliable raters rate it), Risk 0..1 (likelihood
// of being a fraudulent rater).
type Score struct {
	Node                     string
	Fairness, Goodness, Risk float64
}

// Result is Compute's output with diagnostics.
type Result struct {
	Scores     []Score // sorted by node (numeric ids numerically, then names), or by id (Options.ByID)
	Nodes      []int32 // the node id of each score, in Scores order
	Iterations int
	Converged  bool
	Rings      []Block
}

// Compute scores every node of g. See ComputeDetail for diagnostics.
func Compute(g *Graph, opt Options) ([]Score, error) {
	r, err := ComputeDetail(g, opt)
	if err != nil {
		return nil, err
	}
	return r.Scores, nil
}

// ComputeDetail is Compute with iteration counts and detected rings.
// It returns an error for an unknown algorithm or invalid parameters.
func ComputeDetail(g *Graph, opt Options) (*Result, error) {
	p := rev2Params{a1: opt.Alpha1, a2: opt.Alpha2, b1: opt.Beta1, b2: opt.Beta2, g1: opt.Gamma1, g2: opt.Gamma2,
		tol: opt.Tolerance, relTol: opt.RelTolerance, maxIt: opt.MaxIter}
	algo := opt.Algo
	if algo == "" {
		algo = AlgoFairmark
	}
	if algo != AlgoFairmark && algo != AlgoREV2 {
		return nil, fmt.Errorf("graph: unknown algorithm %q (want fairmark or rev2)", opt.Algo)
	}
	if p.a1 == 0 && p.a2 == 0 && p.b1 == 0 && p.b2 == 0 && p.g1 == 0 && p.g2 == 0 {
		p.g1, p.g2 = 1, 1
		if algo == AlgoFairmark {
			p.a1, p.a2, p.b1 = 1, 2, 1
		}
	}
	for _, v := range []float64{p.a1, p.a2, p.b1, p.b2, p.g1, p.g2, p.tol, p.relTol} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("graph: weights and tolerances must be finite and >= 0")
		}
	}
	if algo == AlgoREV2 {
		p.a2 = 0 // no behavioural prior in the reference
	}
	if p.g1+p.g2 == 0 {
		return nil, fmt.Errorf("graph: Gamma1 + Gamma2 must be > 0")
	}
	if p.tol == 0 {
		p.tol = 0.01
	}
	if p.maxIt <= 0 {
		p.maxIt = 500
	}
	w := opt.RiskWeights
	if w == ([3]float64{}) {
		w = [3]float64{0.5, 0.3, 0.2}
	}
	tot := w[0] + w[1] + w[2]
	if !(tot > 0) || w[0] < 0 || w[1] < 0 || w[2] < 0 {
		return nil, fmt.Errorf("graph: RiskWeights must be >= 0 with a positive sum")
	}
	n := g.NumNodes()
	res := &Result{}
	// The output order depends only on the names: sort them alongside.
	orderDone := make(chan []int32, 1)
	if opt.ByID {
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(i)
		}
		orderDone <- ids
	} else {
		go func() { orderDone <- nodeOrder(g) }()
	}
	var susp, ring []float64
	if algo == AlgoFairmark {
		k := opt.RingBlocks
		if k == 0 {
			k = 5
		}
		minR := opt.RingMinRaters
		if minR == 0 {
			minR = 2
		}
		// The ring detector does not depend on REV2: run it alongside.
		ringDone := make(chan []Block, 1)
		go func() {
			if k < 0 {
				ringDone <- nil
				return
			}
			ringDone <- detectBlocks(g, unjustifiedNegative(g), k, minR)
		}()
		b := computeBehaviour(g)
		susp = make([]float64, n)
		prior := make([]float64, n)
		for u := range susp {
			susp[u] = b.suspicion(u)
			prior[u] = 1 - susp[u]
		}
		r := rev2(g, p, prior, nil)
		res.Iterations, res.Converged = r.Iterations, r.Converged
		ring = make([]float64, n)
		res.Rings = <-ringDone
		for _, bl := range res.Rings {
			for _, u := range bl.Raters {
				ring[u] = 1
			}
		}
		res.Scores = make([]Score, n)
		res.Nodes = <-orderDone
		for i, u := range res.Nodes {
			risk := (w[0]*(1-r.F[u]) + w[1]*susp[u] + w[2]*ring[u]) / tot
			if g.OutDegree(u) == 0 {
				risk = 0 // rated nobody: no evidence as a rater
			}
			res.Scores[i] = Score{Node: g.names[u], Fairness: r.F[u], Goodness: r.G[u], Risk: min(max(risk, 0), 1)}
		}
	} else {
		r := rev2(g, p, nil, nil)
		res.Iterations, res.Converged = r.Iterations, r.Converged
		res.Scores = make([]Score, n)
		res.Nodes = <-orderDone
		for i, u := range res.Nodes {
			res.Scores[i] = Score{Node: g.names[u], Fairness: r.F[u], Goodness: r.G[u], Risk: 1 - r.F[u]}
		}
	}
	return res, nil
}

// nodeOrder returns node ids sorted by name: canonical decimal integers
// first, by value, then other names lexicographically. Keys are parsed
// once; the scores are then written directly in this order, with no copy.
func nodeOrder(g *Graph) []int32 {
	type key struct {
		num   int64
		id    int32
		isNum bool
	}
	keys := make([]key, g.NumNodes())
	for i := range keys {
		v, ok := parseID(g.names[i])
		keys[i] = key{v, int32(i), ok}
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.isNum && b.isNum:
			if a.num != b.num {
				return cmp.Compare(a.num, b.num)
			}
		case a.isNum:
			return -1
		case b.isNum:
			return 1
		}
		return strings.Compare(g.names[a.id], g.names[b.id])
	})
	order := make([]int32, len(keys))
	for i, k := range keys {
		order[i] = k.id
	}
	return order
}
