package cases

import (
	"fmt"
	"time"

	"github.com/fairmark/fairmark"
)

// Kind is what a case event records. Persisted: append only, never reuse.
type Kind string

// Case event kinds.
const (
	Opened            Kind = "opened"
	ReportJoined      Kind = "report_joined"
	VictimAdded       Kind = "victim_added"
	Assigned          Kind = "assigned"
	Snoozed           Kind = "snoozed"
	StatusChanged     Kind = "status_changed"
	Noted             Kind = "noted"
	ApprovalRequested Kind = "approval_requested"
	ApprovalGranted   Kind = "approval_granted"
	ApprovalRejected  Kind = "approval_rejected"
	Banned            Kind = "banned"
	RemarksRemoved    Kind = "remarks_removed"
	RestitutionOwed   Kind = "restitution_owed"
	RestitutionPaid   Kind = "restitution_paid"
	Warned            Kind = "warned"
	Dismissed         Kind = "dismissed"
	CaseClosed        Kind = "closed"
	Appealed          Kind = "appealed"
	AppealDecided     Kind = "appeal_decided"
	Unbanned          Kind = "unbanned"
	RemarksRestored   Kind = "remarks_restored"
	VictimsNotified   Kind = "victims_notified"
	OutcomeChanged    Kind = "outcome_changed"
	FlaggedAgain      Kind = "flagged_again"
)

// Event is one append-only case event. Field changes carry the previous
// and the new value; Data carries what the event is about.
type Event struct {
	Case   fairmark.CaseID `json:"case"`
	Seq    int             `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Kind   Kind            `json:"kind"`
	Field  string          `json:"field,omitempty"`
	Prev   string          `json:"prev,omitempty"`
	New    string          `json:"new,omitempty"`
	Reason string          `json:"reason,omitempty"`
	Data   *Data           `json:"data,omitempty"`
}

// Data is the subject of a case event; only the fields the kind uses are set.
type Data struct {
	Accused  fairmark.AccountID    `json:"accused,omitempty"`
	Source   Source                `json:"source,omitempty"`
	Report   fairmark.ReportID     `json:"report,omitempty"`
	Victim   *Victim               `json:"victim,omitempty"`
	Accounts []fairmark.AccountID  `json:"accounts,omitempty"`
	Feedback []fairmark.FeedbackID `json:"feedback,omitempty"`
	Amount   *fairmark.Money       `json:"amount,omitempty"`
	Entry    int                   `json:"entry,omitempty"`
	Request  int                   `json:"request,omitempty"`
	Action   fairmark.Action       `json:"action,omitempty"`
	Text     string                `json:"text,omitempty"`
	Until    time.Time             `json:"until,omitzero"`
	Ref      string                `json:"ref,omitempty"`
	Granted  bool                  `json:"granted,omitempty"`
}

// Fold builds a case from its events, in Seq order.
func Fold(evs []Event) (*Case, error) {
	c := &Case{}
	for _, e := range evs {
		if err := c.Apply(e); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Apply folds one event into c. Events must come in Seq order without gaps.
func (c *Case) Apply(e Event) error {
	if e.Seq != c.Seq+1 {
		return fmt.Errorf("case %s: event %d (%s) after %d", e.Case, e.Seq, e.Kind, c.Seq)
	}
	if c.Seq > 0 && e.Case != c.ID {
		return fmt.Errorf("case event for %s folded into %s", e.Case, c.ID)
	}
	d := e.Data
	if d == nil {
		d = &Data{}
	}
	switch e.Kind {
	case Opened:
		c.ID, c.Accused, c.Source, c.Status, c.OpenedAt = e.Case, d.Accused, d.Source, Open, e.At
		c.Victims = []Victim{}
	case ReportJoined:
		if d.Report != "" && !containsReport(c.Reports, d.Report) {
			c.Reports = append(c.Reports, d.Report)
		}
		if d.Victim != nil {
			c.mergeVictim(*d.Victim)
		}
	case VictimAdded:
		if d.Victim != nil {
			c.mergeVictim(*d.Victim)
		}
	case Assigned:
		c.Assignee = e.New
	case Snoozed:
		c.SnoozedUntil = d.Until
	case StatusChanged:
		c.setStatus(Status(e.New), e.At)
	case OutcomeChanged:
		c.Outcome = Outcome(e.New)
	case ApprovalRequested:
		c.Pending = append(c.Pending, Approval{Request: e.Seq, Action: d.Action, Accounts: d.Accounts, Reason: e.Reason, RequestedBy: e.Actor, At: e.At})
	case ApprovalGranted, ApprovalRejected:
		for i, p := range c.Pending {
			if p.Request == d.Request {
				c.Pending = append(c.Pending[:i:i], c.Pending[i+1:]...)
				break
			}
		}
		c.decider(e.Actor)
	case Banned:
		for _, a := range d.Accounts {
			if !containsAccount(c.Banned, a) {
				c.Banned = append(c.Banned, a)
			}
		}
		c.decider(e.Actor)
	case Unbanned:
		var keep []fairmark.AccountID
		for _, a := range c.Banned {
			if !containsAccount(d.Accounts, a) {
				keep = append(keep, a)
			}
		}
		c.Banned = keep
	case RemarksRemoved:
		for _, f := range d.Feedback {
			if !containsFeedback(c.Removed, f) {
				c.Removed = append(c.Removed, f)
			}
		}
		c.decider(e.Actor)
	case RemarksRestored:
		var keep []fairmark.FeedbackID
		for _, f := range c.Removed {
			if !containsFeedback(d.Feedback, f) {
				keep = append(keep, f)
			}
		}
		c.Removed = keep
	case RestitutionOwed:
		if d.Victim == nil || d.Amount == nil {
			return fmt.Errorf("case %s event %d: restitution without victim or amount", e.Case, e.Seq)
		}
		c.Restitution = append(c.Restitution, Restitution{Entry: d.Entry, Victim: d.Victim.Seller, Amount: *d.Amount, OwedAt: e.At, By: e.Actor})
	case RestitutionPaid:
		for i := range c.Restitution {
			if c.Restitution[i].Entry == d.Entry {
				c.Restitution[i].Paid, c.Restitution[i].PaidAt, c.Restitution[i].Ref = true, e.At, d.Ref
			}
		}
	case Warned:
		c.Warned = true
		c.decider(e.Actor)
	case Dismissed:
		c.decider(e.Actor)
	case CaseClosed:
		c.Outcome = Outcome(e.New)
		c.setStatus(Closed, e.At)
		c.decider(e.Actor)
	case Appealed:
		c.Appeal = &Appeal{At: e.At, Text: d.Text, By: e.Actor}
		c.setStatus(AwaitingAppeal, e.At)
	case AppealDecided:
		if c.Appeal != nil {
			c.Appeal.Decided, c.Appeal.Granted, c.Appeal.DecidedBy, c.Appeal.DecidedAt, c.Appeal.Reason = true, d.Granted, e.Actor, e.At, e.Reason
		}
		c.setStatus(Closed, e.At)
	case Noted, VictimsNotified, FlaggedAgain:
	default:
		return fmt.Errorf("case %s event %d: unknown kind %q", e.Case, e.Seq, e.Kind)
	}
	c.Seq = e.Seq
	c.UpdatedAt = e.At
	return nil
}

func (c *Case) setStatus(s Status, at time.Time) {
	c.Status = s
	if s == Closed {
		c.ClosedAt = at
	} else {
		c.ClosedAt = time.Time{}
	}
}

func (c *Case) decider(actor string) {
	if !containsString(c.Deciders, actor) {
		c.Deciders = append(c.Deciders, actor)
	}
}

// mergeVictim adds v, or merges it into the victim already there.
func (c *Case) mergeVictim(v Victim) {
	old := c.Victim(v.Seller)
	if old == nil {
		v.Feedback = append([]fairmark.FeedbackID(nil), v.Feedback...)
		v.Reports = append([]fairmark.ReportID(nil), v.Reports...)
		v.Paid = append([]fairmark.Money(nil), v.Paid...)
		c.Victims = append(c.Victims, v)
		return
	}
	old.New = old.New || v.New
	if old.Since.IsZero() || (!v.Since.IsZero() && v.Since.Before(old.Since)) {
		old.Since = v.Since
	}
	for _, f := range v.Feedback {
		if !containsFeedback(old.Feedback, f) {
			old.Feedback = append(old.Feedback, f)
		}
	}
	for _, r := range v.Reports {
		if !containsReport(old.Reports, r) {
			old.Reports = append(old.Reports, r)
		}
	}
	for _, p := range v.Paid {
		old.Paid = addMoney(old.Paid, p)
	}
}

func containsReport(xs []fairmark.ReportID, x fairmark.ReportID) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
