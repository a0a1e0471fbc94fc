package engine

import (
	"time"

	"github.com/fairmark/fairmark"
)

// DecisionKind is what a decision does. Persisted: append-only, never
// reorder or reuse a value.
type DecisionKind string

// Decision kinds.
const (
	FlagAccount  DecisionKind = "flag_account"
	ClearAccount DecisionKind = "clear_account"
	HoldFeedback DecisionKind = "hold_feedback"
	ReleaseHold  DecisionKind = "release_hold"
	AlertSeller  DecisionKind = "alert_seller"
	// Reviewers' decisions (moderation.action events).
	BanAccount      DecisionKind = "ban_account"
	UnbanAccount    DecisionKind = "unban_account"
	RemoveFeedback  DecisionKind = "remove_feedback"
	RestoreFeedback DecisionKind = "restore_feedback"
)

// AlertKind says why a seller is alerted.
type AlertKind string

// Alert kinds.
const (
	AlertOffPlatform   AlertKind = "off_platform_contact"
	AlertExtortion     AlertKind = "extortion_demand"
	AlertFeedbackHeld  AlertKind = "feedback_held"
	AlertBuyerFlagged  AlertKind = "buyer_flagged"
	AlertHoldsReleased AlertKind = "holds_released"
	AlertRemarkRemoved AlertKind = "remark_removed"
	AlertBuyerBanned   AlertKind = "buyer_banned"
)

// Decision is one decision of the engine, made at an event.
type Decision struct {
	Kind     DecisionKind        `json:"kind"`
	At       time.Time           `json:"at"`
	Event    fairmark.EventID    `json:"event"`
	Account  fairmark.AccountID  `json:"account,omitempty"` // the buyer concerned
	Seller   fairmark.AccountID  `json:"seller,omitempty"`
	Feedback fairmark.FeedbackID `json:"feedback,omitempty"`
	Message  fairmark.MessageID  `json:"message,omitempty"`
	Risk     float64             `json:"risk,omitempty"`
	Reason   string              `json:"reason"`
	Alert    *Alert              `json:"alert,omitempty"`
}

// Key identifies a decision: the same decision made again on a rebuild has
// the same key, so stores can keep decisions idempotently.
func (d Decision) Key() string {
	subject := string(d.Account)
	if d.Feedback != "" {
		subject = string(d.Feedback)
	}
	if d.Kind == AlertSeller {
		subject = string(d.Seller) + "/" + string(d.Alert.Kind) + "/" + string(d.Account) + "/" + string(d.Feedback) + "/" + string(d.Message)
	}
	return string(d.Kind) + "|" + subject + "|" + string(d.Event)
}

// Alert tells a seller what happened and what to do, in English and Chinese.
type Alert struct {
	Kind       AlertKind `json:"kind"`
	Contacts   []Contact `json:"contacts,omitempty"`
	Text       string    `json:"text"`
	TextZH     string    `json:"text_zh"`
	Guidance   string    `json:"guidance"`
	GuidanceZH string    `json:"guidance_zh"`
}

// Guidance every alert carries: keep talking here, never pay, report.
const (
	guidanceEN = "Keep talking on the marketplace chat — it is the record that protects you. Never pay to have a remark removed: fairmark holds suspicious remarks out of your score while they are reviewed. Report the buyer; this conversation is already kept as evidence."
	guidanceZH = "请继续在平台聊天里沟通，平台聊天记录才是保护你的证据。不要为删差评付钱：可疑差评在审核期间不计入你的评分。请举报该买家，这段对话已作为证据保存。"
)

func newAlert(kind AlertKind, en, zh string) *Alert {
	return &Alert{Kind: kind, Text: en, TextZH: zh, Guidance: guidanceEN, GuidanceZH: guidanceZH}
}
