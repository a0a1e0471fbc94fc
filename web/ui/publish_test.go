package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/service"
)

// permissive flags every buyer with a negative remark.
const permissive = "version = \"t-publish\"\n\n[rule any_negative]\nwhen   = negatives_total >= 1\nthen   = flag\nscore  = 1\nreason = \"{negatives_total} negatives\"\n"

// oneNegativeBuyer is a buyer with exactly one negative remark who is not
// flagged under the rules in force.
func oneNegativeBuyer(t *testing.T, s *stack) fairmark.AccountID {
	t.Helper()
	id := service.Snapshot(s.svc, func(en *engine.Engine) fairmark.AccountID {
		for _, id := range en.AccountIDs() {
			if v, ok := en.Account(id); ok && !v.Flagged && v.Role == fairmark.Buyer && len(en.Remarks(id)) == 1 {
				return id
			}
		}
		return ""
	})
	if id == "" {
		t.Fatal("no unflagged buyer with one negative in the marketplace")
	}
	return id
}

func TestPublishRules(t *testing.T) {
	s := newStack(t)
	agent, lead := s.newClient(), s.newClient()
	agent.login("agent", agentPass)
	lead.login("lead", leadPass)
	buyer := oneNegativeBuyer(t, s)
	before := s.svc.RuleSet().Hash

	// The rules page no longer says publishing is impossible.
	r := lead.get("/staff/rules")
	wantNotContains(t, "rules", r, "not available yet", "暂不支持")

	// A backtest offers a lead the publish form, an agent the reason why not.
	r = lead.postForm("/staff/rules", url.Values{"source": {permissive}, "action": {"backtest"}})
	wantStatus(t, "lead backtest", r, http.StatusOK)
	wantContains(t, "lead backtest", r, `id="backtest"`, `action="/staff/rules/publish"`, `name="confirm"`, "Publish")
	r = lead.postForm("/staff/rules", url.Values{"source": {permissive}, "action": {"check"}})
	wantNotContains(t, "lead check", r, `action="/staff/rules/publish"`)
	r = agent.postForm("/staff/rules", url.Values{"source": {permissive}, "action": {"backtest"}})
	wantStatus(t, "agent backtest", r, http.StatusOK)
	wantNotContains(t, "agent backtest", r, `action="/staff/rules/publish"`)
	wantContains(t, "agent backtest", r, "Only a lead can publish rules")
	hash := between(t, r.body, `Compiles: 1 rules, version t-publish, <code class="hash">`, "<")

	// An agent is refused, in place.
	form := url.Values{"source": {permissive}, "hash": {hash}, "confirm": {"1"}}
	r = agent.postForm("/staff/rules/publish", form)
	wantStatus(t, "agent publish", r, http.StatusForbidden)
	wantContains(t, "agent publish", r, `id="publish-error"`, "A lead publishes rules.")
	if s.svc.RuleSet().Hash != before {
		t.Fatal("an agent changed the rules")
	}
	// A compile error is shown in place with line and column.
	bad := strings.Replace(permissive, "negatives_total >= 1", "negatives_total >= ", 1)
	r = lead.postForm("/staff/rules/publish", url.Values{"source": {bad}, "hash": {hash}, "confirm": {"1"}})
	wantStatus(t, "bad publish", r, http.StatusUnprocessableEntity)
	wantContains(t, "bad publish", r, `id="rule-errors"`, "line 4, column")
	// Without "I confirm", or with other text than backtested: refused.
	r = lead.postForm("/staff/rules/publish", url.Values{"source": {permissive}, "hash": {hash}})
	wantStatus(t, "unconfirmed publish", r, http.StatusBadRequest)
	wantContains(t, "unconfirmed publish", r, `id="publish-error"`, "I confirm")
	r = lead.postForm("/staff/rules/publish", url.Values{"source": {strings.Replace(permissive, "score  = 1", "score  = 0.9", 1)}, "hash": {hash}, "confirm": {"1"}})
	wantStatus(t, "changed publish", r, http.StatusBadRequest)
	if s.svc.RuleSet().Hash != before {
		t.Fatal("a refused publish changed the rules")
	}
	if v, _ := s.svc.Account(buyer); v.Flagged {
		t.Fatalf("%s flagged before publishing", buyer)
	}

	// A lead publishes: the engine runs the new rules.
	r = lead.postForm("/staff/rules/publish", form)
	wantStatus(t, "publish", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/staff/rules?") {
		t.Fatalf("publish redirects to %q", loc)
	}
	if got := s.svc.RuleSet(); got == nil || got.Hash != hash || got.Version != "t-publish" {
		t.Fatalf("rule set in force after publishing: %+v", got)
	}
	if v, _ := s.svc.Account(buyer); !v.Flagged {
		t.Fatalf("%s not flagged under a rule flagging every negative", buyer)
	}
	flagged := service.Snapshot(s.svc, func(en *engine.Engine) int { return len(en.Flagged()) })
	r = lead.get(loc)
	wantStatus(t, "rules after publish", r, http.StatusOK)
	wantContains(t, "rules after publish", r, `id="published"`, "Published version t-publish: "+itoa(flagged)+" buyers now flagged",
		"any_negative", hash, "Published from this page by", "negatives_total &gt;= 1")
	wantNotContains(t, "rules after publish", r, "fast_negatives_new_sellers")
	for _, lang := range []string{"zh-CN"} {
		lead.postForm("/lang", url.Values{"lang": {lang}})
		wantContains(t, "rules after publish zh", lead.get(loc), "已发布版本 t-publish")
	}
}

// between returns the text of s between the first from and the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("%q not found", from)
	}
	rest := s[i+len(from):]
	j := strings.Index(rest, to)
	if j < 0 {
		t.Fatalf("%q not found after %q", to, from)
	}
	return rest[:j]
}
