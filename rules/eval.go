package rules

import (
	"errors"
	"fmt"

	"cel.dev/cel-go/common/types"
)

// Hit is a rule that fired.
type Hit struct {
	Rule    string   // the rule's name
	Hash    string   // the rule's content hash (Rule.Hash)
	Actions []Action // the rule's actions (shared with the Set: do not modify)
	Score   float64  // the rule's score
	Reason  string   // the reason template rendered with the evaluated values
}

// ErrSchemaMismatch is returned by Eval when the Values is nil, a zero
// Values (not made by NewValues), or was made for variables different from
// the Set's.
var ErrSchemaMismatch = errors.New("rules: values were made for different variables")

// Eval evaluates every rule against v and returns the rules that fired, in
// file order. A rule that fails at run time (a runtime error or its actual
// cost exceeding Options.RuntimeCostLimit) does not fire; Eval still
// evaluates the other rules and returns their hits together with an error
// joining one [*EvalError] per failed rule. Eval returns ErrSchemaMismatch
// if v was made for other variables (see [Set.NewValues]).
func (s *Set) Eval(v *Values) ([]Hit, error) {
	return s.AppendEval(nil, v)
}

// AppendEval is Eval appending the hits to dst, so a caller can reuse one
// slice; it allocates nothing when no rule fires.
func (s *Set) AppendEval(dst []Hit, v *Values) ([]Hit, error) {
	if v == nil || v.sc == nil || (v.sc != s.sc && v.sc.key != s.sc.key) {
		return dst, ErrSchemaMismatch
	}
	var errs []error
	for i, prg := range s.progs {
		if nf := s.natives[i]; nf != nil {
			b, ok := nf(v)
			if ok {
				if b {
					dst = append(dst, s.hit(i, v))
				}
				continue
			}
			// CEL fails on these values: let it say how, below.
		}
		out, _, err := prg.Eval(v)
		if err != nil {
			errs = append(errs, s.evalError(i, err))
			continue
		}
		b, ok := out.(types.Bool)
		if !ok {
			errs = append(errs, s.evalError(i, fmt.Errorf("condition returned %s, want bool", out.Type())))
			continue
		}
		if b {
			dst = append(dst, s.hit(i, v))
		}
	}
	if errs != nil {
		return dst, errors.Join(errs...)
	}
	return dst, nil
}

func (s *Set) evalError(i int, err error) error {
	r := &s.Rules[i]
	return &EvalError{Rule: r.Name, Line: r.Line, Err: err}
}

func (s *Set) hit(i int, v *Values) Hit {
	r := &s.Rules[i]
	h := Hit{Rule: r.Name, Hash: r.Hash, Actions: r.Actions, Score: r.Score}
	if t := s.tmpls[i]; t != nil {
		v.buf = t.render(v.buf[:0], v)
		// A rule often fires again with the same text (the same counts,
		// or the same buyer rescored): share the string rendered last
		// time instead of allocating it again. Only the text is compared,
		// so it does not matter which Set rendered it.
		if i < len(v.reasons) && v.reasons[i] == string(v.buf) {
			h.Reason = v.reasons[i]
		} else {
			h.Reason = string(v.buf)
			if i >= len(v.reasons) {
				v.reasons = append(v.reasons, make([]string, len(s.Rules)-len(v.reasons))...)
			}
			v.reasons[i] = h.Reason
		}
	}
	return h
}
