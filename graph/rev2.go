package graph

import (
	"math"
)

// rev2Params are the REV2 weights (Kumar et al., WSDM 2018, eqs. 1-3) and
// the stopping rule.
type rev2Params struct {
	a1, a2 float64 // fairness: weight of the median-fairness prior, of the behavioural prior
	b1, b2 float64 // goodness: weight of the median-goodness prior, of the target prior
	g1, g2 float64 // reliability: weight of rater fairness, of agreement with goodness
	tol    float64 // stop when the sums of absolute changes are all below tol
	relTol float64 // or when the mean absolute changes are all below relTol (0: off)
	maxIt  int
}

// rev2Result holds fairness F and goodness G per node.
type rev2Result struct {
	F, G       []float64
	Iterations int
	Converged  bool
	DU, DP, DR float64 // last sums of absolute changes
}

// reliability is REV2's R(u,p) = (γ1·f + γ2·(1 − |w − g|/2)) / (γ1 + γ2)
// with c1 = γ1/(γ1+γ2) and c2 = γ2/(γ1+γ2) precomputed. With f in 0..1 and
// w, g in -1..1 it is a convex combination of values in 0..1, so the
// reference's clamp to 0..1 is a no-op and omitted.
func reliability(f, g, w, c1, c2 float64) float64 {
	return c1*f + c2*(1-math.Abs(w-g)*0.5)
}

// rev2 runs the REV2 fixed-point iteration. userPrior (per node, 0..1, may
// be nil) is the behavioural fairness prior weighted by a2 and is also the
// starting fairness; targetPrior (per node, -1..1, may be nil) is weighted
// by b2.
//
// The update order is the reference implementation's: goodness from the
// previous reliabilities, then reliabilities from the new goodness and the
// previous fairness, then fairness from the new reliabilities. The
// reliabilities are not stored: R_k(u,p) = r(F_{k-1}(u), G_k(p)) is
// recomputed from two generations of the node arrays, which saves 4 bytes
// per edge and gives identical results.
func rev2(g *Graph, p rev2Params, userPrior, targetPrior []float64) rev2Result {
	n := g.NumNodes()
	fa := make([]float64, n) // F_{k-1}
	fb := make([]float64, n) // F_{k-2}, overwritten by F_k
	ga := make([]float64, n) // G_{k-1}
	gb := make([]float64, n) // G_{k-2}, overwritten by G_k
	for i := range fa {
		fa[i] = 1
		if userPrior != nil && p.a2 > 0 {
			fa[i] = userPrior[i]
		}
		fb[i] = fa[i]
		// Goodness starts neutral; with beta1 = 0 the start does not
		// matter, with beta1 > 0 it keeps the median prior unbiased.
		ga[i], gb[i] = 0, 0
	}
	var nUsers, nTargets int
	for u := 0; u < n; u++ {
		if g.outStart[u+1] > g.outStart[u] {
			nUsers++
		}
		if g.inStart[u+1] > g.inStart[u] {
			nTargets++
		}
	}
	inParts := partitions(g.inStart)
	outParts := partitions(g.outStart)
	dps := make([]float64, len(inParts))
	dus := make([]float64, len(outParts))
	drs := make([]float64, len(outParts))
	var scratch []float64
	res := rev2Result{}
	c1, c2 := p.g1/(p.g1+p.g2), p.g2/(p.g1+p.g2)
	for k := 1; k <= p.maxIt; k++ {
		// Goodness.
		var medG float64
		if p.b1 > 0 {
			scratch = collect(scratch[:0], ga, g.inStart)
			medG = median(scratch)
		}
		first := k == 1
		runParts(inParts, func(i, lo, hi int) {
			var dp float64
			for q := lo; q < hi; q++ {
				s, e := g.inStart[q], g.inStart[q+1]
				var x float64
				if e > s {
					gq := ga[q]
					var sum float64
					for j := s; j < e; j++ {
						w := float64(g.inRating[j])
						r := 1.0
						if !first {
							r = reliability(fb[g.inSrc[j]], gq, w, c1, c2)
						}
						sum += r * w
					}
					var tp float64
					if targetPrior != nil {
						tp = targetPrior[q]
					}
					x = (p.b1*medG + p.b2*tp + sum) / (p.b1 + p.b2 + float64(e-s))
					x = min(max(x, -1), 1)
				}
				dp += math.Abs(ga[q] - x)
				gb[q] = x
			}
			dps[i] = dp
		})
		ga, gb = gb, ga // ga = G_k, gb = G_{k-1}

		// Reliability and fairness.
		var medF float64
		if p.a1 > 0 {
			scratch = collect(scratch[:0], fa, g.outStart)
			medF = median(scratch)
		}
		runParts(outParts, func(i, lo, hi int) {
			var du, dr float64
			for u := lo; u < hi; u++ {
				s, e := g.outStart[u], g.outStart[u+1]
				if e == s {
					continue
				}
				fu, fOld := fa[u], fb[u]
				var sum float64
				for j := s; j < e; j++ {
					w := float64(g.outRating[j])
					q := g.outDst[j]
					r := reliability(fu, ga[q], w, c1, c2)
					rOld := 1.0
					if !first {
						rOld = reliability(fOld, gb[q], w, c1, c2)
					}
					dr += math.Abs(r - rOld)
					sum += r
				}
				var up float64
				if userPrior != nil {
					up = userPrior[u]
				}
				x := (p.a1*medF + p.a2*up + sum) / (p.a1 + p.a2 + float64(e-s))
				x = min(max(x, 0), 1)
				du += math.Abs(fu - x)
				fb[u] = x
			}
			dus[i], drs[i] = du, dr
		})
		fa, fb = fb, fa // fa = F_k, fb = F_{k-1}

		var du, dp, dr float64
		for _, v := range dps {
			dp += v
		}
		for i := range dus {
			du += dus[i]
			dr += drs[i]
		}
		res.Iterations, res.DU, res.DP, res.DR = k, du, dp, dr
		if du < p.tol && dp < p.tol && dr < p.tol {
			res.Converged = true
			break
		}
		if p.relTol > 0 && du < p.relTol*float64(max(nUsers, 1)) &&
			dp < p.relTol*float64(max(nTargets, 1)) && dr < p.relTol*float64(max(g.NumEdges(), 1)) {
			res.Converged = true
			break
		}
	}
	// Nodes that rated nobody: the prior mean, or 1 (no evidence against them).
	var medF float64
	if p.a1 > 0 {
		scratch = collect(scratch[:0], fa, g.outStart)
		medF = median(scratch)
	}
	for u := 0; u < n; u++ {
		if g.outStart[u+1] > g.outStart[u] {
			continue
		}
		switch {
		case p.a1+p.a2 > 0:
			var up float64
			if userPrior != nil {
				up = userPrior[u]
			}
			fa[u] = (p.a1*medF + p.a2*up) / (p.a1 + p.a2)
		default:
			fa[u] = 1
		}
	}
	res.F, res.G = fa, ga
	return res
}

// collect appends vals[i] for every node i whose CSR segment is non-empty.
func collect(dst, vals []float64, start []int64) []float64 {
	for i := 0; i+1 < len(start); i++ {
		if start[i+1] > start[i] {
			dst = append(dst, vals[i])
		}
	}
	return dst
}

// median returns the median of xs (mean of the two middle values for even
// length; 0 for empty), reordering xs. It runs in expected linear time.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	k := n / 2
	hi := selectK(xs, k)
	if n%2 == 1 {
		return hi
	}
	lo := xs[0]
	for _, v := range xs[1:k] {
		lo = max(lo, v)
	}
	return (lo + hi) / 2
}

// selectK partially orders xs so that xs[k] is the k-th smallest, with
// smaller-or-equal values before it, and returns xs[k]. Deterministic
// (median-of-three pivots).
func selectK(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
