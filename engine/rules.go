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
	out    []RuleHit
	acts   map[[2]string][]string // each rule's actions as strings, by name and hash
}

// NewRules returns an evaluator for set, which must have been compiled
// against FeatureVars.
func NewRules(set *rules.Set) *Rules { return &Rules{Set: set, values: set.NewValues()} }

// Evaluate implements RuleEvaluator. The hits it returns are valid until
// the next call (the engine reads them at once); their Actions are shared
// and must not be modified.
func (r *Rules) Evaluate(f *Features) ([]RuleHit, error) {
	f.fill(r.values)
	// A rule that fails at run time does not fire; the others still count.
	var err error
	r.hits, err = r.Set.AppendEval(r.hits[:0], r.values)
	if len(r.hits) == 0 {
		return nil, err
	}
	if r.acts == nil {
		r.acts = make(map[[2]string][]string)
	}
	out := r.out[:0]
	for _, h := range r.hits {
		acts, ok := r.acts[[2]string{h.Rule, h.Hash}]
		if !ok {
			acts = make([]string, len(h.Actions))
			for j, a := range h.Actions {
				acts[j] = string(a)
			}
			r.acts[[2]string{h.Rule, h.Hash}] = acts
		}
		out = append(out, RuleHit{Name: h.Rule, Actions: acts, Score: h.Score, Reason: h.Reason})
	}
	r.out = out
	return out, err
}

// fill copies f into v, by the variable positions of FeatureVars (field
// order). TestFillMatchesFeatureVars keeps the two in step.
func (f *Features) fill(v *rules.Values) {
	v.SetInt(0, f.Negatives24h)
	v.SetInt(1, f.Negatives7d)
	v.SetInt(2, f.Negatives30d)
	v.SetInt(3, f.NegativesTotal)
	v.SetInt(4, f.PositivesTotal)
	v.SetInt(5, f.DistinctSellers7d)
	v.SetInt(6, f.DistinctSellers30d)
	v.SetInt(7, f.NewSellerNegatives30d)
	v.SetInt(8, f.FastNegatives30d)
	v.SetInt(9, f.PredeliveryNegatives)
	v.SetInt(10, f.CheapDigitalNegatives30d)
	v.SetInt(11, f.WithdrawnAfterNegative)
	v.SetInt(12, f.ContactDetections)
	v.SetInt(13, f.IntentDetections)
	v.SetInt(14, f.ReportsAgainst)
	v.SetInt(15, f.LinkedAccounts)
	v.SetInt(16, f.RingNegatives7d)
	v.SetInt(17, f.RingDistinctSellers7d)
	v.SetDouble(18, f.AccountAgeDays)
	v.SetDouble(19, f.NewSellerShare)
	v.SetDouble(20, f.MinMinutesToNegative)
	v.SetDouble(21, f.MaxIntent)
	v.SetDouble(22, f.ReportsWeighted)
	v.SetDouble(23, f.ConsensusAgreement)
	v.SetDouble(24, f.Risk)
	v.SetBool(25, f.IsNewAccount)
}
