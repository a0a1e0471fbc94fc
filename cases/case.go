// Package cases runs extortion cases: one accused (and its linked
// accounts) and every seller it hurt, from the first report or flag to a
// ban, the removal of the extortion remarks, restitution, notices to every
// victim and an appeal.
//
// A case is the fold of its append-only case events (Apply). Commands
// (Decide) check who may do what and return the events to append and the
// effects to carry out: moderation actions for the event log (so a replay
// reproduces reviewers' decisions) and notices for the marketplace's
// webhooks. The package is pure: storage, the engine and transport are the
// service's business.
package cases

import (
	"time"

	"github.com/fairmark/fairmark"
)

// Status is where a case is in its life. Persisted: append only.
type Status string

// Case statuses. Status is separate from Outcome: a case can be closed with
// any outcome, and reopened by an appeal.
const (
	Open           Status = "open"
	Investigating  Status = "investigating"
	AwaitingAppeal Status = "awaiting_appeal"
	Closed         Status = "closed"
)

// Outcome is what a closed case found. Persisted: append only.
type Outcome string

// Case outcomes.
const (
	NoOutcome            Outcome = ""
	ExtortionConfirmed   Outcome = "extortion_confirmed"
	NotExtortion         Outcome = "not_extortion"
	InsufficientEvidence Outcome = "insufficient_evidence"
)

// Known reports whether o is an outcome a case can close with.
func (o Outcome) Known() bool {
	return o == ExtortionConfirmed || o == NotExtortion || o == InsufficientEvidence
}

// Source is what opened a case.
type Source string

// Case sources.
const (
	FromReport Source = "report"
	FromFlag   Source = "flag"
	FromStaff  Source = "staff"
)

// Case is the current state of a case: the fold of its events.
type Case struct {
	ID      fairmark.CaseID    `json:"id"`
	Accused fairmark.AccountID `json:"accused"`
	Source  Source             `json:"source"`
	Status  Status             `json:"status"`
	Outcome Outcome            `json:"outcome,omitempty"`

	Assignee     string    `json:"assignee,omitempty"`
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	OpenedAt     time.Time `json:"opened_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`

	Reports []fairmark.ReportID `json:"reports,omitempty"`
	Victims []Victim            `json:"victims"`

	Banned      []fairmark.AccountID  `json:"banned,omitempty"`
	Removed     []fairmark.FeedbackID `json:"removed,omitempty"`
	Warned      bool                  `json:"warned,omitempty"`
	Restitution []Restitution         `json:"restitution,omitempty"`
	Pending     []Approval            `json:"pending,omitempty"`
	Appeal      *Appeal               `json:"appeal,omitempty"`

	// Deciders are the staff who took a decision on the case (ban, removal,
	// close, approval): an appeal goes to someone else.
	Deciders []string `json:"deciders,omitempty"`
	// Seq is the number of events folded in: the next event's Seq is Seq+1.
	Seq int `json:"seq"`
}

// Victim is a seller the accused hurt.
type Victim struct {
	Seller fairmark.AccountID `json:"seller"`
	// New: the seller was new (by account age and ratings) when first hurt.
	New      bool                  `json:"new"`
	Feedback []fairmark.FeedbackID `json:"feedback,omitempty"`
	Reports  []fairmark.ReportID   `json:"reports,omitempty"`
	// Paid is what the seller says it handed over, per currency.
	Paid  []fairmark.Money `json:"paid,omitempty"`
	Since time.Time        `json:"since"`
}

// Restitution is one entry of the case's ledger: money owed to a victim.
type Restitution struct {
	Entry  int                `json:"entry"`
	Victim fairmark.AccountID `json:"victim"`
	Amount fairmark.Money     `json:"amount"`
	OwedAt time.Time          `json:"owed_at"`
	By     string             `json:"by"`
	Paid   bool               `json:"paid"`
	PaidAt time.Time          `json:"paid_at,omitzero"`
	Ref    string             `json:"ref,omitempty"` // the marketplace's payment reference
}

// Approval is an action waiting for a second staff member (four eyes).
type Approval struct {
	Request     int                  `json:"request"` // Seq of the request event
	Action      fairmark.Action      `json:"action"`
	Accounts    []fairmark.AccountID `json:"accounts"`
	Reason      string               `json:"reason"`
	RequestedBy string               `json:"requested_by"`
	At          time.Time            `json:"at"`
}

// Appeal is the accused's one appeal.
type Appeal struct {
	At        time.Time `json:"at"`
	Text      string    `json:"text"`
	By        string    `json:"by"`
	Decided   bool      `json:"decided"`
	Granted   bool      `json:"granted"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// Victim returns the victim entry of seller, or nil.
func (c *Case) Victim(seller fairmark.AccountID) *Victim {
	for i := range c.Victims {
		if c.Victims[i].Seller == seller {
			return &c.Victims[i]
		}
	}
	return nil
}

// Share is what of a case concerns one victim: its entry, which of its
// remarks were removed and its restitution entries. A victim sees its share
// and not the others'.
type Share struct {
	Victim      Victim
	Removed     []fairmark.FeedbackID
	Restitution []Restitution
}

// ShareOf returns seller's share of the case; ok is false when seller is
// not a victim.
func (c *Case) ShareOf(seller fairmark.AccountID) (sh Share, ok bool) {
	v := c.Victim(seller)
	if v == nil {
		return Share{}, false
	}
	sh.Victim = *v
	for _, f := range v.Feedback {
		if containsFeedback(c.Removed, f) {
			sh.Removed = append(sh.Removed, f)
		}
	}
	for _, r := range c.Restitution {
		if r.Victim == seller {
			sh.Restitution = append(sh.Restitution, r)
		}
	}
	return sh, true
}

// Closed reports whether the case is closed.
func (c *Case) Closed() bool { return c.Status == Closed }

// Involves reports whether seller is one of the case's victims.
func (c *Case) Involves(seller fairmark.AccountID) bool { return c.Victim(seller) != nil }

// PaidTotal returns what the victims say they paid, per currency, in
// currency order.
func (c *Case) PaidTotal() []fairmark.Money {
	var out []fairmark.Money
	for _, v := range c.Victims {
		for _, p := range v.Paid {
			out = addMoney(out, p)
		}
	}
	return out
}

// Owed returns the restitution recorded and what of it is unpaid, per
// currency.
func (c *Case) Owed() (owed, unpaid []fairmark.Money) {
	for _, r := range c.Restitution {
		owed = addMoney(owed, r.Amount)
		if !r.Paid {
			unpaid = addMoney(unpaid, r.Amount)
		}
	}
	return owed, unpaid
}

func addMoney(ms []fairmark.Money, m fairmark.Money) []fairmark.Money {
	for i := range ms {
		if ms[i].Currency == m.Currency {
			ms[i].Value += m.Value
			return ms
		}
	}
	ms = append(ms, m)
	for i := len(ms) - 1; i > 0 && ms[i].Currency < ms[i-1].Currency; i-- {
		ms[i], ms[i-1] = ms[i-1], ms[i]
	}
	return ms
}

func containsAccount(xs []fairmark.AccountID, x fairmark.AccountID) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func containsFeedback(xs []fairmark.FeedbackID, x fairmark.FeedbackID) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
