package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"time"

	"github.com/fairmark/fairmark"
)

// Message types fairmark sends. Receivers should ignore types they do not
// know: new ones may be added.
const (
	TypeAccountBanned    = "account.banned"    // an account was banned after a case
	TypeAccountUnbanned  = "account.unbanned"  // a ban was lifted (appeal upheld, mistake)
	TypeAccountWarned    = "account.warned"    // an account was warned, not banned
	TypeAccountCleared   = "account.cleared"   // a case found nothing against the account
	TypeFeedbackRemoved  = "feedback.removed"  // a feedback entry must be taken down
	TypeFeedbackRestored = "feedback.restored" // a removed feedback entry must be shown again
	TypeRestitutionOwed  = "restitution.owed"  // a victim is owed money back
	TypeRestitutionPaid  = "restitution.paid"  // owed restitution was paid
	TypeCaseOpened       = "case.opened"       // staff opened a case
	TypeCaseClosed       = "case.closed"       // staff closed a case, with its outcome
	TypeVictimNotice     = "victim.notice"     // a notice the marketplace should show a victim
)

// Message is one notification, the same for every endpoint it goes to.
type Message struct {
	// ID is chosen by the producer and stable: the same decision yields
	// the same id (e.g. "case-c1-ban-b123"), so enqueueing it twice sends
	// it once. It is sent as webhook-id on every attempt. Letters, digits,
	// '_', '-' and ':', at most 200 bytes.
	ID string `json:"id"`
	// Type is a full-stop delimited event type such as "account.banned".
	Type string `json:"type"`
	// Payload is the JSON sent as the envelope's "data"; empty means {}.
	Payload json.RawMessage `json:"data"`
	// CreatedAt is when the event happened; the outbox sets it to its
	// clock when zero. It is the envelope's "timestamp".
	CreatedAt time.Time `json:"created_at"`
}

const maxIDLen = 200

func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == ':'
}

func validType(t string) bool {
	if t == "" || len(t) > 100 || t[0] == '.' || t[len(t)-1] == '.' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '.' {
			if t[i-1] == '.' {
				return false
			}
			continue
		}
		if !idByte(c) || c == '-' || c == ':' {
			return false
		}
	}
	return true
}

// Validate returns an EINVALID error naming what is wrong with m.
func (m Message) Validate() error {
	if m.ID == "" || len(m.ID) > maxIDLen {
		return fairmark.Errorf(fairmark.EINVALID, "webhook message id must be 1 to %d bytes", maxIDLen)
	}
	for i := 0; i < len(m.ID); i++ {
		if !idByte(m.ID[i]) {
			return fairmark.Errorf(fairmark.EINVALID, "webhook message id %q: only letters, digits, '_', '-' and ':' are allowed", m.ID)
		}
	}
	if !validType(m.Type) {
		return fairmark.Errorf(fairmark.EINVALID, "webhook message %s: type %q is not full-stop delimited words of letters, digits and '_'", m.ID, m.Type)
	}
	if len(m.Payload) > 0 && !json.Valid(m.Payload) {
		return fairmark.Errorf(fairmark.EINVALID, "webhook message %s: payload is not valid JSON", m.ID)
	}
	return nil
}

// envelope is the body POSTed, in the Standard Webhooks style.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Body returns the JSON body POSTed for m:
// {"type":…,"timestamp":…(RFC 3339, UTC),"data":payload}. It is the same
// bytes on every attempt.
func (m Message) Body() ([]byte, error) {
	data := m.Payload
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return json.Marshal(envelope{Type: m.Type, Timestamp: m.CreatedAt.UTC().Format(time.RFC3339Nano), Data: data})
}

// CheckEndpoint returns an EINVALID error unless u is an absolute http or
// https URL.
func CheckEndpoint(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > 2048 {
		return fairmark.Errorf(fairmark.EINVALID, "webhook endpoint %q is not an absolute http(s) URL", u)
	}
	return nil
}

// PrepareEnqueue validates and normalizes the arguments of
// [Outbox.Enqueue], so that every outbox refuses and stores the same thing:
// every endpoint must be an absolute http(s) URL and every message valid
// (EINVALID otherwise); repeated endpoints and messages (by id) are
// dropped, the first kept; an empty payload becomes {}; a zero CreatedAt
// becomes now; times are made UTC.
func PrepareEnqueue(endpoints []string, msgs []Message, now time.Time) ([]string, []Message, error) {
	var eps []string
	seen := map[string]bool{}
	for _, e := range endpoints {
		if err := CheckEndpoint(e); err != nil {
			return nil, nil, err
		}
		if !seen[e] {
			seen[e] = true
			eps = append(eps, e)
		}
	}
	var out []Message
	clear(seen)
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return nil, nil, err
		}
		if seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		if len(m.Payload) == 0 {
			m.Payload = json.RawMessage(`{}`)
		} else {
			m.Payload = append(json.RawMessage(nil), m.Payload...)
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		m.CreatedAt = m.CreatedAt.UTC().Round(0)
		out = append(out, m)
	}
	return eps, out, nil
}

// DeliveryID names one message's delivery to one endpoint. It is derived
// from both, so every outbox gives the same pair the same id.
type DeliveryID string

// DeliveryIDFor returns the id of the delivery of message messageID to
// endpoint.
func DeliveryIDFor(messageID, endpoint string) DeliveryID {
	h := sha256.Sum256([]byte(messageID + "\x00" + endpoint))
	return DeliveryID("dlv_" + hex.EncodeToString(h[:12]))
}

// Status is a delivery's state. Persisted: append new values, never
// rename.
type Status string

// Delivery states: pending until the endpoint answers 2xx (delivered) or
// the dispatcher gives up (dead). A replay makes any delivery pending again.
const (
	StatusPending   Status = "pending"
	StatusDelivered Status = "delivered"
	StatusDead      Status = "dead"
)

// Valid reports whether s is one of the delivery states.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusDelivered || s == StatusDead
}

// Delivery is one message to one endpoint.
type Delivery struct {
	ID       DeliveryID `json:"id"`
	Message  Message    `json:"message"`
	Endpoint string     `json:"endpoint"`
	Status   Status     `json:"status"`
	// Attempts counts the times the delivery was handed to a dispatcher
	// since it was enqueued or last replayed (Claim counts an attempt
	// before it is made, so one whose dispatcher died still counts).
	Attempts int `json:"attempts"`
	// NextAttemptAt is when a pending delivery is due; zero otherwise.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero"`
	// LastStatus is the HTTP status of the last attempt, 0 when it got no
	// response (connection refused, timeout) or none was made yet.
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	// Lease is the token of the claim that handed the delivery out, set
	// only on deliveries [Outbox.Claim] returns; MarkDelivered and
	// MarkFailed must present it.
	Lease string `json:"-"`
	// LeasedUntil is when that claim lapses and another dispatcher may
	// take the delivery.
	LeasedUntil time.Time `json:"leased_until,omitzero"`
}

// Attempt is the outcome of one POST.
type Attempt struct {
	At     time.Time
	Status int    // HTTP status; 0 when there was no response
	Error  string // why it failed; "" on success
}
