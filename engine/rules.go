package engine

import (
	"reflect"

	"github.com/fairmark/fairmark/rules"
)

// featureFields maps each Features field to its rule variable.
var featureFields = func() []rules.Var {
	t := reflect.TypeFor[Features]()
	vars := make([]rules.Var, t.NumField())
	for i := range vars {
		f := t.Field(i)
		v := rules.Var{Name: f.Tag.Get("rule")}
		switch f.Type.Kind() {
		case reflect.Int64:
			v.Type = rules.Int
		case reflect.Float64:
			v.Type = rules.Double
		case reflect.Bool:
			v.Type = rules.Bool
		default:
			panic("engine: Features field " + f.Name + " has no rule type")
		}
		vars[i] = v
	}
	return vars
}()

// FeatureVars declares the rule variables of Features, in field order.
func FeatureVars() []rules.Var { return append([]rules.Var(nil), featureFields...) }

// Rules evaluates a compiled rule set over Features. It is used by one
// engine (not safe for concurrent use: it reuses one Values).
type Rules struct {
	Set    *rules.Set
	values *rules.Values
	hits   []rules.Hit
}

// NewRules returns an evaluator for set, which must have been compiled
// against FeatureVars.
func NewRules(set *rules.Set) *Rules { return &Rules{Set: set, values: set.NewValues()} }

// Evaluate implements RuleEvaluator.
func (r *Rules) Evaluate(f *Features) ([]RuleHit, error) {
	v := reflect.ValueOf(f).Elem()
	for i, fv := range featureFields {
		switch fv.Type {
		case rules.Int:
			r.values.SetInt(i, v.Field(i).Int())
		case rules.Double:
			r.values.SetDouble(i, v.Field(i).Float())
		case rules.Bool:
			r.values.SetBool(i, v.Field(i).Bool())
		}
	}
	// A rule that fails at run time does not fire; the others still count.
	var err error
	r.hits, err = r.Set.AppendEval(r.hits[:0], r.values)
	if len(r.hits) == 0 {
		return nil, err
	}
	out := make([]RuleHit, len(r.hits))
	for i, h := range r.hits {
		acts := make([]string, len(h.Actions))
		for j, a := range h.Actions {
			acts[j] = string(a)
		}
		out[i] = RuleHit{Name: h.Rule, Actions: acts, Score: h.Score, Reason: h.Reason}
	}
	return out, err
}
