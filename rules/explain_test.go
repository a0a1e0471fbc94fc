package rules

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	src := head + "[rule a]\nwhen = negatives_7d >= 3\n  && risk > 0.5\nthen = flag, hold\nscore = 0.25\nreason = \"{negatives_7d} in 7 days\"\ndoc = \"burst\"\n"
	s, err := Parse("x.rules", []byte(src), engineVars, Options{MaxCost: 50})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := s.Explain()
	want := []string{
		"x.rules: version 1, " + s.Hash + "\n",
		"1 rules; cost limits: static 50, runtime 50; string variables assumed at most 1024 characters\n",
		"[rule a]  line 2, hash " + s.Rules[0].Hash + ", estimated cost ",
		"(proven under the runtime limit)\n",
		"  when   negatives_7d >= 3\n         && risk > 0.5\n",
		"  then   flag, hold\n  score  0.25\n  reason {negatives_7d} in 7 days\n  doc    burst\n",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("got\n%s\nwant it to contain %q", got, w)
		}
	}
	if len(s.Vars()) != len(engineVars) {
		t.Fatalf("got %d vars, want %d", len(s.Vars()), len(engineVars))
	}
}
