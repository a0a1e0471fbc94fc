package engine

import (
	"math"
	"sort"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/reputation"
)

// AccountView is an account's current risk.
type AccountView struct {
	ID             fairmark.AccountID   `json:"id"`
	Role           fairmark.Role        `json:"role"`
	Risk           float64              `json:"risk"`
	Flagged        bool                 `json:"flagged"`
	Banned         bool                 `json:"banned,omitempty"`
	FirstFlaggedAt *time.Time           `json:"first_flagged_at"`
	Reasons        []string             `json:"reasons"`
	Features       *Features            `json:"features,omitempty"`
	Linked         []fairmark.AccountID `json:"linked,omitempty"`
}

// Account returns the view of one account and whether it is known.
func (en *Engine) Account(id fairmark.AccountID) (AccountView, bool) {
	a := en.accounts.get(id)
	if a == nil {
		return AccountView{}, false
	}
	v := AccountView{ID: a.id, Role: a.role.role(), Risk: math.Round(a.risk*1e4) / 1e4, Flagged: a.flagged, Banned: a.banned, Reasons: a.bs().reasons}
	if v.Reasons == nil {
		v.Reasons = []string{}
	}
	if a.flagged || !a.bs().flaggedAt.isZero() {
		t := a.bs().flaggedAt.time()
		v.FirstFlaggedAt = &t
	}
	if a.role != codeSeller {
		f := en.features(a)
		f.Risk = a.risk
		v.Features = &f
	}
	for _, m := range en.members(a) {
		if m != a {
			v.Linked = append(v.Linked, m.id)
		}
	}
	return v, true
}

// FeedbackView is one feedback's current standing.
type FeedbackView struct {
	ID        fairmark.FeedbackID `json:"feedback"`
	Seller    fairmark.AccountID  `json:"seller"`
	Buyer     fairmark.AccountID  `json:"buyer"`
	Rating    fairmark.Rating     `json:"rating"`
	First     fairmark.Rating     `json:"first_rating"`
	Left      time.Time           `json:"left_at"`
	Held      bool                `json:"held"`
	Counted   bool                `json:"counted"`
	Withdrawn bool                `json:"withdrawn"`
	Removed   bool                `json:"removed"`
	Reason    string              `json:"reason"`
}

// Feedback returns one feedback's view and whether it is known.
func (en *Engine) Feedback(id fairmark.FeedbackID) (FeedbackView, bool) {
	f := en.feedback.get(id)
	if f == nil {
		return FeedbackView{}, false
	}
	return feedbackView(f), true
}

func feedbackView(f *feedback) FeedbackView {
	return FeedbackView{
		ID: f.id, Seller: f.seller.id, Buyer: f.buyer.id, Rating: f.rating.rating(), First: f.first.rating(), Left: f.left.time(),
		Held: f.held, Counted: !f.held && !f.withdrawn && !f.removed,
		Withdrawn: f.withdrawn, Removed: f.removed, Reason: f.m().holdWhy,
	}
}

// HeldView is one held feedback in a seller's reputation.
type HeldView struct {
	Feedback fairmark.FeedbackID `json:"feedback"`
	Buyer    fairmark.AccountID  `json:"buyer"`
	Rating   fairmark.Rating     `json:"rating"`
	Reason   string              `json:"reason"`
}

// ReputationView is a seller's raw and protected reputation.
type ReputationView struct {
	Seller                fairmark.AccountID `json:"seller"`
	ScoreRaw              int                `json:"score_raw"`
	ScoreProtected        int                `json:"score_protected"`
	NegativesRaw          int                `json:"negatives_raw"`
	NegativesCounted      int                `json:"negatives_counted"`
	PositiveRateRaw       float64            `json:"positive_rate_raw"`
	PositiveRateProtected float64            `json:"positive_rate_protected"`
	Ratings               int                `json:"ratings_raw"`
	// ScoreWeighted is the protected score with each rating weighted by
	// its rater's fairness in the last rating-graph batch (1 for raters it
	// has not scored): raters who rate against reliable consensus count less.
	ScoreWeighted float64    `json:"score_weighted"`
	Held          []HeldView `json:"held"`
}

// Reputation returns a seller's reputation view; ok is false for an unknown
// account or one that is not a seller.
func (en *Engine) Reputation(id fairmark.AccountID) (ReputationView, bool) {
	a := en.accounts.get(id)
	if a == nil || (a.role != codeSeller && a.ss().rep == nil) {
		return ReputationView{}, false
	}
	var r reputation.Seller
	if a.ss().rep != nil {
		r = *a.ss().rep
	}
	v := ReputationView{
		Seller: id, ScoreRaw: r.Raw.Score(), ScoreProtected: r.Protected.Score(),
		NegativesRaw: r.Raw.Negatives, NegativesCounted: r.Protected.Negatives,
		PositiveRateRaw: r.Raw.PositiveRate(), PositiveRateProtected: r.Protected.PositiveRate(),
		Ratings: r.Raw.Total(), Held: []HeldView{},
	}
	for _, f := range a.ss().got {
		if f.held || f.withdrawn || f.removed {
			continue
		}
		w := 1.0
		if g, ok := en.graph[f.buyer]; ok {
			w = g.fairness
		}
		v.ScoreWeighted += float64(f.rating.rating().Value()) * w
	}
	v.ScoreWeighted = math.Round(v.ScoreWeighted*100) / 100
	for _, f := range en.sellerFeedback(a) {
		if f.held && !f.withdrawn && !f.removed {
			v.Held = append(v.Held, HeldView{Feedback: f.id, Buyer: f.buyer.id, Rating: f.rating.rating(), Reason: f.m().holdWhy})
		}
	}
	return v, true
}

// sellerFeedback returns the negatives a seller received, sorted by id.
func (en *Engine) sellerFeedback(s *account) []*feedback {
	out := append([]*feedback(nil), s.ss().gotNegs...)
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// RemarkView is one feedback a buyer left, with what was known when it was
// left: the evidence a reviewer weighs.
type RemarkView struct {
	FeedbackView
	Order     fairmark.OrderID `json:"order"`
	SellerNew bool             `json:"seller_new"`
	// SellerSince is when the seller's account opened (or was first seen).
	SellerSince time.Time       `json:"seller_since"`
	Minutes     float64         `json:"minutes_after_purchase"` // -1: unknown
	PreDelivery bool            `json:"before_delivery"`
	Digital     bool            `json:"digital"`
	Amount      *fairmark.Money `json:"amount,omitempty"`
	Category    string          `json:"category,omitempty"`
}

// Remarks returns the negative remarks an account left (first rating
// negative), in time order.
func (en *Engine) Remarks(id fairmark.AccountID) []RemarkView {
	a := en.accounts.get(id)
	if a == nil {
		return nil
	}
	out := make([]RemarkView, 0, len(a.bs().negs))
	for _, f := range a.bs().negs {
		it := en.item(f.item)
		v := RemarkView{FeedbackView: feedbackView(f), SellerNew: f.sellerNew, SellerSince: f.seller.opened.time(),
			Minutes: f.minutes, PreDelivery: f.predelivery, Digital: f.digital, Category: it.category}
		if f.order != nil {
			v.Order = f.order.id
		}
		if it.currency != "" {
			v.Amount = &fairmark.Money{Value: f.amount, Currency: it.currency}
		}
		out = append(out, v)
	}
	return out
}

// HistoryView is an account's history in brief.
type HistoryView struct {
	ID        fairmark.AccountID `json:"id"`
	Opened    time.Time          `json:"opened"`
	Orders    int                `json:"orders"`
	Positives int                `json:"positives"`
	Negatives int                `json:"negatives"`
	// RecentNegatives are the negatives of the last 30 days (engine time).
	RecentNegatives int       `json:"recent_negatives"`
	Banned          bool      `json:"banned"`
	Now             time.Time `json:"now"`
}

// History returns an account's history in brief and whether it is known.
func (en *Engine) History(id fairmark.AccountID) (HistoryView, bool) {
	a := en.accounts.get(id)
	if a == nil {
		return HistoryView{}, false
	}
	h := HistoryView{ID: a.id, Opened: a.opened.time(), Orders: int(a.orders), Positives: int(a.positives), Negatives: len(a.bs().negs), Banned: a.banned, Now: en.now}
	for _, f := range a.bs().negs {
		if en.now.Sub(f.left.time()) <= 30*day {
			h.RecentNegatives++
		}
	}
	return h, true
}

// LinkedView is an account linked to another, with the link kinds that
// tie their ring.
type LinkedView struct {
	ID  fairmark.AccountID `json:"id"`
	Via []string           `json:"via"`
}

// Linked returns the accounts linked to id and the kinds of link that tie
// them.
func (en *Engine) Linked(id fairmark.AccountID) []LinkedView {
	a := en.accounts.get(id)
	if a == nil {
		return nil
	}
	var via []string
	root := a.root()
	for _, k := range linkKindNames {
		if root.linkVia.has(k) {
			via = append(via, k)
		}
	}
	var out []LinkedView
	for _, m := range en.members(a) {
		if m != a {
			out = append(out, LinkedView{ID: m.id, Via: via})
		}
	}
	return out
}

// Flagged returns the ids of the flagged accounts, sorted.
func (en *Engine) Flagged() []fairmark.AccountID {
	var out []fairmark.AccountID
	en.accounts.each(func(a *account) {
		if a.flagged {
			out = append(out, a.id)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
