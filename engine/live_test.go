package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/sim"
)

// TestSellerLiveCount checks the count agreement() reads instead of
// scanning a seller's negatives: after every event of a simulated
// marketplace (revisions, withdrawals) and reviewers' removals and
// restorations, each seller's live count is the number of its negatives
// that are still negative and stand.
func TestSellerLiveCount(t *testing.T) {
	evs, _, err := sim.Events(sim.Config{Seed: 4, Sellers: 30, Buyers: 600, Days: 20, Complainers: 8})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(evs, func(a, b *fairmark.Event) int {
		if fairmark.Less(a, b) {
			return -1
		}
		if fairmark.Less(b, a) {
			return 1
		}
		return 0
	})
	en := New(Config{})
	check := func(when string) {
		t.Helper()
		en.accounts.each(func(a *account) {
			if a.sell == nil {
				return
			}
			want := int32(0)
			for _, f := range a.sell.gotNegs {
				if !f.withdrawn && !f.removed && f.rating == codeNegative {
					want++
				}
			}
			if a.sell.live != want {
				t.Fatalf("%s: seller %s: live %d, recounted %d", when, a.id, a.sell.live, want)
			}
		})
	}
	changed := 0
	for i, e := range evs {
		en.ApplyEvent(e)
		if e.Type == fairmark.FeedbackRevised || e.Type == fairmark.FeedbackWithdrawn {
			changed++
		}
		if i%50 == 0 || e.Type == fairmark.FeedbackRevised || e.Type == fairmark.FeedbackWithdrawn {
			check(fmt.Sprintf("after %s", e.ID))
		}
	}
	if changed == 0 {
		t.Fatal("the simulation revised or withdrew no feedback")
	}
	// Remove, then restore, every third negative, withdrawn ones included.
	at := en.Now()
	var ids []fairmark.FeedbackID
	for i, f := range en.feedbackByID.all() {
		if f.first == codeNegative && i%3 == 0 {
			ids = append(ids, f.id)
		}
	}
	for k, action := range []fairmark.Action{fairmark.ActionRemoveFeedback, fairmark.ActionRestoreFeedback, fairmark.ActionRemoveFeedback} {
		at = at.Add(time.Minute)
		en.ApplyEvent(&fairmark.Event{ID: fairmark.EventID(fmt.Sprintf("mod-%d", k)), Type: fairmark.ModerationAction, At: at,
			Moderation: &fairmark.Moderation{Action: action, Feedback: ids, By: "t", Reason: "test"}})
		check(string(action))
	}
}
