package graph

import (
	"cmp"
	"math"
	"slices"
)

// behaviour holds per-node features of how a node rates (its out-edges).
// All are 0 for nodes that rated nobody.
type behaviour struct {
	deg      []int32   // ratings given
	burst    []float32 // share of ratings given within burstWindow of the rater's first rating
	spanDays []float32 // days between first and last rating given
	harshWin []float32 // largest sum, within any burstWindow, of max(0, consensus(p) - w)/2
	timeMean float64   // mean raw time term over raters with >= 2 ratings
}

// burstWindow is the burst horizon: complainers act within days of their
// first activity.
const burstWindow = 7 * 24 * 3600

// computeBehaviour extracts rater features. consensus(p) is the mean rating
// p received from everybody else (leave-one-out), which keeps a rater's own
// rating from defining the consensus it is compared with; targets with no
// other rating contribute no gap.
func computeBehaviour(g *Graph) *behaviour {
	n := g.NumNodes()
	b := &behaviour{
		deg: make([]int32, n), burst: make([]float32, n),
		spanDays: make([]float32, n), harshWin: make([]float32, n),
	}
	inSum := make([]float64, n)
	parallelRanges(g.inStart, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			var s float64
			for j := g.inStart[q]; j < g.inStart[q+1]; j++ {
				s += float64(g.inRating[j])
			}
			inSum[q] = s
		}
	})
	parallelRanges(g.outStart, func(lo, hi int) {
		type th struct{ t, h float32 }
		var win []th
		for u := lo; u < hi; u++ {
			s, e := g.outStart[u], g.outStart[u+1]
			d := e - s
			if d == 0 {
				continue
			}
			b.deg[u] = int32(min(d, math.MaxInt32))
			win = win[:0]
			tmin, tmax := float32(math.Inf(1)), float32(math.Inf(-1))
			for j := s; j < e; j++ {
				w := float64(g.outRating[j])
				q := g.outDst[j]
				if m := g.inStart[q+1] - g.inStart[q]; m > 1 {
					c := (inSum[q] - w) / float64(m-1)
					if h := max(0, c-w) / 2; h > 0 {
						win = append(win, th{g.outTime[j], float32(h)})
					}
				}
				t := g.outTime[j]
				tmin, tmax = min(tmin, t), max(tmax, t)
			}
			slices.SortFunc(win, func(a, b th) int { return cmp.Compare(a.t, b.t) })
			var wsum, wmax float64
			for i, k := 0, 0; i < len(win); i++ {
				wsum += float64(win[i].h)
				for float64(win[i].t-win[k].t) > burstWindow {
					wsum -= float64(win[k].h)
					k++
				}
				wmax = max(wmax, wsum)
			}
			b.harshWin[u] = float32(wmax)
			var early float64
			for j := s; j < e; j++ {
				if float64(g.outTime[j]-tmin) <= burstWindow {
					early++
				}
			}
			b.burst[u] = float32(early / float64(d))
			b.spanDays[u] = (tmax - tmin) / 86400
		}
	})
	var sum float64
	var cnt int
	for u := 0; u < n; u++ {
		if b.deg[u] >= 2 {
			sum += b.timeRaw(u)
			cnt++
		}
	}
	if cnt > 0 {
		b.timeMean = sum / float64(cnt)
	}
	return b
}

// Horizons of the behavioural prior. They are domain choices, not fitted:
// a rater active for a year or more shows no "hit and run" pattern, and a
// week is the burst window of the complainer playbook (buy, complain within
// days, move off-platform).
const spanHorizonDays = 365

// timePseudo is the pseudo-count (in inter-arrival gaps) of the
// population prior in the time term.
const timePseudo = 1

// timeRaw is the unsmoothed time term of the suspicion.
func (b *behaviour) timeRaw(u int) float64 {
	span := min(1, math.Log1p(float64(b.spanDays[u]))/math.Log1p(spanHorizonDays))
	return (float64(b.burst[u]) + (1 - span)) / 2
}

// suspicion combines a rater's behaviour into a BIRDNEST-like suspicion in
// 0..1 (0 = nothing unusual), used by REV2 as the fairness prior 1-s.
//
//	time   = ( burst + (1 - min(1, ln(1+spanDays)/ln(1+365))) ) / 2
//	harsh  = 1 - exp(-H/sqrt(n))
//	s      = 1 - (1-time)·(1-harsh)
//
// time is high for accounts whose whole rating history sits in a short
// burst (most ratings in the first week, short active span). H is the
// largest sum, over any 7-day window, of the amounts by which the rater's
// ratings fall below each target's consensus (a one-sided gap to
// consensus: complainers rate well-regarded sellers down, several within
// days) and n the number of ratings given. A window sum scaled by sqrt(n)
// (a standardised sum) rather than a mean over all ratings, so camouflage
// (positive ratings given elsewhere or earlier) dilutes it only weakly,
// while a veteran with hundreds of ratings who flags a few scammers in one
// week is not mistaken for a complainer. One -10 on a seller rated +1 on
// average gives H≈0.55; three in a week H≈1.7 (harsh 0.63 with 3 ratings
// given, 0.45 with 8 of which 5 camouflage). The noisy-OR makes either kind of evidence
// sufficient. Nodes that rated nobody get 0.
func (b *behaviour) suspicion(u int) float64 {
	if b.deg[u] == 0 {
		return 0
	}
	tm := b.timeRaw(u)
	// Bayesian shrinkage: n ratings carry n-1 inter-arrival gaps of
	// evidence; a single rating says nothing about burstiness and gets the
	// population mean.
	k := float64(b.deg[u] - 1)
	tm = (k*tm + timePseudo*b.timeMean) / (k + timePseudo)
	harsh := 1 - math.Exp(-float64(b.harshWin[u])/math.Sqrt(float64(b.deg[u])))
	return 1 - (1-tm)*(1-harsh)
}
