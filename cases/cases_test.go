package cases_test

import (
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
)

var (
	t0    = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	agent = fairmark.Principal{User: "wang", Role: fairmark.RoleAgent}
	lead  = fairmark.Principal{User: "li", Role: fairmark.RoleLead}
	lead2 = fairmark.Principal{User: "zhao", Role: fairmark.RoleLead}
	sell  = fairmark.Principal{User: "s9", Role: fairmark.RoleSeller, Seller: "s9"}
	cny50 = fairmark.Money{Value: 50 * fairmark.DecimalScale, Currency: "CNY"}
)

// run applies cmd as by and checks every event folds back into the same case.
func run(t *testing.T, c *cases.Case, by fairmark.Principal, cmd cases.Command, x ...cases.Ctx) (*cases.Case, []cases.Event, cases.Effects) {
	t.Helper()
	ctx := cases.Ctx{Now: t0.Add(time.Hour), By: by}
	if len(x) > 0 {
		ctx = x[0]
		ctx.By = by
	}
	next, evs, fx, err := cases.Decide(c, cmd, ctx)
	if err != nil {
		t.Fatalf("%T by %s: %v", cmd, by.Actor(), err)
	}
	return next, evs, fx
}

func fails(t *testing.T, c *cases.Case, by fairmark.Principal, cmd cases.Command, code string) {
	t.Helper()
	_, _, _, err := cases.Decide(c, cmd, cases.Ctx{Now: t0.Add(2 * time.Hour), By: by})
	if got := fairmark.ErrorCode(err); got != code {
		t.Fatalf("%T by %s: error %v (code %q), want code %q", cmd, by.Actor(), err, got, code)
	}
}

func opened(t *testing.T) (*cases.Case, []cases.Event) {
	c, evs, fx := run(t, nil, cases.System, cases.OpenCase{ID: "c1", Accused: "b1", Source: cases.FromReport, Report: "r1",
		Victims: []cases.Victim{
			{Seller: "s9", New: true, Feedback: []fairmark.FeedbackID{"f1"}, Reports: []fairmark.ReportID{"r1"}, Paid: []fairmark.Money{cny50}, Since: t0},
			{Seller: "s8", New: true, Feedback: []fairmark.FeedbackID{"f2"}, Since: t0.Add(time.Hour)},
		}})
	if c.Status != cases.Open || c.Accused != "b1" || len(c.Victims) != 2 || len(fx.Notices) != 1 || fx.Notices[0].Type != cases.NoticeCaseOpened {
		t.Fatalf("opened case %+v, effects %+v", c, fx)
	}
	return c, evs
}

func TestFoldEqualsDecide(t *testing.T) {
	c, all := opened(t)
	steps := []struct {
		by  fairmark.Principal
		cmd cases.Command
	}{
		{agent, cases.Assign{To: "wang"}},
		{agent, cases.Investigate{}},
		{agent, cases.Ban{Reason: "three victims in a week"}},
		{agent, cases.RemoveRemarks{Reason: "extortion remarks"}},
		{agent, cases.OweRestitution{Victim: "s9", Amount: cny50, Reason: "paid to have the remark withdrawn"}},
		{lead, cases.PayRestitution{Entry: 1, Ref: "pay-77"}},
		{lead, cases.Close{Outcome: cases.ExtortionConfirmed, Reason: "pattern and QQ chat"}},
	}
	for _, s := range steps {
		next, evs, _ := run(t, c, s.by, s.cmd)
		c = next
		all = append(all, evs...)
	}
	folded, err := cases.Fold(all)
	if err != nil {
		t.Fatal(err)
	}
	if folded.Seq != c.Seq || folded.Status != cases.Closed || folded.Outcome != cases.ExtortionConfirmed ||
		len(folded.Banned) != 1 || len(folded.Removed) != 2 || !folded.Restitution[0].Paid || folded.Assignee != "wang" {
		t.Fatalf("folded case differs: %+v\nwant %+v", folded, c)
	}
	for i, e := range all {
		if e.Seq != i+1 || e.Case != "c1" {
			t.Fatalf("event %d: seq %d case %q", i, e.Seq, e.Case)
		}
	}
}

func TestBanEffectsAndNotices(t *testing.T) {
	c, _ := opened(t)
	x := cases.Ctx{Now: t0.Add(time.Hour), Linked: []fairmark.AccountID{"b2"}}
	fails(t, c, agent, cases.Ban{Accounts: []fairmark.AccountID{"b1", "b7"}, Reason: "x"}, fairmark.EINVALID)
	fails(t, c, agent, cases.Ban{}, fairmark.EINVALID) // no reason
	c, _, fx := run(t, c, agent, cases.Ban{Accounts: []fairmark.AccountID{"b1", "b2"}, Reason: "ring"}, x)
	if len(fx.Moderation) != 1 || fx.Moderation[0].Moderation.Action != fairmark.ActionBan || len(fx.Moderation[0].Moderation.Accounts) != 2 {
		t.Fatalf("ban moderation %+v", fx.Moderation)
	}
	if m := fx.Moderation[0]; m.Type != fairmark.ModerationAction || m.ID == "" || m.Moderation.By != "agent:wang" || m.Moderation.Case != "c1" {
		t.Fatalf("moderation event %+v", m)
	}
	if len(fx.Notices) != 2 || fx.Notices[0].Type != cases.NoticeAccountBanned {
		t.Fatalf("ban notices %+v", fx.Notices)
	}
	fails(t, c, agent, cases.Ban{Reason: "again"}, fairmark.ECONFLICT)

	c, _, _ = run(t, c, agent, cases.OweRestitution{Victim: "s9", Amount: cny50})
	c, _, fx = run(t, c, lead, cases.Close{Outcome: cases.ExtortionConfirmed, Reason: "confirmed"})
	var victims int
	for _, n := range fx.Notices {
		if n.Type == cases.NoticeVictim {
			victims++
			if n.Data.Seller == "s9" && (n.Data.Text == "" || n.Data.TextZH == "") {
				t.Fatalf("victim notice without text: %+v", n)
			}
		}
	}
	if victims != 2 {
		t.Fatalf("%d victim notices, want one per victim (2): %+v", victims, fx.Notices)
	}
	fails(t, c, agent, cases.Warn{Reason: "late"}, fairmark.ECONFLICT)
}

func TestFourEyes(t *testing.T) {
	c, _ := opened(t)
	x := cases.Ctx{Now: t0.Add(time.Hour), CleanHistory: func(a fairmark.AccountID) bool { return a == "b1" }}
	c, _, fx := run(t, c, agent, cases.Ban{Reason: "looks like extortion"}, x)
	if len(fx.Moderation) != 0 || len(c.Pending) != 1 || len(c.Banned) != 0 {
		t.Fatalf("a clean-history ban did not wait for approval: %+v %+v", c, fx)
	}
	req := c.Pending[0].Request
	fails(t, c, agent, cases.Approve{Request: req}, fairmark.EFORBIDDEN) // same person
	fails(t, c, sell, cases.Approve{Request: req}, fairmark.EFORBIDDEN)  // not staff
	fails(t, c, lead, cases.Close{Outcome: cases.ExtortionConfirmed, Reason: "x"}, fairmark.ECONFLICT)
	c, _, fx = run(t, c, lead, cases.Approve{Request: req})
	if len(c.Banned) != 1 || len(c.Pending) != 0 || len(fx.Moderation) != 1 {
		t.Fatalf("approval did not ban: %+v %+v", c, fx)
	}
	fails(t, c, lead, cases.Approve{Request: req}, fairmark.ENOTFOUND)
}

func TestAppealOnceByAnotherReviewer(t *testing.T) {
	c, _ := opened(t)
	c, _, _ = run(t, c, lead, cases.Ban{Reason: "r"})
	c, _, _ = run(t, c, lead, cases.RemoveRemarks{Feedback: []fairmark.FeedbackID{"f1"}, Reason: "r"})
	fails(t, c, fairmark.Operator, cases.FileAppeal{Text: "not me"}, fairmark.ECONFLICT) // still open
	c, _, _ = run(t, c, lead, cases.Close{Outcome: cases.ExtortionConfirmed, Reason: "r"})
	fails(t, c, sell, cases.FileAppeal{Text: "x"}, fairmark.EFORBIDDEN)
	c, _, _ = run(t, c, fairmark.Operator, cases.FileAppeal{Text: "my brother used my phone"})
	if c.Status != cases.AwaitingAppeal {
		t.Fatalf("status %s after appeal", c.Status)
	}
	fails(t, c, fairmark.Operator, cases.FileAppeal{Text: "again"}, fairmark.ECONFLICT)
	fails(t, c, lead, cases.DecideAppeal{Grant: true, Reason: "r"}, fairmark.EFORBIDDEN) // decided the case
	c, _, fx := run(t, c, lead2, cases.DecideAppeal{Grant: true, Reason: "device shared by family"})
	if c.Status != cases.Closed || c.Outcome != cases.NotExtortion || len(c.Banned) != 0 || len(c.Removed) != 0 {
		t.Fatalf("granted appeal left %+v", c)
	}
	var actions []fairmark.Action
	for _, m := range fx.Moderation {
		actions = append(actions, m.Moderation.Action)
	}
	if len(actions) != 2 || actions[0] != fairmark.ActionRestoreFeedback || actions[1] != fairmark.ActionClear {
		t.Fatalf("granted appeal moderation %v, want restore_feedback then clear", actions)
	}
	fails(t, c, fairmark.Operator, cases.FileAppeal{Text: "third"}, fairmark.ECONFLICT)
}

func TestDismissClears(t *testing.T) {
	c, _ := opened(t)
	fails(t, c, agent, cases.Dismiss{}, fairmark.EINVALID)
	c, _, fx := run(t, c, agent, cases.Dismiss{Reason: "seller really sold a dud"})
	if c.Status != cases.Closed || c.Outcome != cases.NotExtortion {
		t.Fatalf("dismissed case %+v", c)
	}
	if len(fx.Moderation) != 1 || fx.Moderation[0].Moderation.Action != fairmark.ActionClear || fx.Moderation[0].Moderation.Accounts[0] != "b1" {
		t.Fatalf("dismiss moderation %+v", fx.Moderation)
	}
}

func TestRestitutionLedger(t *testing.T) {
	c, _ := opened(t)
	fails(t, c, agent, cases.OweRestitution{Victim: "s1", Amount: cny50}, fairmark.EINVALID)
	fails(t, c, agent, cases.OweRestitution{Victim: "s9", Amount: fairmark.Money{Value: 0, Currency: "CNY"}}, fairmark.EINVALID)
	fails(t, c, agent, cases.OweRestitution{Victim: "s9", Amount: fairmark.Money{Value: 5, Currency: "yuan"}}, fairmark.EINVALID)
	c, _, _ = run(t, c, agent, cases.OweRestitution{Victim: "s9", Amount: cny50})
	c, _, _ = run(t, c, agent, cases.OweRestitution{Victim: "s8", Amount: fairmark.Money{Value: 125000, Currency: "CNY"}})
	c, _, _ = run(t, c, agent, cases.PayRestitution{Entry: 2, Ref: "p2"})
	fails(t, c, agent, cases.PayRestitution{Entry: 2}, fairmark.ECONFLICT)
	fails(t, c, agent, cases.PayRestitution{Entry: 9}, fairmark.ENOTFOUND)
	owed, unpaid := c.Owed()
	if len(owed) != 1 || owed[0].Value.String() != "62.50" || unpaid[0].Value.String() != "50.00" {
		t.Fatalf("owed %v unpaid %v, want 62.50 and 50.00 CNY", owed, unpaid)
	}
}

func TestQueueRanksVulnerableVictimsFirst(t *testing.T) {
	now := t0.Add(48 * time.Hour)
	mk := func(id fairmark.CaseID, newSeller bool, victims int, paid bool) *cases.Case {
		c := &cases.Case{ID: id, Accused: fairmark.AccountID("a" + id), Status: cases.Open, OpenedAt: t0}
		for i := 0; i < victims; i++ {
			v := cases.Victim{Seller: fairmark.AccountID(string(id) + string(rune('a'+i))), New: newSeller}
			if paid && i == 0 {
				v.Paid = []fairmark.Money{cny50}
			}
			c.Victims = append(c.Victims, v)
		}
		return c
	}
	snoozed := mk("z", true, 5, true)
	snoozed.SnoozedUntil = now.Add(time.Hour)
	closed := mk("x", true, 5, true)
	closed.Status = cases.Closed
	q := cases.Queue([]*cases.Case{mk("old", false, 1, false), snoozed, mk("new3", true, 3, true), closed, mk("new1", true, 1, false)},
		func(fairmark.AccountID) float64 { return 0.9 }, now)
	var got []fairmark.CaseID
	for _, r := range q {
		got = append(got, r.Case.ID)
	}
	want := []fairmark.CaseID{"new3", "new1", "old", "x", "z"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("queue %v, want %v", got, want)
		}
	}
	if len(q[0].Why) == 0 {
		t.Fatal("no reasons for the top case")
	}
}

func TestOnlyStaffAct(t *testing.T) {
	c, _ := opened(t)
	for _, cmd := range []cases.Command{cases.Assign{To: "x"}, cases.Ban{Reason: "r"}, cases.RemoveRemarks{Reason: "r"},
		cases.Warn{Reason: "r"}, cases.Dismiss{Reason: "r"}, cases.Close{Outcome: cases.ExtortionConfirmed, Reason: "r"},
		cases.OweRestitution{Victim: "s9", Amount: cny50}, cases.Note{Text: "x"}, cases.Investigate{}} {
		fails(t, c, sell, cmd, fairmark.EFORBIDDEN)
		fails(t, c, fairmark.Operator, cmd, fairmark.EFORBIDDEN)
	}
	fails(t, nil, agent, cases.Ban{Reason: "r"}, fairmark.ENOTFOUND)
}
