package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/service/servicetest"
)

const strictRules = `version = "test-1"

[rule any_negative]
doc    = "Flags every buyer with a negative remark (a test rule)."
when   = negatives_total >= 1
then   = flag
score  = 0
reason = "{negatives_total} negative remark(s)"
`

// Publishing rules rescores every buyer under them at once, keeps them for
// the next start and puts them on the evidence record with who published.
func TestPublishRules(t *testing.T) {
	svc := servicetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	ingest(t, svc,
		&fairmark.Event{ID: "e1", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "s1", Role: fairmark.Seller}},
		&fairmark.Event{ID: "e2", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "b1", Role: fairmark.Buyer}},
		&fairmark.Event{ID: "e3", Type: fairmark.FeedbackLeft, At: t0.Add(time.Hour), Feedback: &fairmark.Feedback{ID: "f1", Order: "o1", Buyer: "b1", Seller: "s1", Rating: fairmark.Negative, Text: "slow"}},
	)
	if v, _ := svc.Account("b1"); v.Flagged {
		t.Fatalf("one slow-delivery negative flagged under the default rules: %+v", v)
	}
	lead := fairmark.Principal{User: "li", Role: fairmark.RoleLead}
	agent := fairmark.Principal{User: "wang", Role: fairmark.RoleAgent}
	if _, err := svc.PublishRules(ctx, agent, "strict.rules", []byte(strictRules)); fairmark.ErrorCode(err) != fairmark.EFORBIDDEN {
		t.Fatalf("agent publishing: %v, want forbidden", err)
	}
	_, err := svc.PublishRules(ctx, lead, "bad.rules", []byte(strings.Replace(strictRules, "negatives_total >= 1", "negatives_totl >= 1", 1)))
	if fairmark.ErrorCode(err) != fairmark.EINVALID || !strings.Contains(fairmark.ErrorMessage(err), "5:") {
		t.Fatalf("bad rules: %v, want invalid with a line:column", err)
	}
	set, err := svc.PublishRules(ctx, lead, "strict.rules", []byte(strictRules))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := svc.Account("b1"); !v.Flagged {
		t.Fatalf("b1 not flagged after publishing a rule that flags any negative: %+v", v)
	}
	if got := svc.RuleSet(); got == nil || got.Hash != set.Hash {
		t.Fatalf("rule set in force %v, want %s", got, set.Hash)
	}
	pub, err := svc.DB().LatestRuleSet(ctx)
	if err != nil || pub == nil || pub.Hash != set.Hash || pub.PublishedBy != "lead:li" || string(pub.Source) != strictRules {
		t.Fatalf("stored rule set %+v (%v)", pub, err)
	}
	recs, err := svc.DB().Evidence().RecordsByKind(ctx, "rule_change")
	if err != nil || len(recs) == 0 || recs[len(recs)-1].Ref != set.Hash || !strings.Contains(string(recs[len(recs)-1].Content), `"published_by":"lead:li"`) {
		t.Fatalf("rule change not on the evidence record: %+v (%v)", recs, err)
	}
}
