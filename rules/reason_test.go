package rules

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendDoubleMatchesStrconv checks the integer rounding of
// appendDouble against appendDoubleSlow, which is the strconv formatting
// reasons have always used.
func TestAppendDoubleMatchesStrconv(t *testing.T) {
	var fs []float64
	for _, f := range edgeDoubles {
		fs = append(fs, f, -f)
	}
	// Exact ties at the third decimal (k/8: .125, .375...) and values on
	// either side of every rounding boundary x.xx5.
	for k := -4000; k <= 4000; k++ {
		fs = append(fs, float64(k)/8, float64(k)/16, float64(k)/1024)
		h := (float64(k) + 0.5) / 100
		fs = append(fs, h, math.Nextafter(h, math.Inf(1)), math.Nextafter(h, math.Inf(-1)))
	}
	for _, base := range []float64{1e15, 1e14, 1 << 50, 1 << 53, 1e-2, 5e-3, 1e-300, math.SmallestNonzeroFloat64, 2.2250738585072014e-308} {
		f := base
		for range 8 {
			fs = append(fs, f, -f)
			f = math.Nextafter(f, 0)
		}
		f = base
		for range 8 {
			fs = append(fs, f, -f)
			f = math.Nextafter(f, math.Inf(1))
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	n := 300000
	if testing.Short() || raceEnabled {
		n = 30000
	}
	for range n {
		fs = append(fs,
			math.Float64frombits(r.Uint64()),
			(r.Float64()-0.5)*math.Pow(10, float64(r.IntN(36)-18)),
			float64(r.Int64N(2000000)-1000000)/1000)
	}
	for _, f := range fs {
		got, want := appendDouble([]byte("x"), f), appendDoubleSlow([]byte("x"), f)
		if string(got) != string(want) {
			t.Fatalf("%v (%#x): got %q, want %q", f, math.Float64bits(f), got[1:], want[1:])
		}
	}
}

// FuzzAppendDouble compares appendDouble with the strconv formatting.
func FuzzAppendDouble(f *testing.F) {
	for _, x := range []float64{0.125, -0.005, 1e15, 999999999999999.9, 0.994999999999999995559, math.SmallestNonzeroFloat64} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		got, want := appendDouble(nil, x), appendDoubleSlow(nil, x)
		if string(got) != string(want) {
			t.Fatalf("%v (%#x): got %q, want %q", x, math.Float64bits(x), got, want)
		}
	})
}
