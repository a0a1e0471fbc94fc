package rules

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every reported problem
// has a sane position, and that a Set that compiles evaluates without
// panicking. Seeds: f.Add below and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(DefaultSource())
	f.Add([]byte(head + "[rule a]\nwhen = negatives_7d >= 3 &&\n  risk > 0.5\nthen = flag, hold\nscore = 0.5\nreason = \"{negatives_7d} {{x}}\"\n"))
	f.Add([]byte(head + "[rule a]\nwhen = last_message.contains(\"微信\")\nthen = alert\n"))
	f.Add([]byte(head + "[rule a]\nwhen = negatives_total / positives_total > 2\nthen = review\n"))
	f.Add([]byte("[rule\nwhen = = =\n\"\\x\n{}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("f.rules", src, stringVars, Options{MaxCost: 5000})
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("got %v (%T), want a non-empty ErrorList", err, err)
			}
			nlines := strings.Count(string(src), "\n") + 1
			for _, e := range list {
				if e.Line < 1 || e.Line > nlines || e.Col < 1 {
					t.Fatalf("got position %d:%d in a %d-line file: %v", e.Line, e.Col, nlines, e)
				}
			}
			return
		}
		if s.Version == "" || !strings.HasPrefix(s.Hash, "sha256:") {
			t.Fatalf("got version %q hash %q, want both set", s.Version, s.Hash)
		}
		v := s.NewValues()
		if _, err := s.Eval(v); err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("got %v (%T), want EvalErrors only", err, err)
			}
		}
		_ = s.Explain()
	})
}
