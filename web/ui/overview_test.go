package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/store"
)

var allStatuses = []cases.Status{cases.Open, cases.Investigating, cases.AwaitingAppeal, cases.Closed}

func TestOverviewCaseCharts(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	seller, agent := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("agent", agentPass)
	c := reportedCase(t, s, seller)
	before, err := s.svc.Cases(ctx, store.CaseFilter{Statuses: allStatuses, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) < 2 {
		t.Fatalf("%d cases, want at least two", len(before))
	}

	// No restitution yet, nobody acted.
	r := agent.get("/staff/overview")
	wantStatus(t, "overview", r, http.StatusOK)
	wantContains(t, "overview", r, `id="chart-cases"`, "Cases opened and closed per day", `data-series="opened">`+itoa(len(before))+"<",
		`data-series="closed">0<`, "No restitution recorded yet.", "From the flag to the first staff action on its case",
		"From a buyer&#39;s first negative remark to its flag", itoa(len(before))+" cases considered")

	// One case closed with restitution of 50.00 CNY paid and 7.50 CNY owed.
	act := "/staff/cases/" + string(c.ID) + "/actions"
	for _, f := range []url.Values{
		{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"50"}, "currency": {"CNY"}, "reason": {"paid to extorter"}},
		{"action": {"pay_restitution"}, "entry": {"1"}, "ref": {"bank-1"}},
		{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"7.5"}, "currency": {"CNY"}, "reason": {"shipping"}},
		{"action": {"close"}, "outcome": {"extortion_confirmed"}, "reason": {"confirmed"}, "confirm": {"1"}},
	} {
		wantStatus(t, f.Get("action"), agent.postForm(act, f), http.StatusSeeOther)
	}
	r = agent.get("/staff/overview")
	wantStatus(t, "overview after", r, http.StatusOK)
	wantContains(t, "overview after", r, `data-series="opened">`+itoa(len(before))+"<", `data-series="closed">1<`,
		`<td class="paid">50.00 CNY`, `<td class="unpaid">7.50 CNY`, "50.00 CNY / 57.50 CNY")
	// The agent acted on one case: one flag-to-action time, if its
	// accused was flagged; the remark-to-flag times cover every flagged
	// accused.
	got, _ := s.svc.Case(ctx, c.ID)
	acc, _ := s.svc.Account(got.Accused)
	m := regexp.MustCompile(`(?s)id="chart-toaction">.*?<p class="stats">([^<]*)</p>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no flag-to-action chart")
	}
	if acc.FirstFlaggedAt != nil {
		if !strings.HasPrefix(m[1], "n = 1 · median ") {
			t.Fatalf("flag to action: %q, want one", m[1])
		}
	} else if m[1] != "None yet." {
		t.Fatalf("flag to action: %q, want none", m[1])
	}
	flagged := 0
	seen := map[string]bool{}
	for _, x := range before {
		if v, err := s.svc.Account(x.Accused); err == nil && v.FirstFlaggedAt != nil && !seen[string(x.Accused)] {
			seen[string(x.Accused)] = true
			flagged++
		}
	}
	m = regexp.MustCompile(`(?s)id="chart-toflag">.*?<p class="stats">([^<]*)</p>`).FindStringSubmatch(r.body)
	if m == nil || flagged > 0 && !strings.HasPrefix(m[1], "n = "+itoa(flagged)+" · median ") {
		t.Fatalf("remark to flag: %q, want %d buyers", m, flagged)
	}
	if n := strings.Count(r.body, `<rect class="bar opened"`); n != 30 {
		t.Fatalf("%d opened bars, want 30", n)
	}
	agent.postForm("/lang", url.Values{"lang": {"zh-CN"}})
	wantContains(t, "overview zh", agent.get("/staff/overview"), "每日新开与结案案件", "已为卖家挽回的金额")
}
