package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/fairmark/fairmark/cases"
)

func TestStaffSnoozeAndInvestigate(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	seller, agent := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("agent", agentPass)
	c := reportedCase(t, s, seller)
	page, act := "/staff/cases/"+string(c.ID), "/staff/cases/"+string(c.ID)+"/actions"

	r := agent.get(page)
	wantStatus(t, "dossier", r, http.StatusOK)
	wantContains(t, "dossier", r, `name="action" value="investigate"`, "Start investigating", `name="action" value="snooze"`, `type="datetime-local" name="until"`)

	// Snooze: a bad time, a time past and no reason are refused in place.
	r = agent.postForm(act, url.Values{"action": {"snooze"}, "until": {"tomorrow"}, "reason": {"waiting for the seller"}})
	wantStatus(t, "snooze bad time", r, http.StatusBadRequest)
	wantContains(t, "snooze bad time", r, `id="case-error"`, "Give the time to snooze until.", `<details class="card" id="snooze" open`, "waiting for the seller")
	past := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04")
	r = agent.postForm(act, url.Values{"action": {"snooze"}, "until": {past}, "reason": {"waiting for the seller"}})
	wantStatus(t, "snooze past", r, http.StatusBadRequest)
	wantContains(t, "snooze past", r, `id="case-error"`, "future", `value="`+past+`"`)
	r = agent.postForm(act, url.Values{"action": {"snooze"}, "until": {time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04")}})
	wantStatus(t, "snooze no reason", r, http.StatusBadRequest)
	wantContains(t, "snooze no reason", r, "Give a reason.")

	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	r = agent.postForm(act, url.Values{"action": {"snooze"}, "until": {until.Format("2006-01-02T15:04")}, "reason": {"waiting for the seller"}})
	wantStatus(t, "snooze", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != page+"#snooze" {
		t.Fatalf("snooze redirects to %q", loc)
	}
	got, _ := s.svc.Case(ctx, c.ID)
	if !got.SnoozedUntil.Equal(until) {
		t.Fatalf("snoozed until %v, want %v", got.SnoozedUntil, until)
	}
	wantContains(t, "dossier snoozed", agent.get(page), "snoozed until "+until.Format("2006-01-02 15:04")+" UTC", "waiting for the seller")
	wantContains(t, "queue snoozed", agent.get("/staff/cases"), "snoozed")

	// Start investigating: once; a second time is a conflict, in place.
	wantStatus(t, "investigate", agent.postForm(act, url.Values{"action": {"investigate"}}), http.StatusSeeOther)
	if got, _ = s.svc.Case(ctx, c.ID); got.Status != cases.Investigating {
		t.Fatalf("status %s after investigate", got.Status)
	}
	r = agent.get(page)
	wantNotContains(t, "dossier investigating", r, `name="action" value="investigate"`)
	r = agent.postForm(act, url.Values{"action": {"investigate"}})
	wantStatus(t, "investigate again", r, http.StatusConflict)
	wantContains(t, "investigate again", r, `id="case-error"`)

	agent.postForm("/lang", url.Values{"lang": {"zh-CN"}})
	wantContains(t, "dossier zh", agent.get(page), "暂缓处理", "截止时间（UTC）")
}
