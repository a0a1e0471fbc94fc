package rules

import "testing"

// engineVars is the engine's feature vocabulary, declared as the engine
// will declare it.
var engineVars = []Var{
	{Name: "negatives_24h", Type: Int},
	{Name: "negatives_7d", Type: Int},
	{Name: "negatives_30d", Type: Int},
	{Name: "negatives_total", Type: Int},
	{Name: "positives_total", Type: Int},
	{Name: "distinct_sellers_7d", Type: Int},
	{Name: "distinct_sellers_30d", Type: Int},
	{Name: "new_seller_negatives_30d", Type: Int},
	{Name: "fast_negatives_30d", Type: Int, Doc: "negatives within 60 minutes of purchase"},
	{Name: "predelivery_negatives", Type: Int, Doc: "negatives on a physical item before delivery"},
	{Name: "cheap_digital_negatives_30d", Type: Int},
	{Name: "withdrawn_after_negative", Type: Int, Doc: "negatives later withdrawn or revised to positive"},
	{Name: "contact_detections", Type: Int},
	{Name: "intent_detections", Type: Int},
	{Name: "reports_against", Type: Int},
	{Name: "linked_accounts", Type: Int},
	{Name: "ring_negatives_7d", Type: Int},
	{Name: "ring_distinct_sellers_7d", Type: Int},
	{Name: "account_age_days", Type: Double},
	{Name: "new_seller_share", Type: Double},
	{Name: "min_minutes_to_negative", Type: Double},
	{Name: "max_intent", Type: Double},
	{Name: "reports_weighted", Type: Double},
	{Name: "consensus_agreement", Type: Double},
	{Name: "risk", Type: Double},
	{Name: "is_new_account", Type: Bool},
}

// feat is a hand-made feature vector by name; unset names stay zero.
type feat map[string]any

// fill sets f into a fresh Values for s, failing the test on unknown names.
func fill(tb testing.TB, s *Set, f feat) *Values {
	tb.Helper()
	v := s.NewValues()
	for name, x := range f {
		i := v.Index(name)
		if i < 0 {
			tb.Fatalf("unknown feature %q", name)
		}
		switch x := x.(type) {
		case int:
			v.SetInt(i, int64(x))
		case float64:
			v.SetDouble(i, x)
		case bool:
			v.SetBool(i, x)
		case string:
			v.SetString(i, x)
		default:
			tb.Fatalf("feature %q: unsupported %T", name, x)
		}
	}
	return v
}

// complainer is a professional complainer: fast negatives to new sellers
// with nobody agreeing, a demand, off-platform contact.
var complainer = feat{
	"negatives_24h": 2, "negatives_7d": 4, "negatives_30d": 6, "negatives_total": 9,
	"positives_total": 1, "distinct_sellers_7d": 4, "distinct_sellers_30d": 6,
	"new_seller_negatives_30d": 5, "fast_negatives_30d": 5, "predelivery_negatives": 2,
	"cheap_digital_negatives_30d": 1, "withdrawn_after_negative": 3,
	"contact_detections": 2, "intent_detections": 1,
	"account_age_days": 12.0, "new_seller_share": 0.83, "min_minutes_to_negative": 7.0,
	"max_intent": 0.92, "consensus_agreement": 0.1, "risk": 0.91, "is_new_account": true,
}

// honestCritic is a long-standing buyer whose negatives come after
// delivery, are spread over time and agree with other buyers.
var honestCritic = feat{
	"negatives_24h": 0, "negatives_7d": 1, "negatives_30d": 2, "negatives_total": 14,
	"positives_total": 120, "distinct_sellers_7d": 1, "distinct_sellers_30d": 2,
	"new_seller_negatives_30d": 1, "fast_negatives_30d": 0, "predelivery_negatives": 0,
	"withdrawn_after_negative": 1,
	"account_age_days":         1400.0, "new_seller_share": 0.5, "min_minutes_to_negative": 4320.0,
	"consensus_agreement": 0.85, "risk": 0.05,
}
