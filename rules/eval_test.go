package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cel.dev/cel-go/cel"
	"github.com/google/go-cmp/cmp"
)

func mustDefault(tb testing.TB) *Set {
	tb.Helper()
	s, err := Default(engineVars)
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return s
}

func firedNames(hits []Hit) []string {
	names := []string{}
	for _, h := range hits {
		names = append(names, h.Rule)
	}
	return names
}

func TestDefaultLoads(t *testing.T) {
	s := mustDefault(t)
	if s.Version == "" || len(s.Rules) != 10 {
		t.Fatalf("got version %q and %d rules, want a version and 10 rules", s.Version, len(s.Rules))
	}
	for _, r := range s.Rules {
		if r.Reason == "" || r.Doc == "" || len(r.Actions) == 0 {
			t.Fatalf("rule %s: got reason %q doc %q actions %v, want all set", r.Name, r.Reason, r.Doc, r.Actions)
		}
		if r.CostTracked {
			t.Fatalf("rule %s: got CostTracked, want untracked (no String vars, estimate %d within limit)", r.Name, r.Cost)
		}
	}
	if got := string(DefaultSource()); !strings.Contains(got, "version = ") {
		t.Fatalf("DefaultSource: got %q, want the rule file", got)
	}
}

func TestDefaultNeedsVocabulary(t *testing.T) {
	vars := slices.DeleteFunc(slices.Clone(engineVars), func(v Var) bool { return v.Name == "consensus_agreement" })
	_, err := Default(vars)
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 || !strings.Contains(list[0].Msg, "undeclared reference to 'consensus_agreement'") {
		t.Fatalf("got %v, want errors naming consensus_agreement", err)
	}
	if list[0].File != "default.rules" {
		t.Fatalf("got file %q, want default.rules", list[0].File)
	}
}

func TestDefaultPersonas(t *testing.T) {
	s := mustDefault(t)
	tests := []struct {
		name string
		f    feat
		want []string
	}{
		{"professional complainer", complainer, []string{
			"fast_negatives_new_sellers", "extortion_intent", "off_platform_contact", "paid_withdrawals",
			"new_account_burst", "predelivery_negatives", "model_risk_high"}},
		{"honest critic", honestCritic, []string{}},
		{"honest critic of a bad new shop", feat{
			// Several quick, justified negatives to new sellers; other
			// buyers say the same.
			"negatives_7d": 3, "negatives_30d": 3, "negatives_total": 5, "positives_total": 40,
			"distinct_sellers_7d": 3, "distinct_sellers_30d": 3, "new_seller_negatives_30d": 3,
			"fast_negatives_30d": 2, "account_age_days": 700.0, "new_seller_share": 1.0,
			"min_minutes_to_negative": 40.0, "consensus_agreement": 0.9, "risk": 0.2,
		}, []string{}},
		{"new buyer complaining about late shipping", feat{
			"negatives_7d": 1, "negatives_30d": 2, "negatives_total": 2, "distinct_sellers_30d": 2,
			"predelivery_negatives": 2, "account_age_days": 10.0, "is_new_account": true,
			"consensus_agreement": 0.7, "risk": 0.3, "min_minutes_to_negative": 7200.0,
		}, []string{}},
		{"buyer who shared a phone number once", feat{
			"contact_detections": 1, "positives_total": 3, "account_age_days": 300.0, "risk": 0.1,
		}, []string{"off_platform_contact"}},
		{"ring member", feat{
			"negatives_7d": 1, "negatives_total": 1, "linked_accounts": 4,
			"ring_negatives_7d": 6, "ring_distinct_sellers_7d": 5, "account_age_days": 20.0, "is_new_account": true,
			"consensus_agreement": 0.2, "risk": 0.5,
		}, []string{"ring_burst"}},
		{"cheap digital baiter", feat{
			"negatives_30d": 4, "negatives_total": 4, "cheap_digital_negatives_30d": 4,
			"distinct_sellers_30d": 4, "consensus_agreement": 0.05, "account_age_days": 90.0, "risk": 0.6,
		}, []string{"cheap_digital_burst"}},
		{"reported by credible sellers", feat{
			"negatives_total": 3, "reports_against": 4, "reports_weighted": 2.5, "account_age_days": 90.0,
			"consensus_agreement": 0.6,
		}, []string{"credible_reports"}},
		{"model says risky, nothing else", feat{"risk": 0.85, "account_age_days": 400.0, "consensus_agreement": 0.5},
			[]string{"model_risk_high"}},
		{"intent without any negative", feat{"intent_detections": 1, "max_intent": 0.7}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Eval(fill(t, s, tt.f))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := cmp.Diff(tt.want, firedNames(hits)); diff != "" {
				t.Fatalf("fired rules mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHitContents(t *testing.T) {
	s := mustDefault(t)
	hits, err := s.Eval(fill(t, s, complainer))
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	want := Hit{
		Rule:    "fast_negatives_new_sellers",
		Hash:    s.Rules[0].Hash,
		Actions: []Action{ActionReview},
		Score:   0.3,
		Reason:  "5 negatives within an hour of purchase, 4 in 7 days, mostly to new sellers; agreement with other buyers 0.1",
	}
	if diff := cmp.Diff(want, hits[0]); diff != "" {
		t.Fatalf("first hit mismatch (-want +got):\n%s", diff)
	}
	if got, want := hits[len(hits)-1].Reason, "model risk 0.91"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReasonRendering(t *testing.T) {
	vars := []Var{{Name: "n", Type: Int}, {Name: "d", Type: Double}, {Name: "b", Type: Bool}, {Name: "s", Type: String}}
	tests := []struct {
		name   string
		reason string
		f      feat
		want   string
	}{
		{"int", "{n} negatives", feat{"n": -12}, "-12 negatives"},
		{"double two decimals", "share {d}", feat{"d": 1.0 / 3}, "share 0.33"},
		{"double trailing zeros dropped", "{d}", feat{"d": 2.5}, "2.5"},
		{"double integral", "{d} days", feat{"d": 12.0}, "12 days"},
		{"double rounds to zero", "{d}", feat{"d": -0.001}, "0"},
		{"bool and string", "{b} {s}", feat{"b": true, "s": "加我微信"}, "true 加我微信"},
		{"literal braces", "{{n}} is {n}}}", feat{"n": 3}, "{n} is 3}"},
		{"no placeholders", "plain", feat{}, "plain"},
		{"zero values", "{n}/{d}/{b}/{s}.", feat{}, "0/0/false/."},
		{"adjacent", "{n}{n}", feat{"n": 7}, "77"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + "[rule r]\nwhen = true\nthen = flag\nreason = \"" + strings.ReplaceAll(tt.reason, `"`, `\"`) + "\"\n"
			s, err := Parse("r.rules", []byte(src), vars, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			hits, err := s.Eval(fill(t, s, tt.f))
			if err != nil || len(hits) != 1 {
				t.Fatalf("got %v, %v, want one hit", hits, err)
			}
			if hits[0].Reason != tt.want {
				t.Fatalf("got %q, want %q", hits[0].Reason, tt.want)
			}
		})
	}
}

// stringVars adds a String feature for the runtime cost tests.
var stringVars = append(slices.Clone(engineVars), Var{Name: "last_message", Type: String})

func TestRuntimeCostLimitLongString(t *testing.T) {
	// The static estimate assumes last_message is at most 100 characters;
	// at run time it is a megabyte, so only the runtime limit stops it.
	src := head + `[rule contains_wechat]
when = last_message.contains("wechat") || last_message.matches("v[x]?[0-9]{6}")
then = review

[rule burst]
when = negatives_7d >= 3
then = flag
`
	s, err := Parse("s.rules", []byte(src), stringVars, Options{MaxStringLen: 100})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !s.Rules[0].CostTracked || s.Rules[1].CostTracked {
		t.Fatalf("got tracked %v/%v, want the String rule tracked and the Int rule not", s.Rules[0].CostTracked, s.Rules[1].CostTracked)
	}
	v := fill(t, s, feat{"negatives_7d": 5, "last_message": "hi wechat"})
	hits, err := s.Eval(v)
	if err != nil || len(hits) != 2 {
		t.Fatalf("short message: got %v, %v, want both rules to fire", firedNames(hits), err)
	}
	v.SetString(v.Index("last_message"), strings.Repeat("a", 1<<20))
	hits, err = s.Eval(v)
	var ee *EvalError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want an *EvalError", err)
	}
	if ee.Rule != "contains_wechat" || ee.Line != 2 || !strings.Contains(ee.Error(), "cost limit exceeded") {
		t.Fatalf("got %v, want rule contains_wechat (line 2) over its cost limit", ee)
	}
	if diff := cmp.Diff([]string{"burst"}, firedNames(hits)); diff != "" {
		t.Fatalf("other rules must still be evaluated (-want +got):\n%s", diff)
	}
}

func TestRuntimeCostLimitLow(t *testing.T) {
	src := head + "[rule pricey]\nwhen = [1,2,3].all(x, [1,2,3].all(y, [1,2,3,4,5,6,7,8,9,10].exists(z, x+y+z > negatives_7d)))\nthen = flag\n"
	// Compiles under MaxCost, but the runtime limit is lower than what
	// this evaluation costs.
	s, err := Parse("c.rules", []byte(src), engineVars, Options{MaxCost: 2000, RuntimeCostLimit: 50})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !s.Rules[0].CostTracked {
		t.Fatalf("got untracked, want tracked: estimate %d is over the runtime limit 50", s.Rules[0].Cost)
	}
	// With negatives_7d large, exists() never finds a match and every
	// iteration runs.
	hits, err := s.Eval(fill(t, s, feat{"negatives_7d": 1000}))
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Rule != "pricey" || len(hits) != 0 {
		t.Fatalf("got %v, %v, want an EvalError for pricey and no hits", hits, err)
	}
	// A generous runtime limit lets the same evaluation finish.
	s2, err := Parse("c.rules", []byte(src), engineVars, Options{MaxCost: 2000})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if hits, err := s2.Eval(fill(t, s2, feat{"negatives_7d": 1000})); err != nil || len(hits) != 0 {
		t.Fatalf("got %v, %v, want no hits and no error", hits, err)
	}
}

func TestRuntimeErrorNamesRule(t *testing.T) {
	src := head + `[rule ratio]
when = negatives_total / positives_total >= 2
then = flag

[rule contact]
when = contact_detections >= 1
then = alert
`
	s, err := Parse("d.rules", []byte(src), engineVars, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	hits, err := s.Eval(fill(t, s, feat{"negatives_total": 3, "contact_detections": 1}))
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Rule != "ratio" || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("got %v, want an EvalError for rule ratio: division by zero", err)
	}
	if !strings.HasPrefix(err.Error(), "rule ratio (line 2): ") {
		t.Fatalf("got %q, want it to start with rule ratio (line 2)", err.Error())
	}
	if diff := cmp.Diff([]string{"contact"}, firedNames(hits)); diff != "" {
		t.Fatalf("hits mismatch (-want +got):\n%s", diff)
	}
	hits, err = s.Eval(fill(t, s, feat{"negatives_total": 4, "positives_total": 2}))
	if err != nil || len(hits) != 1 || hits[0].Rule != "ratio" {
		t.Fatalf("got %v, %v, want ratio to fire", hits, err)
	}
}

func TestDeterminism(t *testing.T) {
	a, b := mustDefault(t), mustDefault(t)
	if a.Hash != b.Hash {
		t.Fatalf("got hashes %s and %s, want equal", a.Hash, b.Hash)
	}
	va, vb := fill(t, a, complainer), fill(t, b, complainer)
	first, err := a.Eval(va)
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	for i := 0; i < 50; i++ {
		got, err := b.Eval(vb)
		if err != nil {
			t.Fatalf("Eval: %v", err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("run %d differs (-first +got):\n%s", i, diff)
		}
	}
	// Values from one Set work with another Set over the same vars.
	if got, err := a.Eval(vb); err != nil || len(got) != len(first) {
		t.Fatalf("got %d hits, %v, want %d hits", len(got), err, len(first))
	}
}

func TestSchemaMismatch(t *testing.T) {
	s := mustDefault(t)
	other, err := Parse("o.rules", []byte(head), stringVars, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if _, err := s.Eval(other.NewValues()); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("got %v, want ErrSchemaMismatch", err)
	}
	if _, err := s.Eval(&Values{}); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("got %v, want ErrSchemaMismatch for a zero Values", err)
	}
	if _, err := s.Eval(nil); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("got %v, want ErrSchemaMismatch for nil Values", err)
	}
}

func TestValuesAccessors(t *testing.T) {
	s, err := Parse("v.rules", []byte(head), stringVars, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	v := s.NewValues()
	ni, ri, bi, si := v.Index("negatives_7d"), v.Index("risk"), v.Index("is_new_account"), v.Index("last_message")
	v.SetInt(ni, 300)
	v.SetDouble(ri, 0.75)
	v.SetBool(bi, true)
	v.SetString(si, "x")
	if v.IntAt(ni) != 300 || v.DoubleAt(ri) != 0.75 || !v.BoolAt(bi) || v.StringAt(si) != "x" {
		t.Fatalf("got %d %v %v %q, want 300 0.75 true x", v.IntAt(ni), v.DoubleAt(ri), v.BoolAt(bi), v.StringAt(si))
	}
	if got, ok := v.ResolveName("nope"); ok || got != nil {
		t.Fatalf("ResolveName(nope): got %v %v, want nil false", got, ok)
	}
	v.Reset()
	if v.IntAt(ni) != 0 || v.DoubleAt(ri) != 0 || v.BoolAt(bi) || v.StringAt(si) != "" {
		t.Fatalf("after Reset: got non-zero values")
	}
	if v.Index("nope") != -1 || len(v.Vars()) != len(stringVars) {
		t.Fatalf("got Index(nope)=%d len(Vars)=%d, want -1 and %d", v.Index("nope"), len(v.Vars()), len(stringVars))
	}
	panics := []struct {
		name string
		fn   func()
		want string
	}{
		{"wrong type", func() { v.SetDouble(ni, 1) }, "variable negatives_7d is int, set as double"},
		{"out of range", func() { v.SetInt(len(stringVars), 1) }, "out of range"},
		{"negative", func() { v.IntAt(-1) }, "out of range"},
	}
	for _, p := range panics {
		t.Run(p.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, p.want) {
					t.Fatalf("got panic %v, want one containing %q", r, p.want)
				}
			}()
			p.fn()
		})
	}
}

func TestEvalAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	s := mustDefault(t)
	v := fill(t, s, honestCritic)
	var hits []Hit
	var err error
	allocs := testing.AllocsPerRun(200, func() { hits, err = s.AppendEval(hits[:0], v) })
	if err != nil || len(hits) != 0 {
		t.Fatalf("got %v, %v, want no hits", hits, err)
	}
	// Every default rule runs natively (native.go), which allocates
	// nothing. (On CEL, boxing the -1 of a double comparison that comes
	// out "less" cost one 8-byte allocation per Eval here.)
	if allocs != 0 {
		t.Fatalf("got %v allocations per Eval, want 0", allocs)
	}
}

// TestFillAndEvalAllocations: refilling a Values with new values and
// evaluating the default rules allocates nothing, as they all run
// natively and nothing boxes the values for CEL.
func TestFillAndEvalAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	s := mustDefault(t)
	v := fill(t, s, honestCritic)
	var hits []Hit
	var err error
	k := 0
	allocs := testing.AllocsPerRun(200, func() {
		k++
		for i, d := range engineVars {
			switch d.Type {
			case Int:
				v.SetInt(i, int64(-1000-k)) // below every threshold
			case Double:
				v.SetDouble(i, 0.01*float64(k+i))
			case Bool:
				v.SetBool(i, k%2 == 0)
			}
		}
		v.SetDouble(v.Index("consensus_agreement"), 0.9) // nothing fires
		v.SetDouble(v.Index("risk"), 0.1)
		hits, err = s.AppendEval(hits[:0], v)
	})
	if err != nil || len(hits) != 0 {
		t.Fatalf("got %v, %v, want no hits", hits, err)
	}
	if allocs != 0 {
		t.Fatalf("got %v allocations per fill and Eval, want 0", allocs)
	}
}

// TestStaticEstimateBoundsActual backs the decision to run rules without
// runtime cost accounting: for rules that read no String variable, the
// actual cost never exceeds CEL's static estimate.
func TestStaticEstimateBoundsActual(t *testing.T) {
	s := mustDefault(t)
	env, err := newEnv(s.sc)
	if err != nil {
		t.Fatal(err)
	}
	personas := []feat{complainer, honestCritic, {}}
	// Every int at 1000 and every double at 1: all conditions' first
	// comparisons pass, which makes && evaluate the most terms.
	all := feat{}
	for _, v := range engineVars {
		switch v.Type {
		case Int:
			all[v.Name] = 1000
		case Double:
			all[v.Name] = 1.0
		case Bool:
			all[v.Name] = true
		}
	}
	personas = append(personas, all)
	for _, r := range s.Rules {
		ast, iss := env.Compile(r.Expr)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		prg, err := env.Program(ast, cel.EvalOptions(cel.OptTrackCost, cel.OptOptimize))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range personas {
			_, det, err := prg.Eval(fill(t, s, f))
			if err != nil {
				t.Fatalf("rule %s persona %d: %v", r.Name, i, err)
			}
			if got := *det.ActualCost(); got > r.Cost || got == 0 {
				t.Fatalf("rule %s persona %d: actual cost %d, want 1..%d (the static estimate)", r.Name, i, got, r.Cost)
			}
		}
	}
}

func TestResolveNameCache(t *testing.T) {
	s := mustDefault(t)
	v := fill(t, s, complainer)
	// Names from fresh memory (not the interned literals), twice each so
	// the second lookup goes through the cache, and every declared name so
	// cache slots collide.
	for round := 0; round < 2; round++ {
		for i, d := range engineVars {
			name := string([]byte(d.Name))
			got, ok := v.ResolveName(name)
			if !ok || got != v.vals[i] {
				t.Fatalf("round %d: ResolveName(%s): got %v %v, want %v true", round, name, got, ok, v.vals[i])
			}
			// A prefix shares the address but not the length.
			if got, ok := v.ResolveName(name[:len(name)-1]); ok {
				t.Fatalf("ResolveName(%s): got %v, want not found", name[:len(name)-1], got)
			}
		}
	}
	if got, ok := v.ResolveName(""); ok {
		t.Fatalf("ResolveName(\"\"): got %v, want not found", got)
	}
}

func TestConcurrentEval(t *testing.T) {
	s := mustDefault(t)
	want, err := s.Eval(fill(t, s, complainer))
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	errc := make(chan string, 4)
	for g := 0; g < 4; g++ {
		v := fill(t, s, complainer) // one Values per goroutine
		go func() {
			for i := 0; i < 200; i++ {
				got, err := s.Eval(v)
				if err != nil || !cmp.Equal(want, got) {
					errc <- fmt.Sprintf("got %v, %v, want %v", got, err, want)
					return
				}
			}
			errc <- ""
		}()
	}
	for g := 0; g < 4; g++ {
		if msg := <-errc; msg != "" {
			t.Fatal(msg)
		}
	}
}
