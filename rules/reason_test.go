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

// TestReasonReuse: a Values hands out the reason it rendered last for a
// rule only when the text is the same, whichever Set renders it.
func TestReasonReuse(t *testing.T) {
	one := "version = \"1\"\n[rule r]\nwhen = true\nthen = flag\nreason = \"a={a} x={x}\"\n"
	two := "version = \"1\"\n[rule r]\nwhen = true\nthen = flag\nreason = \"b={b}\"\n" +
		"[rule s]\nwhen = true\nthen = flag\nreason = \"a={a} x={x}\"\n"
	s1, err := Parse("1.rules", []byte(one), smallVars, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse("2.rules", []byte(two), smallVars, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := s1.NewValues()
	reasons := func(s *Set) []string {
		hits, err := s.Eval(v)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Reason)
		}
		return out
	}
	steps := []struct {
		set  *Set
		a, b int64
		x    float64
		want []string
	}{
		{s1, 1, 0, 0.5, []string{"a=1 x=0.5"}},
		{s1, 1, 0, 0.5, []string{"a=1 x=0.5"}},
		{s1, 2, 0, 0.5, []string{"a=2 x=0.5"}},
		{s2, 2, 7, 0.5, []string{"b=7", "a=2 x=0.5"}},
		{s1, 2, 7, 0.5, []string{"a=2 x=0.5"}},
		{s2, 3, 7, 0.25, []string{"b=7", "a=3 x=0.25"}},
		{s1, 1, 0, 0.5, []string{"a=1 x=0.5"}},
	}
	for i, st := range steps {
		v.SetInt(0, st.a)
		v.SetInt(1, st.b)
		v.SetDouble(3, st.x)
		got := reasons(st.set)
		if len(got) != len(st.want) {
			t.Fatalf("step %d: got %q, want %q", i, got, st.want)
		}
		for k := range got {
			if got[k] != st.want[k] {
				t.Fatalf("step %d: got %q, want %q", i, got, st.want)
			}
		}
	}
}
