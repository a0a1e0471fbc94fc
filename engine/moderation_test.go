package engine_test

import (
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
)

func (m *market) moderate(action fairmark.Action, accounts []fairmark.AccountID, fb []fairmark.FeedbackID) {
	m.apply(&fairmark.Event{Type: fairmark.ModerationAction, Moderation: &fairmark.Moderation{
		Action: action, Accounts: accounts, Feedback: fb, Case: "c1", By: "lead:li", Reason: "review"}})
}

func (m *market) decided(kind engine.DecisionKind, subject string) bool {
	for _, d := range m.decisions {
		if d.Kind == kind && (string(d.Account) == subject || string(d.Feedback) == subject) {
			return true
		}
	}
	return false
}

// A ban keeps the buyer flagged and its negatives held; removal takes the
// remark out of both scores; restoring puts it back.
func TestModerationBanAndRemove(t *testing.T) {
	m := newMarket(t)
	m.open("s1", fairmark.Seller, nil)
	m.establishedSeller("s1", 20)
	m.open("b1", fairmark.Buyer, nil)
	m.after(time.Hour)
	o := m.buy("b1", "s1", "80.00", false)
	m.after(72 * time.Hour)
	m.deliver(o)
	m.after(24 * time.Hour)
	f := m.rate(o, "b1", "s1", fairmark.Negative, "quality is poor")
	before := m.rep("s1")
	if m.account("b1").Flagged {
		t.Fatalf("an ordinary negative flagged the buyer: %+v", m.account("b1"))
	}

	m.after(time.Hour).moderate(fairmark.ActionBan, []fairmark.AccountID{"b1"}, nil)
	a := m.account("b1")
	if !a.Flagged || !a.Banned {
		t.Fatalf("after ban: flagged %v banned %v, want both", a.Flagged, a.Banned)
	}
	if !m.decided(engine.BanAccount, "b1") || !m.decided(engine.HoldFeedback, string(f)) {
		t.Fatalf("ban did not emit ban_account and hold_feedback: %+v", m.decisions)
	}
	held := m.rep("s1")
	if held.ScoreProtected != before.ScoreProtected+1 || held.ScoreRaw != before.ScoreRaw {
		t.Fatalf("after ban: raw %d protected %d, want raw %d protected %d", held.ScoreRaw, held.ScoreProtected, before.ScoreRaw, before.ScoreProtected+1)
	}
	// More events of the buyer do not lift a ban.
	m.after(time.Hour)
	o2 := m.buy("b1", "s1", "80.00", false)
	m.rate(o2, "b1", "s1", fairmark.Positive, "ok")
	if !m.account("b1").Flagged {
		t.Fatal("a banned buyer was unflagged by later events")
	}

	m.after(time.Hour).moderate(fairmark.ActionRemoveFeedback, nil, []fairmark.FeedbackID{f})
	r := m.rep("s1")
	if r.NegativesRaw != before.NegativesRaw-1 || r.ScoreRaw != before.ScoreRaw+2 {
		t.Fatalf("after removal: raw score %d negatives %d, want %d and %d", r.ScoreRaw, r.NegativesRaw, before.ScoreRaw+2, before.NegativesRaw-1)
	}
	if fv, _ := m.en.Feedback(f); !fv.Removed || fv.Counted {
		t.Fatalf("removed feedback view: %+v", fv)
	}
	m.after(time.Hour).moderate(fairmark.ActionRestoreFeedback, nil, []fairmark.FeedbackID{f})
	if r := m.rep("s1"); r.NegativesRaw != before.NegativesRaw {
		t.Fatalf("after restore: negatives raw %d, want %d", r.NegativesRaw, before.NegativesRaw)
	}
}

// Clearing a flagged complainer releases every hold and the same evidence
// does not flag it again.
func TestModerationClear(t *testing.T) {
	m := newMarket(t)
	for _, s := range []string{"s1", "s2", "s3"} {
		m.open(s, fairmark.Seller, nil)
	}
	m.open("b1", fairmark.Buyer, nil)
	var fs []fairmark.FeedbackID
	for _, s := range []string{"s1", "s2", "s3"} {
		m.after(5 * time.Hour)
		o := m.buy("b1", s, "50.00", true)
		m.after(4 * time.Minute)
		fs = append(fs, m.rate(o, "b1", s, fairmark.Negative, "fake card, scam"))
	}
	if !m.account("b1").Flagged {
		t.Fatalf("three instant negatives on new sellers did not flag: %+v", m.account("b1"))
	}
	m.after(time.Hour).moderate(fairmark.ActionClear, []fairmark.AccountID{"b1"}, nil)
	if m.account("b1").Flagged {
		t.Fatal("cleared account still flagged")
	}
	for _, f := range fs {
		if fv, _ := m.en.Feedback(f); fv.Held {
			t.Fatalf("%s still held after clear", f)
		}
	}
	m.after(time.Hour)
	m.say("b1", "s1", "c1", "thanks")
	if m.account("b1").Flagged {
		t.Fatal("cleared account flagged again without new evidence")
	}
}
