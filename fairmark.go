// Package fairmark holds the domain types of fairmark — accounts, orders,
// feedback, messages, reports and the events that carry them — together with
// the application error codes shared by every adapter.
//
// The package imports only the standard library. Adapters (store, web, the
// stream sources) and the engine build on it; it never imports them.
package fairmark

import "time"

// Named identifier types keep ids of different things from being mixed up.
type (
	EventID        string
	AccountID      string
	OrderID        string
	ItemID         string
	FeedbackID     string
	MessageID      string
	ConversationID string
	ReportID       string
	CaseID         string
)

// EventType is the type of a marketplace event (events.md).
type EventType string

// The event types of the v1 contract.
const (
	AccountOpened     EventType = "account.opened"
	OrderPlaced       EventType = "order.placed"
	OrderDelivered    EventType = "order.delivered"
	OrderRefunded     EventType = "order.refunded"
	FeedbackLeft      EventType = "feedback.left"
	FeedbackRevised   EventType = "feedback.revised"
	FeedbackWithdrawn EventType = "feedback.withdrawn"
	MessageSent       EventType = "message.sent"
	ReportFiled       EventType = "report.filed"
	// ModerationAction records a human decision taken on a case (ban,
	// removal of a remark, clearing an account). It extends the v1 contract
	// so that a replay of the log reproduces what reviewers decided.
	ModerationAction EventType = "moderation.action"
)

// EventTypes lists every known event type in contract order.
var EventTypes = []EventType{
	AccountOpened, OrderPlaced, OrderDelivered, OrderRefunded,
	FeedbackLeft, FeedbackRevised, FeedbackWithdrawn, MessageSent, ReportFiled,
	ModerationAction,
}

// Known reports whether t is a type of the contract.
func (t EventType) Known() bool {
	for _, k := range EventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Role of an account. One id has one role.
type Role string

// Account roles.
const (
	Buyer  Role = "buyer"
	Seller Role = "seller"
)

// Rating of a feedback.
type Rating string

// Feedback ratings.
const (
	Positive Rating = "positive"
	Neutral  Rating = "neutral"
	Negative Rating = "negative"
)

// Value is the Taobao-style score contribution: +1, 0 or -1.
func (r Rating) Value() int {
	switch r {
	case Positive:
		return 1
	case Negative:
		return -1
	}
	return 0
}

// ReportKind is what a report accuses.
type ReportKind string

// Report kinds.
const (
	ReportExtortion          ReportKind = "extortion"
	ReportOffPlatformContact ReportKind = "off_platform_contact"
	ReportFakeFeedback       ReportKind = "fake_feedback"
	ReportOther              ReportKind = "other"
)

// Links are opaque identifiers (hashed by the marketplace) that tie accounts
// together: two accounts sharing one are linked.
type Links struct {
	Device  string `json:"device,omitempty"`
	IP      string `json:"ip,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Payment string `json:"payment,omitempty"`
}

// Each calls fn for every non-empty link with its kind name.
func (l Links) Each(fn func(kind, value string)) {
	if l.Device != "" {
		fn("device", l.Device)
	}
	if l.IP != "" {
		fn("ip", l.IP)
	}
	if l.Phone != "" {
		fn("phone", l.Phone)
	}
	if l.Payment != "" {
		fn("payment", l.Payment)
	}
}

// Account is the payload of account.opened.
type Account struct {
	ID    AccountID `json:"id"`
	Role  Role      `json:"role"`
	Name  string    `json:"name,omitempty"`
	Links *Links    `json:"links,omitempty"`
}

// Item is what an order bought.
type Item struct {
	ID       ItemID `json:"id,omitempty"`
	Title    string `json:"title,omitempty"`
	Category string `json:"category,omitempty"`
	Digital  bool   `json:"digital,omitempty"`
}

// Order is the payload of order.placed, order.delivered and order.refunded.
// Delivered carries only ID; refunded carries ID and optionally Amount.
type Order struct {
	ID     OrderID   `json:"id"`
	Buyer  AccountID `json:"buyer,omitempty"`
	Seller AccountID `json:"seller,omitempty"`
	Item   *Item     `json:"item,omitempty"`
	Amount *Money    `json:"amount,omitempty"`
}

// Feedback is the payload of feedback.left, feedback.revised and
// feedback.withdrawn. Revised carries ID and the changed fields; withdrawn
// carries ID only.
type Feedback struct {
	ID     FeedbackID `json:"id"`
	Order  OrderID    `json:"order,omitempty"`
	Buyer  AccountID  `json:"buyer,omitempty"`
	Seller AccountID  `json:"seller,omitempty"`
	Rating Rating     `json:"rating,omitempty"`
	Stars  int        `json:"stars,omitempty"`
	Text   string     `json:"text,omitempty"`
}

// Message is the payload of message.sent: a message on the marketplace chat.
type Message struct {
	ID           MessageID      `json:"id"`
	Conversation ConversationID `json:"conversation"`
	Order        OrderID        `json:"order,omitempty"`
	From         AccountID      `json:"from"`
	To           AccountID      `json:"to"`
	Text         string         `json:"text"`
}

// EvidenceRef names a piece of evidence a reporter holds, by its hash.
type EvidenceRef struct {
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Note   string `json:"note,omitempty"`
}

// Report is the payload of report.filed.
type Report struct {
	ID       ReportID      `json:"id"`
	Reporter AccountID     `json:"reporter"`
	Accused  AccountID     `json:"accused"`
	Order    OrderID       `json:"order,omitempty"`
	Feedback FeedbackID    `json:"feedback,omitempty"`
	Kind     ReportKind    `json:"kind"`
	Text     string        `json:"text,omitempty"`
	Paid     *Money        `json:"paid,omitempty"`
	Evidence []EvidenceRef `json:"evidence,omitempty"`
}

// Action is what a moderation.action event does. Persisted: append only,
// never reuse a value.
type Action string

// Moderation actions.
const (
	// ActionBan bans the accounts: they stay flagged and every negative
	// remark they left stays held.
	ActionBan Action = "ban"
	// ActionUnban lifts a ban (an appeal granted); it does not clear the flag.
	ActionUnban Action = "unban"
	// ActionRemoveFeedback removes remarks: they no longer count in the raw
	// or the protected score.
	ActionRemoveFeedback Action = "remove_feedback"
	// ActionRestoreFeedback undoes a removal.
	ActionRestoreFeedback Action = "restore_feedback"
	// ActionClear clears the accounts: the flag is lifted, holds placed
	// because of it are released, and the same evidence does not flag again.
	ActionClear Action = "clear"
)

// Actions lists every moderation action.
var Actions = []Action{ActionBan, ActionUnban, ActionRemoveFeedback, ActionRestoreFeedback, ActionClear}

// Known reports whether a is a defined action.
func (a Action) Known() bool {
	for _, k := range Actions {
		if k == a {
			return true
		}
	}
	return false
}

// OnAccounts reports whether the action applies to accounts (else to feedback).
func (a Action) OnAccounts() bool {
	return a == ActionBan || a == ActionUnban || a == ActionClear
}

// Moderation is the payload of moderation.action: a reviewer's decision.
// Ban, unban and clear name Accounts; remove_feedback and restore_feedback
// name Feedback.
type Moderation struct {
	Action   Action       `json:"action"`
	Accounts []AccountID  `json:"accounts,omitempty"`
	Feedback []FeedbackID `json:"feedback,omitempty"`
	Case     CaseID       `json:"case,omitempty"`
	By       string       `json:"by"`
	Reason   string       `json:"reason"`
}

// Event is one marketplace event. Exactly one payload pointer is set, the
// one named after the type's noun.
type Event struct {
	ID         EventID     `json:"id"`
	Type       EventType   `json:"type"`
	At         time.Time   `json:"at"`
	Account    *Account    `json:"account,omitempty"`
	Order      *Order      `json:"order,omitempty"`
	Feedback   *Feedback   `json:"feedback,omitempty"`
	Message    *Message    `json:"message,omitempty"`
	Report     *Report     `json:"report,omitempty"`
	Moderation *Moderation `json:"moderation,omitempty"`
}

// Less orders events by time, then by id, the engine's deterministic order.
func Less(a, b *Event) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.ID < b.ID
}
