package graph

import (
	"math"
	"strings"
	"testing"
)

// naiveREV2 is a direct transcription of the REV2 update order with the
// reliabilities stored per edge; it checks the streamed implementation.
func naiveREV2(g *Graph, a1, a2, b1, g1, g2 float64, prior []float64, tol float64, maxIt int) (F, G []float64, iters int) {
	n := g.NumNodes()
	F = make([]float64, n)
	G = make([]float64, n)
	R := make([]float64, g.NumEdges())
	for i := range F {
		F[i], G[i] = 1, 0
		if prior != nil && a2 > 0 {
			F[i] = prior[i]
		}
	}
	for i := range R {
		R[i] = 1
	}
	src := make([]int32, g.NumEdges())
	for u := 0; u < n; u++ {
		for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
			src[j] = int32(u)
		}
	}
	for it := 1; it <= maxIt; it++ {
		iters = it
		var du, dp, dr float64
		var gs, fs []float64
		for q := 0; q < n; q++ {
			if g.InDegree(int32(q)) > 0 {
				gs = append(gs, G[q])
			}
		}
		medG := median(gs)
		sum := make([]float64, n)
		cnt := make([]float64, n)
		for j := range R {
			q := g.outDst[j]
			sum[q] += R[j] * float64(g.outRating[j])
			cnt[q]++
		}
		for q := 0; q < n; q++ {
			x := 0.0
			if cnt[q] > 0 {
				x = math.Min(1, math.Max(-1, (b1*medG+sum[q])/(b1+cnt[q])))
			}
			dp += math.Abs(G[q] - x)
			G[q] = x
		}
		for j := range R {
			// The reference formula, clamp included.
			x := (g1*F[src[j]] + g2*(1-math.Abs(float64(g.outRating[j])-G[g.outDst[j]])/2)) / (g1 + g2)
			x = math.Min(1, math.Max(0, x))
			dr += math.Abs(R[j] - x)
			R[j] = x
		}
		for u := 0; u < n; u++ {
			if g.OutDegree(int32(u)) > 0 {
				fs = append(fs, F[u])
			}
		}
		medF := median(fs)
		for u := 0; u < n; u++ {
			s, e := g.outStart[u], g.outStart[u+1]
			if e == s {
				continue
			}
			var t float64
			for j := s; j < e; j++ {
				t += R[j]
			}
			pr := 0.0
			if prior != nil {
				pr = prior[u]
			}
			x := math.Min(1, math.Max(0, (a1*medF+a2*pr+t)/(a1+a2+float64(e-s))))
			du += math.Abs(F[u] - x)
			F[u] = x
		}
		if du < tol && dp < tol && dr < tol {
			break
		}
	}
	return F, G, iters
}

func TestREV2MatchesNaive(t *testing.T) {
	in := "1,2,10,1\n3,2,10,2\n4,2,-10,3\n1,5,5,4\n4,5,-8,5\n3,4,-10,6\n2,1,7,7\n5,3,2,8\n"
	g, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	prior := []float64{0.9, 0.2, 0.7, 0.1, 0.5}
	for _, c := range []struct{ a1, a2, b1 float64 }{{0, 0, 0}, {1, 1, 0}, {0, 2, 1}, {3, 1, 2}} {
		r := rev2(g, rev2Params{a1: c.a1, a2: c.a2, b1: c.b1, g1: 1, g2: 1, tol: 1e-9, maxIt: 200}, prior, nil)
		F, G, it := naiveREV2(g, c.a1, c.a2, c.b1, 1, 1, prior, 1e-9, 200)
		if it != r.Iterations {
			t.Fatalf("%+v: iterations got %d, want %d", c, r.Iterations, it)
		}
		for u := 0; u < g.NumNodes(); u++ {
			if g.OutDegree(int32(u)) > 0 && math.Abs(F[u]-r.F[u]) > 1e-12 {
				t.Fatalf("%+v: F[%s] got %v, want %v", c, g.Name(int32(u)), r.F[u], F[u])
			}
			if math.Abs(G[u]-r.G[u]) > 1e-12 {
				t.Fatalf("%+v: G[%s] got %v, want %v", c, g.Name(int32(u)), r.G[u], G[u])
			}
		}
	}
}
