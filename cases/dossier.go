package cases

import (
	"time"

	"github.com/fairmark/fairmark"
)

// Dossier is what a reviewer needs to decide a case: the accused's
// timeline, the victims, the linked accounts and what links them, the
// score's reasons and similar closed cases. The service fills it from the
// engine and the store.
type Dossier struct {
	Case     *Case    `json:"case"`
	Priority float64  `json:"priority"`
	Why      []string `json:"priority_reasons"`

	Accused  Party          `json:"accused"`
	Linked   []Party        `json:"linked"`
	Victims  []VictimDetail `json:"victims"`
	Timeline []Moment       `json:"timeline"`
	Events   []Event        `json:"events"`
	Similar  []Similar      `json:"similar"`
	// Evidence is the number of evidence-log records scoped to the case's
	// reports, messages and actions; the bundle endpoint exports them.
	Evidence int `json:"evidence_records"`
}

// Party is an account in a dossier.
type Party struct {
	ID       fairmark.AccountID `json:"id"`
	Risk     float64            `json:"risk"`
	Flagged  bool               `json:"flagged"`
	Banned   bool               `json:"banned"`
	Reasons  []string           `json:"reasons,omitempty"`
	OpenedAt time.Time          `json:"opened_at,omitzero"`
	// Via names the links a linked account shares with the accused
	// (device, ip, phone, payment).
	Via []string `json:"via,omitempty"`
}

// VictimDetail is a victim with what the reviewer needs to weigh it.
type VictimDetail struct {
	Victim
	// AgeDays is the seller account's age when the accused's first remark
	// to it was left.
	AgeDays  float64  `json:"age_days"`
	Ratings  int      `json:"ratings"`
	Remarks  []Remark `json:"remarks"`
	Reported bool     `json:"reported"`
}

// Remark is one feedback of the accused, with its timing.
type Remark struct {
	ID        fairmark.FeedbackID `json:"feedback"`
	Order     fairmark.OrderID    `json:"order"`
	Seller    fairmark.AccountID  `json:"seller"`
	Rating    fairmark.Rating     `json:"rating"`
	First     fairmark.Rating     `json:"first_rating"`
	Text      string              `json:"text"`
	Left      time.Time           `json:"left_at"`
	Item      string              `json:"item,omitempty"`
	Amount    *fairmark.Money     `json:"amount,omitempty"`
	Digital   bool                `json:"digital"`
	Minutes   float64             `json:"minutes_after_purchase"` // -1: unknown
	Held      bool                `json:"held"`
	Withdrawn bool                `json:"withdrawn"`
	Removed   bool                `json:"removed"`
	HoldWhy   string              `json:"hold_reason,omitempty"`
}

// MomentKind is the kind of a timeline entry.
type MomentKind string

// Timeline entry kinds.
const (
	MomentOrder     MomentKind = "order"
	MomentDelivered MomentKind = "delivered"
	MomentRemark    MomentKind = "feedback"
	MomentWithdrawn MomentKind = "withdrawn"
	MomentMessage   MomentKind = "message"
	MomentReport    MomentKind = "report"
	MomentDecision  MomentKind = "decision"
)

// Moment is one entry of the accused's timeline.
type Moment struct {
	At       time.Time           `json:"at"`
	Kind     MomentKind          `json:"kind"`
	Account  fairmark.AccountID  `json:"account"` // the accused or a linked account
	Seller   fairmark.AccountID  `json:"seller,omitempty"`
	Order    fairmark.OrderID    `json:"order,omitempty"`
	Feedback fairmark.FeedbackID `json:"feedback,omitempty"`
	Message  fairmark.MessageID  `json:"message,omitempty"`
	Text     string              `json:"text"`
	// Detections name what the detectors found in a message or remark:
	// off-platform contacts and extortion intent.
	Detections []string `json:"detections,omitempty"`
}

// Similar is a closed case like this one.
type Similar struct {
	ID      fairmark.CaseID    `json:"id"`
	Accused fairmark.AccountID `json:"accused"`
	Outcome Outcome            `json:"outcome"`
	Why     string             `json:"why"`
}

// SimilarTo picks up to n closed cases like c: those sharing a victim or a
// linked account first, then those whose accused hit as many sellers.
func SimilarTo(c *Case, linked []fairmark.AccountID, closed []*Case, n int) []Similar {
	var out []Similar
	seen := map[fairmark.CaseID]bool{c.ID: true}
	add := func(o *Case, why string) {
		if !seen[o.ID] && len(out) < n {
			seen[o.ID] = true
			out = append(out, Similar{ID: o.ID, Accused: o.Accused, Outcome: o.Outcome, Why: why})
		}
	}
	for _, o := range closed {
		if containsAccount(linked, o.Accused) {
			add(o, "accused linked to this case's accused")
		}
	}
	for _, o := range closed {
		for _, v := range c.Victims {
			if o.Involves(v.Seller) {
				add(o, "same victim "+string(v.Seller))
				break
			}
		}
	}
	for _, o := range closed {
		if o.Outcome == ExtortionConfirmed && len(o.Victims) >= 2 && len(c.Victims) >= 2 {
			add(o, "confirmed extortion of several sellers")
		}
	}
	return out
}
