package event

// The json-based decoder Decode replaced, kept verbatim (identifiers
// renamed) as the oracle of FuzzDecodeDifferential and the "before" of
// BenchmarkDecode. The moderation payload (the moderation.action type added
// after Decode replaced it) is written the way this decoder would have had
// it: a field of the wire struct and one more validate function.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmark/fairmark"
)

// oldWire mirrors the envelope with the time kept as text, so that a bad time
// is reported as a field error rather than a JSON error.
type oldWire struct {
	ID       *string            `json:"id"`
	Type     *string            `json:"type"`
	At       *string            `json:"at"`
	Account  *fairmark.Account  `json:"account"`
	Order    *fairmark.Order    `json:"order"`
	Feedback *fairmark.Feedback `json:"feedback"`
	Message  *fairmark.Message  `json:"message"`
	Report   *fairmark.Report   `json:"report"`
	// Moderation is read only for a moderation.action event: on the v1
	// types it is an unknown extra field, and those are ignored.
	Moderation json.RawMessage `json:"moderation"`
}

// Decode parses and validates one event. The returned error is a
// *FieldError (or wraps one) whose message is safe to show the sender.
func decodeJSON(data []byte) (*fairmark.Event, error) {
	if len(data) > MaxLine {
		return nil, fieldErr("", "event is %d bytes, longer than the 1 MiB limit", len(data))
	}
	if !utf8.Valid(data) {
		return nil, fieldErr("", "event is not valid UTF-8")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fieldErr("", "empty event")
	}
	if data[0] != '{' {
		return nil, fieldErr("", "event must be a JSON object")
	}
	var w oldWire
	if err := json.Unmarshal(data, &w); err != nil {
		if w.Type == nil {
			// Decoding stopped before "type" (keys come in any order, e.g.
			// "order" before "type"): read it alone so the error can name
			// the field.
			var t struct {
				Type *string `json:"type"`
			}
			if json.Unmarshal(data, &t) == nil {
				w.Type = t.Type
			}
		}
		return nil, oldJSONErr(err, &w)
	}
	e, err := oldValidate(&w, data)
	if err != nil {
		return nil, err
	}
	if err := oldCheckZeroAmount(data, e); err != nil {
		return nil, err
	}
	return e, nil
}

// checkZeroAmount rejects an amount without "value": Decimal's zero value
// cannot tell "0" from absent, so a zero amount is looked up in the raw
// event (rare: only zero amounts pay for it).
func oldCheckZeroAmount(data []byte, e *fairmark.Event) error {
	field := ""
	switch {
	case e.Order != nil && e.Order.Amount != nil && e.Order.Amount.Value == 0:
		field = "order.amount.value"
	case e.Report != nil && e.Report.Paid != nil && e.Report.Paid.Value == 0:
		field = "report.paid.value"
	default:
		return nil
	}
	type value struct {
		Value json.RawMessage `json:"value"`
	}
	var probe struct {
		Order struct {
			Amount value `json:"amount"`
		} `json:"order"`
		Report struct {
			Paid value `json:"paid"`
		} `json:"report"`
	}
	_ = json.Unmarshal(data, &probe) // data already decoded once without error
	v := probe.Order.Amount.Value
	if field == "report.paid.value" {
		v = probe.Report.Paid.Value
	}
	if v == nil {
		return fieldErr(field, "required")
	}
	return nil
}

// jsonErr turns an encoding/json error into a FieldError naming the field
// where possible.
func oldJSONErr(err error, w *oldWire) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var fe *FieldError
	var ae *fairmark.Error
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(event)"
		}
		return fieldErr(field, "must be %s, not a JSON %s", oldJSONKind(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return fieldErr("", "malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &ae):
		// Raised by fairmark.Decimal, whose field the type tells.
		field := "amount.value"
		if w.Type != nil {
			switch fairmark.EventType(*w.Type) {
			case fairmark.OrderPlaced, fairmark.OrderDelivered, fairmark.OrderRefunded:
				field = "order.amount.value"
			case fairmark.ReportFiled:
				field = "report.paid.value"
			}
		}
		return fieldErr(field, "%s", ae.Message)
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	if strings.Contains(msg, "unexpected end of JSON input") {
		msg = "truncated JSON"
	}
	return fieldErr("", "malformed JSON: %s", msg)
}

func oldJSONKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64":
		return "an integer"
	case "bool":
		return "true or false"
	case "struct", "ptr":
		return "an object"
	case "slice":
		return "an array"
	}
	return "a " + k
}

func oldValidate(w *oldWire, data []byte) (*fairmark.Event, error) {
	if w.ID == nil || *w.ID == "" {
		return nil, fieldErr("id", "required")
	}
	if w.Type == nil || *w.Type == "" {
		return nil, fieldErr("type", "required")
	}
	typ := fairmark.EventType(*w.Type)
	if !typ.Known() {
		return nil, fieldErr("type", "unknown event type %q", *w.Type)
	}
	if w.At == nil || *w.At == "" {
		return nil, fieldErr("at", "required (RFC 3339 time)")
	}
	at, err := time.Parse(time.RFC3339Nano, *w.At)
	// time.Parse also takes a comma before the fraction, which RFC 3339
	// does not.
	if err != nil || strings.IndexByte(*w.At, ',') >= 0 {
		return nil, fieldErr("at", "%q is not an RFC 3339 time", *w.At)
	}
	// In UTC the year must still have four digits, or Encode would write a
	// time no one can parse.
	if y := at.UTC().Year(); y < 0 || y > 9999 {
		return nil, fieldErr("at", "%q is outside the years 0000 to 9999 in UTC", *w.At)
	}
	e := &fairmark.Event{ID: fairmark.EventID(*w.ID), Type: typ, At: at.UTC()}
	switch typ {
	case fairmark.AccountOpened:
		e.Account = w.Account
		err = oldValidateAccount(w.Account)
	case fairmark.OrderPlaced, fairmark.OrderDelivered, fairmark.OrderRefunded:
		e.Order = w.Order
		err = oldValidateOrder(typ, w.Order)
	case fairmark.FeedbackLeft, fairmark.FeedbackRevised, fairmark.FeedbackWithdrawn:
		e.Feedback = w.Feedback
		err = oldValidateFeedback(typ, w.Feedback)
	case fairmark.MessageSent:
		e.Message = w.Message
		err = oldValidateMessage(w.Message)
	case fairmark.ReportFiled:
		e.Report = w.Report
		err = oldValidateReport(w.Report)
	case fairmark.ModerationAction:
		var m struct {
			Moderation *fairmark.Moderation `json:"moderation"`
		}
		if uerr := json.Unmarshal(data, &m); uerr != nil {
			return nil, oldJSONErr(uerr, w)
		}
		e.Moderation = m.Moderation
		err = oldValidateModeration(m.Moderation)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

func oldRequired(field, v string) error {
	if v == "" {
		return fieldErr(field, "required")
	}
	return nil
}

func oldFirstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func oldValidateAccount(a *fairmark.Account) error {
	if a == nil {
		return fieldErr("account", "required for account.opened")
	}
	if err := oldRequired("account.id", string(a.ID)); err != nil {
		return err
	}
	switch a.Role {
	case fairmark.Buyer, fairmark.Seller:
	case "":
		return fieldErr("account.role", "required (buyer or seller)")
	default:
		return fieldErr("account.role", "must be buyer or seller, not %q", a.Role)
	}
	return nil
}

func oldValidateMoney(field string, m *fairmark.Money, need bool) error {
	if m == nil {
		if need {
			return fieldErr(field, "required")
		}
		return nil
	}
	if len(m.Currency) != 3 || strings.ToUpper(m.Currency) != m.Currency ||
		strings.IndexFunc(m.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return fieldErr(field+".currency", "must be an ISO 4217 code such as CNY, not %q", m.Currency)
	}
	return nil
}

func oldValidateOrder(typ fairmark.EventType, o *fairmark.Order) error {
	if o == nil {
		return fieldErr("order", "required for %s", typ)
	}
	if err := oldRequired("order.id", string(o.ID)); err != nil {
		return err
	}
	switch typ {
	case fairmark.OrderPlaced:
		if err := oldFirstErr(oldRequired("order.buyer", string(o.Buyer)), oldRequired("order.seller", string(o.Seller))); err != nil {
			return err
		}
		if o.Buyer == o.Seller {
			return fieldErr("order.seller", "must differ from order.buyer")
		}
		return oldValidateMoney("order.amount", o.Amount, true)
	case fairmark.OrderDelivered, fairmark.OrderRefunded:
		return oldValidateMoney("order.amount", o.Amount, false)
	}
	return nil
}

func oldValidateRating(field string, r fairmark.Rating, need bool) error {
	switch r {
	case fairmark.Positive, fairmark.Neutral, fairmark.Negative:
		return nil
	case "":
		if need {
			return fieldErr(field, "required (positive, neutral or negative)")
		}
		return nil
	}
	return fieldErr(field, "must be positive, neutral or negative, not %q", r)
}

func oldValidateFeedback(typ fairmark.EventType, f *fairmark.Feedback) error {
	if f == nil {
		return fieldErr("feedback", "required for %s", typ)
	}
	if err := oldRequired("feedback.id", string(f.ID)); err != nil {
		return err
	}
	if f.Stars != 0 && (f.Stars < 1 || f.Stars > 5) {
		return fieldErr("feedback.stars", "must be 1 to 5, not %d", f.Stars)
	}
	switch typ {
	case fairmark.FeedbackLeft:
		if err := oldFirstErr(
			oldRequired("feedback.order", string(f.Order)),
			oldRequired("feedback.buyer", string(f.Buyer)),
			oldRequired("feedback.seller", string(f.Seller)),
		); err != nil {
			return err
		}
		return oldValidateRating("feedback.rating", f.Rating, true)
	case fairmark.FeedbackRevised:
		return oldValidateRating("feedback.rating", f.Rating, false)
	}
	return nil
}

func oldValidateMessage(m *fairmark.Message) error {
	if m == nil {
		return fieldErr("message", "required for message.sent")
	}
	return oldFirstErr(
		oldRequired("message.id", string(m.ID)),
		oldRequired("message.conversation", string(m.Conversation)),
		oldRequired("message.from", string(m.From)),
		oldRequired("message.to", string(m.To)),
	)
}

func oldValidateReport(r *fairmark.Report) error {
	if r == nil {
		return fieldErr("report", "required for report.filed")
	}
	if err := oldFirstErr(
		oldRequired("report.id", string(r.ID)),
		oldRequired("report.reporter", string(r.Reporter)),
		oldRequired("report.accused", string(r.Accused)),
	); err != nil {
		return err
	}
	switch r.Kind {
	case fairmark.ReportExtortion, fairmark.ReportOffPlatformContact, fairmark.ReportFakeFeedback, fairmark.ReportOther:
	case "":
		return fieldErr("report.kind", "required (extortion, off_platform_contact, fake_feedback or other)")
	default:
		return fieldErr("report.kind", "must be extortion, off_platform_contact, fake_feedback or other, not %q", r.Kind)
	}
	if err := oldValidateMoney("report.paid", r.Paid, false); err != nil {
		return err
	}
	for i, ev := range r.Evidence {
		f := fmt.Sprintf("report.evidence[%d]", i)
		if err := oldRequired(f+".kind", ev.Kind); err != nil {
			return err
		}
		if !oldIsHex64(ev.SHA256) {
			return fieldErr(f+".sha256", "must be 64 hex digits")
		}
	}
	return nil
}

func oldValidateModeration(m *fairmark.Moderation) error {
	const actions = "ban, unban, remove_feedback, restore_feedback or clear"
	if m == nil {
		return fieldErr("moderation", "required for moderation.action")
	}
	switch m.Action {
	case fairmark.ActionBan, fairmark.ActionUnban, fairmark.ActionClear:
		if err := oldIDs("moderation.accounts", m.Action, m.Accounts); err != nil {
			return err
		}
		if len(m.Feedback) > 0 {
			return fieldErr("moderation.feedback", "not allowed for action %s, which names accounts", m.Action)
		}
	case fairmark.ActionRemoveFeedback, fairmark.ActionRestoreFeedback:
		if err := oldIDs("moderation.feedback", m.Action, m.Feedback); err != nil {
			return err
		}
		if len(m.Accounts) > 0 {
			return fieldErr("moderation.accounts", "not allowed for action %s, which names feedback", m.Action)
		}
	case "":
		return fieldErr("moderation.action", "required (%s)", actions)
	default:
		return fieldErr("moderation.action", "must be %s, not %q", actions, m.Action)
	}
	return oldFirstErr(
		oldRequired("moderation.by", m.By),
		oldRequired("moderation.reason", m.Reason),
	)
}

func oldIDs[T ~string](field string, a fairmark.Action, ids []T) error {
	if len(ids) == 0 {
		return fieldErr(field, "required for action %s", a)
	}
	for i, id := range ids {
		if err := oldRequired(fmt.Sprintf("%s[%d]", field, i), string(id)); err != nil {
			return err
		}
	}
	return nil
}

func oldIsHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Encode writes e as one compact JSON line without the trailing newline, in
// the contract's format.
func encodeJSON(e *fairmark.Event) ([]byte, error) {
	type out struct {
		ID         fairmark.EventID     `json:"id"`
		Type       fairmark.EventType   `json:"type"`
		At         string               `json:"at"`
		Account    *fairmark.Account    `json:"account,omitempty"`
		Order      *fairmark.Order      `json:"order,omitempty"`
		Feedback   *fairmark.Feedback   `json:"feedback,omitempty"`
		Message    *fairmark.Message    `json:"message,omitempty"`
		Report     *fairmark.Report     `json:"report,omitempty"`
		Moderation *fairmark.Moderation `json:"moderation,omitempty"`
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(out{e.ID, e.Type, e.At.UTC().Format(time.RFC3339Nano), e.Account, e.Order, e.Feedback, e.Message, e.Report, e.Moderation})
	return bytes.TrimRight(buf.Bytes(), "\n"), err
}
