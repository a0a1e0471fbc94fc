package rules

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"cel.dev/cel-go/common/types"
	"github.com/google/go-cmp/cmp"
)

// celOnly returns a copy of s that evaluates every rule with CEL.
func celOnly(s *Set) *Set {
	c := *s
	c.natives = make([]nfn[bool], len(s.natives))
	return &c
}

// smallVars is a schema for hand-written conditions over every type.
var smallVars = []Var{
	{Name: "a", Type: Int}, {Name: "b", Type: Int}, {Name: "c", Type: Int},
	{Name: "x", Type: Double}, {Name: "y", Type: Double}, {Name: "z", Type: Double},
	{Name: "p", Type: Bool}, {Name: "q", Type: Bool},
	{Name: "s", Type: String},
}

// handRules exercise each operator of the native subset: rules named
// cel_* are outside it and must stay on CEL.
var handRules = []string{
	// int arithmetic, overflow, division by zero
	"add: a + b > c",
	"sub: a - b < c",
	"mul: a * b >= c",
	"div: a / b <= c",
	"neg: -a == b",
	"ne: a != b",
	"chain: a + b * c - a / (b + 1) > c",
	"negconst: a > -5 && -a < -(-3)",
	"minint: a == -9223372036854775808 || b == 9223372036854775807",
	"negmin: -(-9223372036854775807 - 1) > a",
	"divconst: a / 0 > 1 || p",
	// short-circuit with errors, both orders
	"and_err_left: a / b > 0 && p",
	"and_err_right: p && a / b > 0",
	"or_err_left: a * b > 0 || q",
	"or_err_right: q || a * b > 0",
	"and_err_both: a + b > 0 && a * b > 0",
	"or_err_both: a + b > 0 || -a > 0",
	"mixed_logic: (a / b > 0 && p) || (q && c - a > 0) || !(b * c < 0)",
	"not_err: !(a / c > 0)",
	"and3_err_first: a / b > 0 && p && q",
	"or3_err_first: a / b > 0 || p || q",
	"long_and: a > 0 && b > 0 && c > 0 && x > 0.0 && y > 0.0 && p && a + b + c > 3",
	"long_or: a > 5 || b / c > 2 || x > 10.0 || q || -c > 0",
	// doubles: IEEE arithmetic, NaN, infinities, signed zero
	"ddiv: x / y > z",
	"dfma: x * y + z > 0.0",
	"dsub: x - y == z",
	"dnan: x != x",
	"deq: x == y",
	"dlt: x < y || y <= z",
	"dgt: x > y && y >= z",
	"dneg: -x >= y",
	"dzero: x == -0.0 && 1.0 / x < 0.0",
	"deq0: x == 0.0",
	"dne0: y != -0.0",
	"dinf: x > 1e308 * 10.0 || y < -1e308 * 10.0",
	"dexact: x * 3.0 == 0.30000000000000004 || x + y == 0.3",
	// int against double
	"mix_lt: a < x",
	"mix_le: x <= a",
	"mix_gt: a > 1.5 && x >= 2",
	"mix_ge: c >= y || z > b",
	"mix_big: a >= 9.223372036854775807e18 || b < -9.223372036854775808e18",
	"mix_clt: a < 2.5",
	"mix_cle: a <= -0.5",
	"mix_cgt: a > 2.5",
	"mix_cge: a >= 9.223372036854775807e18",
	"mix_cle2: b <= -9.223372036854775808e18",
	"mix_dlt: x < 2",
	"mix_dge: x >= -3",
	// constant on the left
	"flip_le: 2 <= a",
	"flip_lt: 3 < b",
	"flip_ge: -1 >= c",
	"flip_gt: 0 > a",
	"flip_eq: 5 == a",
	"flip_ne: 5 != b",
	"flip_dle: 0.5 <= x",
	"flip_dlt: 0.5 < x",
	"flip_dge: 0.5 >= x",
	"flip_dgt: 0.5 > x",
	"flip_mle: 2.5 <= a",
	"flip_mlt: 2.5 < a",
	"flip_mge: 2.5 >= a",
	"flip_mgt: 2.5 > a",
	"flip_dint: 2 > x || 1 <= y",
	// bools and strings
	"bool_cmp: p < q || (p >= q && p != true)",
	"bool_eq: p == q && !p",
	"str: 'a' < 'b' && p && 'x' != 'y'",
	"str_cond: (p ? 'x' : 'y') == 'x' && q",
	// conditional
	"cond_int: (p ? a : b) > c",
	"cond_err: (a / b > 0 ? x : y) > 0.0",
	"cond_bool: p ? a / b > 1 : q",
	"cond_nested: (p ? (q ? a : b) : c * 2) == 4",
	"literal_true: true",
	"literal_false: false || !true",
	// outside the subset
	"cel_mod: a % 2 == 0",
	"cel_size: size('ab') > a",
	"cel_conv: double(a) > x",
	"cel_macro: [1, 2].exists(t, t > a)",
	"cel_uint: a > 1u",
	"cel_string_var: s == 'x' && a > 1",
	"cel_strcat: 'a' + 'b' == 'ab' && p",
	"cel_in: a in [1, 2, 3]",
}

func handSource() string {
	var b strings.Builder
	b.WriteString("version = \"1\"\n")
	for _, r := range handRules {
		name, cond, _ := strings.Cut(r, ": ")
		fmt.Fprintf(&b, "\n[rule %s]\nwhen = %s\nthen = flag\nreason = \"{a} {b} {c} {x} {y} {z} {p} {q}\"\n", name, cond)
	}
	return b.String()
}

func mustHand(tb testing.TB) *Set {
	tb.Helper()
	s, err := Parse("hand.rules", []byte(handSource()), smallVars, Options{})
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return s
}

func TestNativeCoverage(t *testing.T) {
	for i, r := range mustDefault(t).Rules {
		if mustDefault(t).natives[i] == nil {
			t.Errorf("default rule %s: got CEL, want the native path", r.Name)
		}
	}
	s := mustHand(t)
	for i, r := range s.Rules {
		wantCEL := strings.HasPrefix(r.Name, "cel_")
		if got := s.natives[i] == nil; got != wantCEL {
			t.Errorf("rule %s (%s): got CEL=%v, want %v", r.Name, r.Expr, got, wantCEL)
		}
	}
}

// TestNativeCostLimit: a rule of the subset whose static estimate exceeds
// the runtime limit keeps running on CEL with the limit enforced.
func TestNativeCostLimit(t *testing.T) {
	src := "version = \"1\"\n[rule r]\nwhen = a + b > c && x < y && p\nthen = flag\n"
	s, err := Parse("c.rules", []byte(src), smallVars, Options{RuntimeCostLimit: 2})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !s.Rules[0].CostTracked || s.natives[0] != nil {
		t.Fatalf("got tracked=%v native=%v, want a tracked CEL rule (estimate %d over limit 2)", s.Rules[0].CostTracked, s.natives[0] != nil, s.Rules[0].Cost)
	}
	v := s.NewValues()
	v.SetInt(0, 5)
	v.SetDouble(4, 1)
	v.SetBool(6, true)
	_, err = s.Eval(v)
	if err == nil || !strings.Contains(err.Error(), "cost limit exceeded") {
		t.Fatalf("got %v, want the runtime cost limit error", err)
	}
	// Under the default limit the same rule is native and fires.
	s, err = Parse("c.rules", []byte(src), smallVars, Options{})
	if err != nil || s.natives[0] == nil {
		t.Fatalf("got %v native=%v, want a native rule", err, err == nil && s.natives[0] != nil)
	}
	v = s.NewValues()
	v.SetInt(0, 5)
	v.SetDouble(4, 1)
	v.SetBool(6, true)
	if hits, err := s.Eval(v); err != nil || len(hits) != 1 {
		t.Fatalf("got %v, %v, want one hit", hits, err)
	}
}

// edge values for random Values.
var (
	edgeInts = []int64{0, 1, -1, 2, -2, 3, -3, 4, 5, 7, 100, -100,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		math.MaxInt32, math.MinInt32, 1 << 32, 3037000499, 3037000500, -3037000499, -3037000500,
		1 << 53, 1<<53 + 1, -(1<<53 + 1), 1 << 62, -(1 << 62), 4611686018427387904, math.MaxInt64 / 2}
	edgeDoubles = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1.5, 2, 2.5, 3, 0.1, 0.2, 0.3,
		0.30000000000000004, 0.7, 0.8, 1.0 / 3,
		math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		9.223372036854775807e18, -9.223372036854775808e18, math.Nextafter(9.223372036854775807e18, 0),
		1 << 53, 1<<53 + 2, 1e308, -1e308, 3037000499.5}
)

// randValues fills v with random values, mostly edge cases. It keeps v
// (not a fresh Values) so setters' keep-the-old-box paths are exercised.
func randValues(r *rand.Rand, v *Values) {
	for i, d := range v.Vars() {
		switch d.Type {
		case Int:
			switch r.IntN(4) {
			case 0:
				v.SetInt(i, int64(r.Uint64()))
			case 1:
				v.SetInt(i, r.Int64N(21)-10)
			default:
				v.SetInt(i, edgeInts[r.IntN(len(edgeInts))])
			}
		case Double:
			switch r.IntN(5) {
			case 0:
				v.SetDouble(i, math.Float64frombits(r.Uint64()))
			case 1:
				v.SetDouble(i, r.NormFloat64()*10)
			case 2:
				v.SetDouble(i, float64(r.IntN(11)-5)/4)
			default:
				v.SetDouble(i, edgeDoubles[r.IntN(len(edgeDoubles))])
			}
		case Bool:
			v.SetBool(i, r.IntN(2) == 0)
		case String:
			v.SetString(i, []string{"", "x", "y"}[r.IntN(3)])
		}
	}
}

func dumpValues(v *Values) string {
	var b strings.Builder
	for i, d := range v.Vars() {
		fmt.Fprintf(&b, "%s=%v ", d.Name, v.val(i))
	}
	return b.String()
}

// flatErrs splits an error of AppendEval into its EvalErrors.
func flatErrs(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func sameHit(a, b Hit) bool {
	return a.Rule == b.Rule && a.Hash == b.Hash && slices.Equal(a.Actions, b.Actions) &&
		math.Float64bits(a.Score) == math.Float64bits(b.Score) && a.Reason == b.Reason
}

// checkNativeSame fails unless the native path and CEL agree on v: each
// native condition's result, or its failing exactly where CEL fails, and
// AppendEval's hits and errors, down to the CEL error values.
func checkNativeSame(tb testing.TB, s, ref *Set, v *Values) {
	tb.Helper()
	for i, nf := range s.natives {
		if nf == nil {
			continue
		}
		got, ok := nf(v)
		out, _, err := s.progs[i].Eval(v)
		if ok != (err == nil) {
			tb.Fatalf("rule %s (%s) on %s: native ok=%v, CEL error %v", s.Rules[i].Name, s.Rules[i].Expr, dumpValues(v), ok, err)
		}
		if ok && types.Bool(got) != out {
			tb.Fatalf("rule %s (%s) on %s: native %v, CEL %v", s.Rules[i].Name, s.Rules[i].Expr, dumpValues(v), got, out)
		}
	}
	gotH, gotE := s.AppendEval(nil, v)
	wantH, wantE := ref.AppendEval(nil, v)
	if !slices.EqualFunc(gotH, wantH, sameHit) {
		diff := cmp.Diff(wantH, gotH)
		tb.Fatalf("on %s: hits differ (-CEL +native):\n%s", dumpValues(v), diff)
	}
	ge, we := flatErrs(gotE), flatErrs(wantE)
	if len(ge) != len(we) || (gotE == nil) != (wantE == nil) {
		tb.Fatalf("on %s: got errors %v, want %v", dumpValues(v), gotE, wantE)
	}
	for k := range ge {
		var g, w *EvalError
		if !errors.As(ge[k], &g) || !errors.As(we[k], &w) {
			tb.Fatalf("got %T, want %T, both *EvalError", ge[k], we[k])
		}
		gc, gok := g.Err.(*types.Err)
		wc, wok := w.Err.(*types.Err)
		if g.Rule != w.Rule || g.Line != w.Line || g.Error() != w.Error() || gok != wok || (gok && gc.NodeID() != wc.NodeID()) {
			tb.Fatalf("on %s: got error %v, want %v", dumpValues(v), g, w)
		}
	}
}

func TestNativeMatchesCELDefault(t *testing.T) {
	s := mustDefault(t)
	ref := celOnly(s)
	r := rand.New(rand.NewPCG(1, 2))
	v := s.NewValues()
	for _, f := range []feat{complainer, honestCritic, {}} {
		checkNativeSame(t, s, ref, fill(t, s, f))
	}
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	for range n {
		randValues(r, v)
		checkNativeSame(t, s, ref, v)
	}
	// Near the default rules' thresholds, where comparisons flip.
	for range n {
		for i, d := range engineVars {
			switch d.Type {
			case Int:
				v.SetInt(i, r.Int64N(5))
			case Double:
				v.SetDouble(i, []float64{0, 0.3, 0.5, 0.7, 0.8, 2.0, math.Nextafter(0.3, 0), math.Nextafter(0.8, 1), math.NaN()}[r.IntN(9)])
			case Bool:
				v.SetBool(i, r.IntN(2) == 0)
			}
		}
		checkNativeSame(t, s, ref, v)
	}
}

func TestNativeMatchesCELHand(t *testing.T) {
	s := mustHand(t)
	ref := celOnly(s)
	r := rand.New(rand.NewPCG(3, 4))
	v := s.NewValues()
	// Every pair of edge ints in (a, b) and of edge doubles in (x, y).
	for _, a := range edgeInts {
		for _, b := range edgeInts {
			randValues(r, v)
			v.SetInt(0, a)
			v.SetInt(1, b)
			checkNativeSame(t, s, ref, v)
		}
	}
	for _, x := range edgeDoubles {
		for _, y := range edgeDoubles {
			randValues(r, v)
			v.SetDouble(3, x)
			v.SetDouble(4, y)
			checkNativeSame(t, s, ref, v)
		}
	}
	n := 5000
	if testing.Short() || raceEnabled {
		n = 1000
	}
	for range n {
		randValues(r, v)
		checkNativeSame(t, s, ref, v)
	}
}

// TestNativeSignedZero: SetDouble(-0) after 0 keeps the +0 CEL sees (the
// values compare equal), so the native path must see +0 as well:
// 1.0 / x tells them apart.
func TestNativeSignedZero(t *testing.T) {
	src := "version = \"1\"\n[rule r]\nwhen = 1.0 / x < 0.0\nthen = flag\n"
	s, err := Parse("z.rules", []byte(src), smallVars, Options{})
	if err != nil || s.natives[0] == nil {
		t.Fatalf("Parse: %v, want a native rule", err)
	}
	ref := celOnly(s)
	v := s.NewValues()
	for _, x := range []float64{0, math.Copysign(0, -1), -1, math.Copysign(0, -1), 0, math.Copysign(0, -1)} {
		v.SetDouble(3, x)
		checkNativeSame(t, s, ref, v)
	}
	v.Reset()
	v.SetDouble(3, math.Copysign(0, -1))
	if hits, _ := s.Eval(v); len(hits) != 0 {
		t.Fatalf("got %v, want no hit: x still holds +0 from Reset", hits)
	}
}

// TestIntArithmeticChecks compares the overflow checks with exact
// arithmetic.
func TestIntArithmeticChecks(t *testing.T) {
	ops := []struct {
		name string
		fn   func(a, b int64) (int64, bool)
		big  func(z, a, b *big.Int) *big.Int
	}{
		{"add", addInt, (*big.Int).Add},
		{"sub", subInt, (*big.Int).Sub},
		{"mul", mulInt, (*big.Int).Mul},
		{"div", divInt, func(z, a, b *big.Int) *big.Int {
			if b.Sign() == 0 {
				return nil
			}
			return z.Quo(a, b) // truncated, as Go and CEL divide
		}},
	}
	r := rand.New(rand.NewPCG(5, 6))
	vals := append([]int64(nil), edgeInts...)
	for _, x := range edgeInts {
		vals = append(vals, -x, x/2, x+1, x-1)
	}
	for range 200 {
		vals = append(vals, int64(r.Uint64()), int64(r.Uint64())>>r.IntN(63))
	}
	minI, maxI := big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)
	for _, op := range ops {
		for _, a := range vals {
			for _, b := range vals {
				got, ok := op.fn(a, b)
				want := op.big(new(big.Int), big.NewInt(a), big.NewInt(b))
				wantOK := want != nil && want.Cmp(minI) >= 0 && want.Cmp(maxI) <= 0
				if ok != wantOK || (ok && got != want.Int64()) {
					t.Fatalf("%s(%d, %d): got %d, %v; want %v, %v", op.name, a, b, got, ok, want, wantOK)
				}
			}
		}
	}
}

// FuzzNative compares the native path with CEL on fuzzed conditions over
// smallVars and fuzzed values.
func FuzzNative(f *testing.F) {
	for _, r := range handRules {
		_, cond, _ := strings.Cut(r, ": ")
		f.Add(cond, int64(7), int64(-3), int64(0), 0.5, -1.5, math.NaN(), true, false)
	}
	f.Add("a * b + c > a - b", int64(math.MaxInt64), int64(2), int64(1), 0.0, 0.0, 0.0, false, false)
	f.Add("x / y < z || a / b == c", int64(math.MinInt64), int64(-1), int64(0), 1.0, 0.0, math.Inf(-1), false, true)
	f.Add("(p ? a : -b) >= x && !(q || y != y)", int64(2), int64(-2), int64(0), 2.0, math.NaN(), 0.0, true, false)
	f.Fuzz(func(t *testing.T, cond string, a, b, c int64, x, y, z float64, p, q bool) {
		if strings.ContainsAny(cond, "\r\n") {
			return
		}
		src := "version = \"1\"\n[rule r]\nwhen = " + cond + "\nthen = flag\nreason = \"{a} {x} {p}\"\n"
		s, err := Parse("f.rules", []byte(src), smallVars, Options{})
		if err != nil {
			return
		}
		v := s.NewValues()
		v.SetInt(0, a)
		v.SetInt(1, b)
		v.SetInt(2, c)
		v.SetDouble(3, x)
		v.SetDouble(4, y)
		v.SetDouble(5, z)
		v.SetBool(6, p)
		v.SetBool(7, q)
		checkNativeSame(t, s, celOnly(s), v)
	})
}

// exprGen writes random conditions of the native subset over smallVars,
// drawing its choices from pick (a random source or fuzz bytes).
type exprGen struct {
	pick func(n int) int
	b    strings.Builder
}

func (g *exprGen) one(alts ...string) { g.b.WriteString(alts[g.pick(len(alts))]) }

// gen writes an expression of type t ("int", "double", "bool", "string").
func (g *exprGen) gen(t string, depth int) {
	leaf := depth <= 0 || g.pick(3) == 0
	if !leaf && g.pick(6) == 0 {
		g.b.WriteString("(")
		g.gen("bool", depth-1)
		g.b.WriteString(" ? ")
		g.gen(t, depth-1)
		g.b.WriteString(" : ")
		g.gen(t, depth-1)
		g.b.WriteString(")")
		return
	}
	switch t {
	case "int", "double":
		if leaf {
			if t == "int" {
				g.one("a", "b", "c", "a", "b", "c", "0", "1", "-1", "2", "-7", "3037000500",
					"9223372036854775807", "-9223372036854775808", "4611686018427387904")
			} else {
				g.one("x", "y", "z", "x", "y", "z", "0.0", "-0.0", "0.5", "-2.5", "1e308", "0.1", "3.0")
			}
			return
		}
		if g.pick(5) == 0 {
			g.b.WriteString("-(")
			g.gen(t, depth-1)
			g.b.WriteString(")")
			return
		}
		g.b.WriteString("(")
		g.gen(t, depth-1)
		g.one(" + ", " - ", " * ", " / ")
		g.gen(t, depth-1)
		g.b.WriteString(")")
	case "string":
		g.one("'a'", "'b'", "''", "'ab'")
	case "bool":
		if leaf {
			g.one("p", "q", "true", "false")
			return
		}
		switch g.pick(4) {
		case 0:
			g.b.WriteString("!(")
			g.gen("bool", depth-1)
			g.b.WriteString(")")
		case 1:
			g.b.WriteString("(")
			g.gen("bool", depth-1)
			g.one(" && ", " || ")
			g.gen("bool", depth-1)
			g.b.WriteString(")")
		default:
			pairs := [][2]string{{"int", "int"}, {"double", "double"}, {"int", "double"},
				{"double", "int"}, {"bool", "bool"}, {"string", "string"}, {"int", "int"}, {"double", "double"}}
			pr := pairs[g.pick(len(pairs))]
			ops := []string{" < ", " <= ", " > ", " >= "}
			if pr[0] == pr[1] {
				ops = append(ops, " == ", " != ")
			}
			g.b.WriteString("(")
			g.gen(pr[0], depth-1)
			g.one(ops...)
			g.gen(pr[1], depth-1)
			g.b.WriteString(")")
		}
	}
}

func genCond(pick func(int) int, depth int) string {
	g := &exprGen{pick: pick}
	g.gen("bool", depth)
	return g.b.String()
}

// parseCond compiles cond as a rule over smallVars, or returns nil if it
// does not compile (over the cost limit, say). The rule must be native.
func parseCond(tb testing.TB, cond string) *Set {
	tb.Helper()
	src := "version = \"1\"\n[rule r]\nwhen = " + cond + "\nthen = flag\nreason = \"{a} {x} {p}\"\n"
	s, err := Parse("g.rules", []byte(src), smallVars, Options{})
	if err != nil {
		return nil
	}
	if s.natives[0] == nil {
		tb.Fatalf("%s: got CEL, want the native path", cond)
	}
	return s
}

// TestNativeRandomConditions checks random conditions of the subset, each
// on several random Values.
func TestNativeRandomConditions(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	n, compiled := 3000, 0
	if testing.Short() || raceEnabled {
		n = 300
	}
	for range n {
		s := parseCond(t, genCond(r.IntN, 1+r.IntN(5)))
		if s == nil {
			continue
		}
		compiled++
		ref, v := celOnly(s), s.NewValues()
		for range 20 {
			randValues(r, v)
			checkNativeSame(t, s, ref, v)
		}
	}
	if compiled < n*9/10 {
		t.Fatalf("only %d of %d generated conditions compiled", compiled, n)
	}
}

// FuzzNativeGenerated is FuzzNative with the condition generated from the
// fuzzer's bytes, so that every input is a condition of the subset.
func FuzzNativeGenerated(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, int64(math.MinInt64), int64(-1), 0.0, math.NaN(), true)
	f.Add([]byte{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}, int64(math.MaxInt64), int64(2), math.Inf(1), -0.0, false)
	f.Fuzz(func(t *testing.T, choices []byte, a, b int64, x, y float64, p bool) {
		k := 0
		pick := func(n int) int {
			if k >= len(choices) {
				return 0
			}
			k++
			return int(choices[k-1]) % n
		}
		s := parseCond(t, genCond(pick, 5))
		if s == nil {
			return
		}
		v := s.NewValues()
		v.SetInt(0, a)
		v.SetInt(1, b)
		v.SetInt(2, a^b)
		v.SetDouble(3, x)
		v.SetDouble(4, y)
		v.SetDouble(5, x*y)
		v.SetBool(6, p)
		v.SetBool(7, !p)
		checkNativeSame(t, s, celOnly(s), v)
	})
}
