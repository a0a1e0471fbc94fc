package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/store"
)

// reportedCase has seller1 report its held remark as extortion and returns
// the case that took the report in.
func reportedCase(t *testing.T, s *stack, seller *client) *cases.Case {
	t.Helper()
	r := seller.postMultipart("/seller/report", url.Values{"feedback": {string(s.held)}, "kind": {"extortion"}, "paid": {"20"}, "currency": {"CNY"}},
		[]file{{"evidence", "qq.png", pngBytes(t)}})
	wantStatus(t, "report", r, http.StatusSeeOther)
	cs, err := s.svc.Cases(context.Background(), store.CaseFilter{Victim: s.victim})
	if err != nil {
		t.Fatal(err)
	}
	id := fairmark.ReportID(reportIDIn(t, r.header.Get("Location")))
	for _, c := range cs {
		if !c.Closed() && c.Involves(s.victim) && slices.Contains(c.Reports, id) {
			return c
		}
	}
	t.Fatalf("no open case took seller1's report in (%d cases)", len(cs))
	return nil
}

func TestStaffQueueAndDossier(t *testing.T) {
	s := newStack(t)
	seller, agent := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("agent", agentPass)
	c := reportedCase(t, s, seller)

	r := agent.get("/staff/cases")
	wantStatus(t, "queue", r, http.StatusOK)
	wantContains(t, "queue", r, `href="/staff/cases/`+string(c.ID)+`"`, string(c.Accused), `href="/staff/cases" aria-current="page"`)
	r = agent.get("/staff/cases?status=closed")
	wantStatus(t, "queue closed", r, http.StatusOK)
	wantNotContains(t, "queue closed", r, `href="/staff/cases/`+string(c.ID)+`"`)
	wantStatus(t, "queue bad status", agent.get("/staff/cases?status=nope"), http.StatusBadRequest)

	r = agent.get("/staff/cases/" + string(c.ID))
	wantStatus(t, "dossier", r, http.StatusOK)
	wantContains(t, "dossier", r, "<svg", `class="node accused`, string(s.victim), string(c.Victim(s.victim).Feedback[0]), "Audit trail", `name="action" value="ban"`, `name="confirm"`)
	wantStatus(t, "no such case", agent.get("/staff/cases/nope"), http.StatusNotFound)

	// A seller is not staff.
	wantStatus(t, "seller on staff queue", seller.get("/staff/cases"), http.StatusForbidden)
	wantStatus(t, "seller on dossier", seller.get("/staff/cases/"+string(c.ID)), http.StatusForbidden)
	wantStatus(t, "seller acting", seller.postForm("/staff/cases/"+string(c.ID)+"/actions", url.Values{"action": {"warn"}, "reason": {"x"}}), http.StatusForbidden)

	for _, lang := range []string{"en", "zh-CN"} {
		agent.postForm("/lang", url.Values{"lang": {lang}})
		seller.postForm("/lang", url.Values{"lang": {lang}})
		bad := regexp.MustCompile(`\[\?[a-z]|%!|<no value>`)
		for _, p := range []struct {
			c    *client
			path string
		}{{agent, "/staff/cases"}, {agent, "/staff/cases?status=all"}, {agent, "/staff/cases/" + string(c.ID)}, {seller, "/seller/cases"}, {seller, "/seller/cases/" + string(c.ID)}} {
			r := p.c.get(p.path)
			wantStatus(t, lang+" "+p.path, r, http.StatusOK)
			if m := bad.FindString(r.body); m != "" {
				i := strings.Index(r.body, m)
				t.Fatalf("%s %s: unresolved text %q near %q", lang, p.path, m, r.body[max(0, i-80):min(len(r.body), i+80)])
			}
		}
	}
}

func TestStaffBanAndErrorsInPlace(t *testing.T) {
	s := newStack(t)
	seller, agent, lead := s.newClient(), s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("agent", agentPass)
	lead.login("lead", leadPass)
	c := reportedCase(t, s, seller)
	act := "/staff/cases/" + string(c.ID) + "/actions"

	// Without "I confirm": refused, the dossier shown again with the message.
	r := agent.postForm(act, url.Values{"action": {"ban"}, "accounts": {string(c.Accused)}, "reason": {"extorted sellers"}})
	wantStatus(t, "ban unconfirmed", r, http.StatusBadRequest)
	wantContains(t, "ban unconfirmed", r, `id="case-error"`, "I confirm", `<details class="card danger" id="ban" open`, "extorted sellers")
	// Without a reason the domain refuses; the message shows in place.
	r = agent.postForm(act, url.Values{"action": {"ban"}, "accounts": {string(c.Accused)}, "confirm": {"1"}})
	if r.status < 400 || r.status >= 500 {
		t.Fatalf("ban without reason: status %d", r.status)
	}
	wantContains(t, "ban without reason", r, `id="case-error"`, "<svg")
	// Approving a request that does not exist.
	r = agent.postForm(act, url.Values{"action": {"approve"}, "request": {"999"}})
	if r.status < 400 || r.status >= 500 {
		t.Fatalf("approve nothing: status %d", r.status)
	}
	wantContains(t, "approve nothing", r, `id="case-error"`)

	r = agent.postForm(act, url.Values{"action": {"ban"}, "accounts": {string(c.Accused)}, "reason": {"extorted sellers"}, "confirm": {"1"}})
	wantStatus(t, "ban", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/staff/cases/"+string(c.ID)) {
		t.Fatalf("ban redirects to %q", loc)
	}
	v, err := s.svc.Account(c.Accused)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Banned { // four eyes: a second reviewer approves
		got, _ := s.svc.Case(context.Background(), c.ID)
		if len(got.Pending) == 0 {
			t.Fatalf("ban neither done nor pending")
		}
		req := got.Pending[0].Request
		r = agent.postForm(act, url.Values{"action": {"approve"}, "request": {itoa(req)}})
		wantStatus(t, "approve own request", r, http.StatusForbidden)
		wantContains(t, "approve own request", r, `id="case-error"`)
		wantStatus(t, "approve", lead.postForm(act, url.Values{"action": {"approve"}, "request": {itoa(req)}}), http.StatusSeeOther)
		if v, _ = s.svc.Account(c.Accused); !v.Banned {
			t.Fatal("accused not banned after approval")
		}
	}
	r = agent.get("/staff/cases/" + string(c.ID))
	wantContains(t, "dossier after ban", r, "banned")

	// Restitution, removal and close through the forms.
	wantStatus(t, "owe", agent.postForm(act, url.Values{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"20"}, "currency": {"CNY"}, "reason": {"paid to extorter"}}), http.StatusSeeOther)
	wantStatus(t, "bad amount", agent.postForm(act, url.Values{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"-3"}, "reason": {"x"}}), http.StatusBadRequest)
	wantStatus(t, "remove", agent.postForm(act, url.Values{"action": {"remove_remarks"}, "reason": {"extortion"}, "confirm": {"1"}}), http.StatusSeeOther)
	wantStatus(t, "close", agent.postForm(act, url.Values{"action": {"close"}, "outcome": {"extortion_confirmed"}, "reason": {"confirmed"}, "confirm": {"1"}}), http.StatusSeeOther)
	got, _ := s.svc.Case(context.Background(), c.ID)
	if !got.Closed() || got.Outcome != cases.ExtortionConfirmed {
		t.Fatalf("case %s: status %s outcome %s", got.ID, got.Status, got.Outcome)
	}

	// The accused appeals by phone; the agent records it, and a reviewer who
	// took no decision on the case decides it.
	r = agent.get("/staff/cases/" + string(c.ID))
	wantContains(t, "closed case", r, `name="action" value="file_appeal"`, "Record an appeal")
	wantStatus(t, "empty appeal", agent.postForm(act, url.Values{"action": {"file_appeal"}, "text": {"  "}}), http.StatusBadRequest)
	wantStatus(t, "appeal", agent.postForm(act, url.Values{"action": {"file_appeal"}, "text": {"I never asked for money"}}), http.StatusSeeOther)
	got, _ = s.svc.Case(context.Background(), c.ID)
	if got.Appeal == nil || got.Appeal.Text != "I never asked for money" {
		t.Fatalf("appeal not recorded: %+v", got.Appeal)
	}
	r = agent.get("/staff/cases/" + string(c.ID))
	wantNotContains(t, "appealed case", r, `value="file_appeal"`)
	wantContains(t, "appealed case", r, "I never asked for money", `value="decide_appeal"`)
	wantStatus(t, "second appeal", agent.postForm(act, url.Values{"action": {"file_appeal"}, "text": {"again"}}), http.StatusConflict)

	// The seller sees its part.
	r = seller.get("/seller/cases")
	wantStatus(t, "seller cases", r, http.StatusOK)
	wantContains(t, "seller cases", r, string(c.ID), "extortion confirmed", "20.00 CNY", string(got.Victim(s.victim).Feedback[0]), "removed")
	r = seller.get("/seller/cases/" + string(c.ID) + "/bundle")
	wantStatus(t, "seller bundle", r, http.StatusOK)
	for _, o := range got.Victims {
		if o.Seller != s.victim {
			wantNotContains(t, "seller cases", seller.get("/seller/cases/"+string(c.ID)), string(o.Seller))
		}
	}
}

func TestSellerCannotOpenAnotherSellersCase(t *testing.T) {
	s := newStack(t)
	seller, other := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	other.login("seller2", otherPass)
	c := reportedCase(t, s, seller)
	r := seller.get("/seller/cases/" + string(c.ID))
	wantStatus(t, "own case", r, http.StatusOK)
	wantContains(t, "own case", r, string(c.ID), "/seller/cases/"+string(c.ID)+"/bundle")
	// The report's confirmation page shows the case.
	r = seller.get("/seller/reports/" + string(c.Reports[len(c.Reports)-1]))
	wantStatus(t, "report view", r, http.StatusOK)
	wantContains(t, "report view", r, `href="/seller/cases/`+string(c.ID)+`"`)

	all, err := s.svc.Cases(context.Background(), store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, cl := range []struct {
		c      *client
		seller fairmark.AccountID
	}{{seller, s.victim}, {other, s.other}} {
		for _, x := range all {
			if x.Involves(cl.seller) {
				continue
			}
			checked++
			for _, p := range []string{"/seller/cases/" + string(x.ID), "/seller/cases/" + string(x.ID) + "/bundle"} {
				wantStatus(t, string(cl.seller)+" on "+p, cl.c.get(p), http.StatusNotFound)
			}
			wantNotContains(t, "list", cl.c.get("/seller/cases"), `href="/seller/cases/`+string(x.ID)+`"`)
			break
		}
	}
	if checked == 0 {
		t.Fatal("no case without one of the test sellers")
	}
	wantStatus(t, "no such case", other.get("/seller/cases/nope"), http.StatusNotFound)
}

func itoa(n int) string { return strconv.Itoa(n) }
