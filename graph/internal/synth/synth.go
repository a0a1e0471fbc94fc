// Package synth generates synthetic rating graphs with power-law degrees for
// fairmark's graph benchmarks and scale tests. Output is deterministic for a
// given seed.
package synth

import (
	"math"
	"math/rand/v2"
)

// Config describes a synthetic graph.
type Config struct {
	Nodes int    // node count
	Edges int64  // ratings to emit (self-loops and duplicates included; the builder drops them)
	Seed  uint64 // PRNG seed
	// Skew > 1 sets the power-law: node index = floor(Nodes * U^Skew), so
	// low indices are hubs. Default 3 (a few nodes hold most edges).
	Skew float64
}

// Generate calls emit for each rating, in time order. Ratings are integers
// in -10..10, about 7% negative (as on Bitcoin-Alpha); times are one
// rating every ~10 s starting at 1.3e9.
func Generate(c Config, emit func(src, dst int32, rating, time float64)) {
	skew := c.Skew
	if skew == 0 {
		skew = 3
	}
	r := rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15))
	n := float64(c.Nodes)
	pick := func() int32 {
		return int32(min(n-1, math.Floor(n*math.Pow(r.Float64(), skew))))
	}
	t := 1.3e9
	for i := int64(0); i < c.Edges; i++ {
		src := pick()
		dst := int32(r.IntN(c.Nodes)) // targets: half uniform, half hubs
		if i&1 == 0 {
			dst = pick()
		}
		var rating float64
		if r.IntN(100) < 7 {
			rating = -float64(1 + r.IntN(10))
		} else {
			rating = float64(1 + r.IntN(10))
		}
		t += r.Float64() * 20
		emit(src, dst, rating, t)
	}
}
