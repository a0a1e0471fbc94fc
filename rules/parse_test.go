package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const head = "version = \"1\"\n"

// wantErr is one expected problem: exact position, message substring.
type wantErr struct {
	line, col int
	msg       string
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantErr
	}{
		{"missing version", "[rule a]\nwhen = risk > 0.5\nthen = flag\n",
			[]wantErr{{1, 1, "missing version"}}},
		{"version not quoted", "version = 1\n",
			[]wantErr{{1, 11, "version: want a double-quoted string"}}},
		{"version empty", "version = \"  \"\n",
			[]wantErr{{1, 11, "version must not be empty"}}},
		{"version twice", head + "version = \"2\"\n",
			[]wantErr{{2, 1, "duplicate key version (first at line 1)"}}},
		{"key before rule", head + "  when = risk > 0.5\n",
			[]wantErr{{2, 3, `unknown key "when" before the first [rule NAME]`}}},
		{"garbage line", head + "hello world\n",
			[]wantErr{{2, 1, "expected key = value, [rule NAME] or # comment"}}},
		{"bad header", head + "[rules a]\n",
			[]wantErr{{2, 1, "section header must be [rule NAME]"}}},
		{"unclosed header", head + "  [rule a\n",
			[]wantErr{{2, 3, "section header must end with ]"}}},
		{"bad rule name", head + "[rule  9lives]\nwhen = true\nthen = flag\n",
			[]wantErr{{2, 8, `invalid rule name "9lives"`}}},
		{"duplicate rule", head + "[rule a]\nwhen = true\nthen = flag\n[rule a]\nwhen = true\nthen = flag\n",
			[]wantErr{{5, 7, "duplicate rule name a (first defined at line 2)"}}},
		{"unknown key", head + "[rule a]\nwhen = true\nthen = flag\nweight = 2\n",
			[]wantErr{{5, 1, `unknown key "weight" in rule a`}}},
		{"duplicate key", head + "[rule a]\nwhen = true\nthen = flag\n when = false\n",
			[]wantErr{{5, 2, "duplicate key when in rule a (first at line 3)"}}},
		{"missing when and then", head + "[rule a]\nscore = 0.1\n",
			[]wantErr{{2, 1, "rule a has no when"}, {2, 1, "rule a has no then"}}},
		{"unknown action", head + "[rule a]\nwhen = true\nthen = flag, ban,hold\n",
			[]wantErr{{4, 14, `then: unknown action "ban"`}}},
		{"duplicate action", head + "[rule a]\nwhen = true\nthen = hold,hold\n",
			[]wantErr{{4, 13, "then: action hold listed twice"}}},
		{"empty action", head + "[rule a]\nwhen = true\nthen = flag,,hold\n",
			[]wantErr{{4, 13, "then: empty action in list"}}},
		{"empty then", head + "[rule a]\nwhen = true\nthen =\n",
			[]wantErr{{4, 7, "then: want at least one action"}}},
		{"score out of range", head + "[rule a]\nwhen = true\nthen = flag\nscore = 1.5\n",
			[]wantErr{{5, 9, `score: want a number from 0 to 1, got "1.5"`}}},
		{"score NaN", head + "[rule a]\nwhen = true\nthen = flag\nscore = NaN\n",
			[]wantErr{{5, 9, "score: want a number from 0 to 1"}}},
		{"reason unterminated", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"abc\n",
			[]wantErr{{5, 10, "reason: unterminated or invalid string"}}},
		{"reason trailing text", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"abc\" x\n",
			[]wantErr{{5, 10, `reason: unexpected "x" after the closing quote`}}},
		{"unknown placeholder", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"{negatives_7d} to {sellers} sellers\"\n",
			[]wantErr{{5, 29, "reason placeholder {sellers} is not a declared variable"}}},
		{"placeholder after CJK", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"差评{nope}\"\n",
			[]wantErr{{5, 13, "reason placeholder {nope} is not a declared variable"}}},
		{"unclosed placeholder", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"x {risk\"\n",
			[]wantErr{{5, 13, "unclosed { in reason"}}},
		{"stray close brace", head + "[rule a]\nwhen = true\nthen = flag\nreason = \"x } y\"\n",
			[]wantErr{{5, 13, "unmatched } in reason"}}},
		{"undeclared variable", head + "[rule a]\nwhen = negatives_7d >= 3 && nope > 1\nthen = flag\n",
			[]wantErr{{3, 29, "when: undeclared reference to 'nope'"}}},
		{"undeclared after CJK string", head + "[rule a]\nwhen = \"中文\" == \"x\" && nope\nthen = flag\n",
			[]wantErr{{3, 23, "when: undeclared reference to 'nope'"}}},
		{"error on continuation line", head + "[rule a]\nwhen = negatives_7d >= 3 &&\n       risk > 0.5 + 1\nthen = flag\n",
			[]wantErr{{4, 19, "when: found no matching overload for '_+_' applied to '(double, int)'"}}},
		{"syntax error at end", head + "[rule a]\nwhen = negatives_7d +\nthen = flag\n",
			[]wantErr{{3, 22, "when: Syntax error: mismatched input '<EOF>'"}}},
		{"not bool", head + "[rule a]\nwhen   = negatives_7d + 1\nthen = flag\n",
			[]wantErr{{3, 10, "when: condition has type int, want bool"}}},
		{"empty when", head + "[rule a]\nwhen =\nthen = flag\n",
			[]wantErr{{3, 7, "when: empty condition"}}},
		{"all problems listed in order", head + "[rule a]\nwhen = nope\nthen = ban\n[rule b]\nwhen = risk\nthen = flag\nreason = \"{x}\"\n",
			[]wantErr{
				{3, 8, "undeclared reference to 'nope'"},
				{4, 8, `unknown action "ban"`},
				{6, 8, "condition has type double, want bool"},
				{8, 11, "reason placeholder {x}"},
			}},
		{"doc example", "version = \"1\"\n\n[rule a]\nwhen = negatives_7d >= 3 && nope\nthen = flag, ban\nreason = \"{negatives_7d} to {sellers} sellers\"\n\n[rule b]\nwhen = negatives_7d + 1\nthen = hold\n",
			[]wantErr{
				{4, 29, "when: undeclared reference to 'nope'"},
				{5, 14, `then: unknown action "ban"; want flag, hold, alert or review`},
				{6, 29, "reason placeholder {sellers} is not a declared variable"},
				{9, 8, "when: condition has type int, want bool"},
			}},
		{"invalid utf-8", head + "[rule a]\nwhen = \xff\nthen = flag\n",
			[]wantErr{{3, 1, "not valid UTF-8"}, {2, 1, "rule a has no when"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.rules", []byte(tt.src), engineVars, Options{})
			if s != nil {
				t.Fatalf("got a Set, want an error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got error %v (%T), want an ErrorList", err, err)
			}
			want := tt.want
			// Positions are sorted; sort the expectations the same way.
			got := make([]wantErr, len(list))
			for i, e := range list {
				got[i] = wantErr{e.Line, e.Col, e.Msg}
				if e.File != "t.rules" {
					t.Fatalf("error %d: got file %q, want t.rules", i, e.File)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
			}
			sortWant(want)
			for i := range want {
				if got[i].line != want[i].line || got[i].col != want[i].col || !strings.Contains(got[i].msg, want[i].msg) {
					t.Fatalf("error %d: got %d:%d: %s, want %d:%d: ...%s...", i, got[i].line, got[i].col, got[i].msg, want[i].line, want[i].col, want[i].msg)
				}
			}
			// The error text is "FILE:LINE:COL: message", one per line.
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(list) || !strings.HasPrefix(lines[0], "t.rules:") {
				t.Fatalf("got error text %q, want one t.rules:LINE:COL line per problem", err.Error())
			}
		})
	}
}

func sortWant(w []wantErr) {
	for i := 1; i < len(w); i++ {
		for j := i; j > 0 && (w[j].line < w[j-1].line || (w[j].line == w[j-1].line && w[j].col < w[j-1].col)); j-- {
			w[j], w[j-1] = w[j-1], w[j]
		}
	}
}

func TestParseOK(t *testing.T) {
	src := `# leading comment
version = "2026-11-27.1"

[rule burst_new_sellers]
# a comment inside a rule
  when   = negatives_7d >= 3 && distinct_sellers_7d >= 3 // CEL comment
           # comments may sit inside a continued condition
           && new_seller_share >= 0.5
  then   = flag , hold
  score  = 0.5
  reason = "{negatives_7d} negatives to {distinct_sellers_7d} sellers {{7d}}"
  doc    = "burst"

[rule contact]
when = contact_detections >= 1
then = alert
`
	s, err := Parse("t.rules", []byte(src), engineVars, Options{})
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if s.Version != "2026-11-27.1" || s.Name != "t.rules" {
		t.Fatalf("got version %q name %q, want 2026-11-27.1 t.rules", s.Version, s.Name)
	}
	want := []Rule{
		{Name: "burst_new_sellers", Expr: "negatives_7d >= 3 && distinct_sellers_7d >= 3 // CEL comment\n&& new_seller_share >= 0.5",
			Actions: []Action{ActionFlag, ActionHold}, Score: 0.5,
			Reason: "{negatives_7d} negatives to {distinct_sellers_7d} sellers {{7d}}", Doc: "burst", Line: 4},
		{Name: "contact", Expr: "contact_detections >= 1", Actions: []Action{ActionAlert}, Line: 14},
	}
	ignore := cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".Cost" || n == ".Hash" || n == ".CostTracked"
	}, cmp.Ignore())
	if diff := cmp.Diff(want, s.Rules, ignore); diff != "" {
		t.Fatalf("rules mismatch (-want +got):\n%s", diff)
	}
	for _, r := range s.Rules {
		if r.Cost == 0 || len(r.Hash) != 16 || r.CostTracked {
			t.Fatalf("rule %s: got cost %d hash %q tracked %v, want cost > 0, 16-digit hash, untracked", r.Name, r.Cost, r.Hash, r.CostTracked)
		}
	}
	// The condition's second line still counts after the // comment.
	for _, tc := range []struct {
		share float64
		want  int
	}{{0.2, 0}, {0.6, 1}} {
		hits, err := s.Eval(fill(t, s, feat{"negatives_7d": 3, "distinct_sellers_7d": 3, "new_seller_share": tc.share}))
		if err != nil || len(hits) != tc.want {
			t.Fatalf("share %v: got %v, %v, want %d hits", tc.share, hits, err, tc.want)
		}
	}
	if !strings.HasPrefix(s.Hash, "sha256:") || len(s.Hash) != 7+64 {
		t.Fatalf("got hash %q, want sha256:<64 hex>", s.Hash)
	}
}

func TestEmptySetAllowed(t *testing.T) {
	s, err := Parse("e.rules", []byte("# nothing yet\nversion = \"0\"\n"), engineVars, Options{})
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	hits, err := s.Eval(s.NewValues())
	if err != nil || len(hits) != 0 {
		t.Fatalf("got %v, %v, want no hits and no error", hits, err)
	}
}

func TestHash(t *testing.T) {
	base := head + "[rule a]\nwhen = risk > 0.5\nthen = flag\nscore = 0.5\nreason = \"r {risk}\"\n"
	hash := func(src string) string {
		t.Helper()
		s, err := Parse("h.rules", []byte(src), engineVars, Options{})
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		return s.Hash
	}
	h0 := hash(base)
	same := []string{
		"# comment\n" + base,
		strings.ReplaceAll(base, " = ", "   =   ") + "\n\n",
		base + "doc = \"docs do not change behaviour\"\n",
	}
	for _, src := range same {
		if got := hash(src); got != h0 {
			t.Fatalf("got hash %s for %q, want %s (layout, comments and doc must not matter)", got, src, h0)
		}
	}
	different := []string{
		strings.Replace(base, `"1"`, `"2"`, 1),
		strings.Replace(base, "0.5\nthen", "0.6\nthen", 1),
		strings.Replace(base, "then = flag", "then = flag, hold", 1),
		strings.Replace(base, "score = 0.5", "score = 0.4", 1),
		strings.Replace(base, "r {risk}", "R {risk}", 1),
		strings.Replace(base, "[rule a]", "[rule b]", 1),
	}
	seen := map[string]string{h0: base}
	for _, src := range different {
		h := hash(src)
		if prev, dup := seen[h]; dup {
			t.Fatalf("got the same hash for %q and %q, want different", prev, src)
		}
		seen[h] = src
	}
}

func TestCostLimitRejected(t *testing.T) {
	// Nested comprehensions over literal lists: 3*3*10 inner iterations.
	src := head + "[rule pricey]\nwhen = [1,2,3].all(x, [1,2,3].all(y, [1,2,3,4,5,6,7,8,9,10].exists(z, x+y+z > negatives_7d)))\nthen = flag\n"
	_, err := Parse("c.rules", []byte(src), engineVars, Options{MaxCost: 100})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("got %v, want one error", err)
	}
	e := list[0]
	if e.Line != 3 || e.Col != 8 || !strings.Contains(e.Msg, "estimated cost 1169 exceeds the limit 100") {
		t.Fatalf("got %v, want c.rules:3:8: when: estimated cost 1169 exceeds the limit 100 ...", e)
	}
	// The same rule under a higher limit compiles and reports its estimate.
	s, err := Parse("c.rules", []byte(src), engineVars, Options{MaxCost: 2000})
	if err != nil {
		t.Fatalf("got %v, want no error with MaxCost 2000", err)
	}
	if got := s.Rules[0].Cost; got != 1169 {
		t.Fatalf("got cost %d, want 1169", got)
	}
}

func TestValidate(t *testing.T) {
	if got := Validate("ok.rules", []byte(head), engineVars, Options{}); got != nil {
		t.Fatalf("got %v, want nil", got)
	}
	got := Validate("v.rules", []byte(head+"[rule a]\nwhen = nope\nthen = flag\n"), engineVars, Options{})
	want := ErrorList{{File: "v.rules", Line: 3, Col: 8, Msg: "when: undeclared reference to 'nope'"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Validate mismatch (-want +got):\n%s", diff)
	}
	bad := Validate("v.rules", []byte(head), []Var{{Name: "x", Type: 0}}, Options{})
	if len(bad) != 1 || bad[0].Line != 1 || !strings.Contains(bad[0].Msg, "invalid type") {
		t.Fatalf("got %v, want one 1:1 error about an invalid type", bad)
	}
}

func TestInvalidVars(t *testing.T) {
	tests := []struct {
		name string
		vars []Var
		want string
	}{
		{"bad name", []Var{{Name: "a-b", Type: Int}}, `invalid name "a-b"`},
		{"empty name", []Var{{Name: "", Type: Int}}, `invalid name ""`},
		{"reserved", []Var{{Name: "in", Type: Int}}, "reserved word"},
		{"zero type", []Var{{Name: "a"}}, "invalid type Type(0)"},
		{"duplicate", []Var{{Name: "a", Type: Int}, {Name: "a", Type: Bool}}, "declared twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.rules", []byte(head), tt.vars, Options{})
			var list ErrorList
			if err == nil || errors.As(err, &list) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a non-ErrorList error containing %q", err, tt.want)
			}
		})
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{Int: "int", Double: "double", Bool: "bool", String: "string", 9: "Type(9)"} {
		if got := typ.String(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
