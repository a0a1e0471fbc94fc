// Package event decodes and validates marketplace events of the v1 contract
// (../shared/spec/events.md): one JSON object per event, NDJSON in files.
//
// Decode checks every field: ids non-empty, roles, ratings, stars, decimal
// amounts and currencies, moderation actions and the ids they name, RFC 3339
// times, known types, valid UTF-8. Unknown extra fields are ignored; unknown
// types are rejected. Errors name the field ("feedback.rating: must be
// positive, neutral or negative"); Reader adds the line number.
//
// The moderation.action type extends the contract (../docs/EVENTS.md).
package event

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairmark/fairmark"
)

// MaxLine is the longest event line the contract allows (1 MiB).
const MaxLine = 1 << 20

// FieldError is a validation error naming the offending field.
type FieldError struct {
	Field string // dotted path, e.g. "feedback.rating"; empty for the whole event
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Decode parses and validates one event. The returned error is a
// *FieldError (or wraps one) whose message is safe to show the sender.
//
// The event does not refer to data: its strings are copied (into one
// buffer), so the caller may reuse data.
func Decode(data []byte) (*fairmark.Event, error) { return decode(data, nil) }

// BatchDecoder decodes events as Decode does, with the same validation and
// errors, but makes fewer allocations: the events it returns share blocks
// of memory (their structs and their strings) with one another. Like
// Decode's, its events never refer to the data they were decoded from.
//
// A block is never reused: an event stays valid for as long as it is
// referenced. But any part of an event kept, even one string, keeps its
// blocks alive (a few tens of KiB), so a BatchDecoder is for events that
// are dropped soon after use, such as those of a replay, whose keepers
// copy what they keep. A BatchDecoder is not safe for concurrent use; the
// zero value is ready to use.
type BatchDecoder struct {
	strs        []byte // the rest of the block of strings
	accounts    []accountEvent
	orders      []orderEvent
	feedback    []feedbackEvent
	messages    []messageEvent
	reports     []reportEvent
	moderations []moderationEvent
}

// Decode decodes one event as the function Decode does.
func (bd *BatchDecoder) Decode(data []byte) (*fairmark.Event, error) { return decode(data, bd) }

const (
	strBlock   = 32 << 10 // bytes of strings in a block
	eventBlock = 64       // events of a type in a block
)

// bytes returns n bytes for strings: from the current block, or a new one
// when they do not fit (a string buffer over a quarter of a block gets an
// allocation of its own). With no BatchDecoder, a new buffer.
func (bd *BatchDecoder) bytes(n int) []byte {
	if bd == nil || n > strBlock/4 {
		return make([]byte, n)
	}
	if n > cap(bd.strs)-len(bd.strs) {
		bd.strs = make([]byte, 0, strBlock)
	}
	l := len(bd.strs)
	bd.strs = bd.strs[:l+n]
	return bd.strs[l : l+n : l+n]
}

// alloc returns a zeroed T from bd's block blk(bd), or a new T when bd is
// nil. Being zeroed, it needs only its fields that are not zero set (which
// spares the copying, and during a collection the write barriers, of the
// whole struct).
func alloc[T any](bd *BatchDecoder, blk func(*BatchDecoder) *[]T) *T {
	if bd == nil {
		return new(T)
	}
	b := blk(bd)
	if len(*b) == cap(*b) {
		*b = make([]T, 0, eventBlock)
	}
	*b = (*b)[:len(*b)+1]
	return &(*b)[len(*b)-1]
}

func decode(data []byte, bd *BatchDecoder) (*fairmark.Event, error) {
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
	var d decoder
	d.data = data
	d.parse()
	switch {
	case d.err != nil:
		return nil, d.err
	case d.fatal != nil:
		fe := d.fatal.(*FieldError)
		fe.Field = d.fatalField()
		return nil, fe
	case d.typeErr != nil:
		return nil, d.typeErr
	}
	return d.event(bd)
}

// Each payload type is allocated together with its event.
type (
	accountEvent struct {
		e     fairmark.Event
		a     fairmark.Account
		links fairmark.Links
	}
	orderEvent struct {
		e      fairmark.Event
		o      fairmark.Order
		item   fairmark.Item
		amount fairmark.Money
	}
	feedbackEvent struct {
		e fairmark.Event
		f fairmark.Feedback
	}
	messageEvent struct {
		e fairmark.Event
		m fairmark.Message
	}
	reportEvent struct {
		e    fairmark.Event
		r    fairmark.Report
		paid fairmark.Money
	}
	moderationEvent struct {
		e fairmark.Event
		m fairmark.Moderation
	}
)

// event validates the decoded fields and builds the event.
func (d *decoder) event(bd *BatchDecoder) (*fairmark.Event, error) {
	if !d.hasID || d.id == "" {
		return nil, fieldErr("id", "required")
	}
	if !d.hasType || d.typ == "" {
		return nil, fieldErr("type", "required")
	}
	typ, ok := knownType(d.typ)
	if !ok {
		return nil, fieldErr("type", "unknown event type %q", d.typ)
	}
	if !d.hasAt || d.at == "" {
		return nil, fieldErr("at", "required (RFC 3339 time)")
	}
	at, err := time.Parse(time.RFC3339Nano, d.at)
	// time.Parse also takes a comma before the fraction, which RFC 3339
	// does not.
	if err != nil || strings.IndexByte(d.at, ',') >= 0 {
		return nil, fieldErr("at", "%q is not an RFC 3339 time", d.at)
	}
	// In UTC the year must still have four digits, or Encode would write a
	// time no one can parse.
	at = at.UTC()
	if y := at.Year(); y < 0 || y > 9999 {
		return nil, fieldErr("at", "%q is outside the years 0000 to 9999 in UTC", d.at)
	}

	// The strings to keep are transient views until interned: they are
	// copied into one buffer while still in d (on the stack, which spares
	// the write barriers of storing them into the heap), then the payload
	// is copied into its block. (The lists are fixed arrays: a slice that
	// could grow would move d to the heap.)
	var e *fairmark.Event
	var none string // stands for a string that needs no copy
	switch typ {
	case fairmark.AccountOpened:
		if !d.hasAccount {
			return nil, validateAccount(nil)
		}
		t := &d.account
		role := (*string)(&t.a.Role)
		switch t.a.Role {
		case fairmark.Buyer:
			t.a.Role, role = fairmark.Buyer, &none
		case fairmark.Seller:
			t.a.Role, role = fairmark.Seller, &none
		}
		if !t.hasLinks {
			t.links = fairmark.Links{}
		}
		intern(bd, []*string{&d.id, role, (*string)(&t.a.ID), &t.a.Name,
			&t.links.Device, &t.links.IP, &t.links.Phone, &t.links.Payment}, nil)
		b := alloc(bd, func(bd *BatchDecoder) *[]accountEvent { return &bd.accounts })
		b.a = t.a
		if t.hasLinks {
			b.links = t.links
			b.a.Links = &b.links
		}
		if err := validateAccount(&b.a); err != nil {
			return nil, err
		}
		e = &b.e
		e.Account = &b.a
	case fairmark.OrderPlaced, fairmark.OrderDelivered, fairmark.OrderRefunded:
		if !d.hasOrder {
			return nil, validateOrder(typ, nil)
		}
		t := &d.order
		if !t.hasItem {
			t.item = fairmark.Item{}
		}
		if !t.hasAmount {
			t.amount = fairmark.Money{}
		}
		intern(bd, []*string{&d.id, (*string)(&t.o.ID), (*string)(&t.o.Buyer), (*string)(&t.o.Seller),
			(*string)(&t.item.ID), &t.item.Title, &t.item.Category, &t.amount.Currency}, nil)
		b := alloc(bd, func(bd *BatchDecoder) *[]orderEvent { return &bd.orders })
		b.o = t.o
		o := &b.o
		if t.hasItem {
			b.item = t.item
			o.Item = &b.item
		}
		if t.hasAmount {
			b.amount = t.amount
			o.Amount = &b.amount
		}
		if err := validateOrder(typ, o); err != nil {
			return nil, err
		}
		if o.Amount != nil && o.Amount.Value == 0 && !d.orderValue {
			return nil, fieldErr("order.amount.value", "required")
		}
		e = &b.e
		e.Order = o
	case fairmark.FeedbackLeft, fairmark.FeedbackRevised, fairmark.FeedbackWithdrawn:
		if !d.hasFeedback {
			return nil, validateFeedback(typ, nil)
		}
		f := &d.feedback
		// feedback.withdrawn does not check its rating: any other is kept.
		rating := (*string)(&f.Rating)
		switch f.Rating {
		case fairmark.Positive:
			f.Rating, rating = fairmark.Positive, &none
		case fairmark.Neutral:
			f.Rating, rating = fairmark.Neutral, &none
		case fairmark.Negative:
			f.Rating, rating = fairmark.Negative, &none
		}
		intern(bd, []*string{&d.id, rating, (*string)(&f.ID), (*string)(&f.Order), (*string)(&f.Buyer),
			(*string)(&f.Seller), &f.Text}, nil)
		b := alloc(bd, func(bd *BatchDecoder) *[]feedbackEvent { return &bd.feedback })
		b.f = *f
		if err := validateFeedback(typ, &b.f); err != nil {
			return nil, err
		}
		e = &b.e
		e.Feedback = &b.f
	case fairmark.MessageSent:
		if !d.hasMessage {
			return nil, validateMessage(nil)
		}
		m := &d.message
		intern(bd, []*string{&d.id, (*string)(&m.ID), (*string)(&m.Conversation), (*string)(&m.Order),
			(*string)(&m.From), (*string)(&m.To), &m.Text}, nil)
		b := alloc(bd, func(bd *BatchDecoder) *[]messageEvent { return &bd.messages })
		b.m = *m
		if err := validateMessage(&b.m); err != nil {
			return nil, err
		}
		e = &b.e
		e.Message = &b.m
	case fairmark.ReportFiled:
		if !d.hasReport {
			return nil, validateReport(nil)
		}
		t := &d.report
		kind := (*string)(&t.r.Kind)
		switch t.r.Kind {
		case fairmark.ReportExtortion:
			t.r.Kind, kind = fairmark.ReportExtortion, &none
		case fairmark.ReportOffPlatformContact:
			t.r.Kind, kind = fairmark.ReportOffPlatformContact, &none
		case fairmark.ReportFakeFeedback:
			t.r.Kind, kind = fairmark.ReportFakeFeedback, &none
		case fairmark.ReportOther:
			t.r.Kind, kind = fairmark.ReportOther, &none
		}
		if !t.hasPaid {
			t.paid = fairmark.Money{}
		}
		if ev := t.r.Evidence; ev != nil {
			// Elements beyond the length may hold transient strings of an
			// earlier, longer evidence array.
			clear(ev[len(ev):cap(ev)])
		}
		intern(bd, []*string{&d.id, kind, (*string)(&t.r.ID), (*string)(&t.r.Reporter), (*string)(&t.r.Accused),
			(*string)(&t.r.Order), (*string)(&t.r.Feedback), &t.r.Text, &t.paid.Currency}, t.r.Evidence)
		b := alloc(bd, func(bd *BatchDecoder) *[]reportEvent { return &bd.reports })
		b.r = t.r
		r := &b.r
		if t.hasPaid {
			b.paid = t.paid
			r.Paid = &b.paid
		}
		if err := validateReport(r); err != nil {
			return nil, err
		}
		if r.Paid != nil && r.Paid.Value == 0 && !d.paidValue {
			return nil, fieldErr("report.paid.value", "required")
		}
		e = &b.e
		e.Report = r
	case fairmark.ModerationAction:
		if d.modTypeErr != nil {
			return nil, d.modTypeErr
		}
		if !d.hasModeration {
			return nil, validateModeration(nil)
		}
		m := &d.moderation
		action := (*string)(&m.Action)
		for _, a := range fairmark.Actions {
			if m.Action == a {
				m.Action, action = a, &none
				break
			}
		}
		// Elements beyond the lengths may hold transient strings of an
		// earlier, longer array.
		if l := m.Accounts; l != nil {
			clear(l[len(l):cap(l)])
		}
		if l := m.Feedback; l != nil {
			clear(l[len(l):cap(l)])
		}
		intern(bd, []*string{&d.id, action, (*string)(&m.Case), &m.By, &m.Reason}, nil,
			stringsOf(m.Accounts), stringsOf(m.Feedback))
		b := alloc(bd, func(bd *BatchDecoder) *[]moderationEvent { return &bd.moderations })
		b.m = *m
		if err := validateModeration(&b.m); err != nil {
			return nil, err
		}
		e = &b.e
		e.Moderation = &b.m
	}
	e.ID = fairmark.EventID(d.id)
	e.Type = typ
	e.At = at
	return e, nil
}

// knownType returns the contract's constant equal to s.
func knownType(s string) (fairmark.EventType, bool) {
	for _, t := range fairmark.EventTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

func required(field, v string) error {
	if v == "" {
		return fieldErr(field, "required")
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func validateAccount(a *fairmark.Account) error {
	if a == nil {
		return fieldErr("account", "required for account.opened")
	}
	if err := required("account.id", string(a.ID)); err != nil {
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

func validateMoney(field string, m *fairmark.Money, need bool) error {
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

func validateOrder(typ fairmark.EventType, o *fairmark.Order) error {
	if o == nil {
		return fieldErr("order", "required for %s", typ)
	}
	if err := required("order.id", string(o.ID)); err != nil {
		return err
	}
	switch typ {
	case fairmark.OrderPlaced:
		if err := firstErr(required("order.buyer", string(o.Buyer)), required("order.seller", string(o.Seller))); err != nil {
			return err
		}
		if o.Buyer == o.Seller {
			return fieldErr("order.seller", "must differ from order.buyer")
		}
		return validateMoney("order.amount", o.Amount, true)
	case fairmark.OrderDelivered, fairmark.OrderRefunded:
		return validateMoney("order.amount", o.Amount, false)
	}
	return nil
}

func validateRating(field string, r fairmark.Rating, need bool) error {
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

func validateFeedback(typ fairmark.EventType, f *fairmark.Feedback) error {
	if f == nil {
		return fieldErr("feedback", "required for %s", typ)
	}
	if err := required("feedback.id", string(f.ID)); err != nil {
		return err
	}
	if f.Stars != 0 && (f.Stars < 1 || f.Stars > 5) {
		return fieldErr("feedback.stars", "must be 1 to 5, not %d", f.Stars)
	}
	switch typ {
	case fairmark.FeedbackLeft:
		if err := firstErr(
			required("feedback.order", string(f.Order)),
			required("feedback.buyer", string(f.Buyer)),
			required("feedback.seller", string(f.Seller)),
		); err != nil {
			return err
		}
		return validateRating("feedback.rating", f.Rating, true)
	case fairmark.FeedbackRevised:
		return validateRating("feedback.rating", f.Rating, false)
	}
	return nil
}

func validateMessage(m *fairmark.Message) error {
	if m == nil {
		return fieldErr("message", "required for message.sent")
	}
	return firstErr(
		required("message.id", string(m.ID)),
		required("message.conversation", string(m.Conversation)),
		required("message.from", string(m.From)),
		required("message.to", string(m.To)),
	)
}

func validateReport(r *fairmark.Report) error {
	if r == nil {
		return fieldErr("report", "required for report.filed")
	}
	if err := firstErr(
		required("report.id", string(r.ID)),
		required("report.reporter", string(r.Reporter)),
		required("report.accused", string(r.Accused)),
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
	if err := validateMoney("report.paid", r.Paid, false); err != nil {
		return err
	}
	for i := range r.Evidence {
		ev := &r.Evidence[i]
		if ev.Kind == "" {
			return fieldErr(fmt.Sprintf("report.evidence[%d].kind", i), "required")
		}
		if !isHex64(ev.SHA256) {
			return fieldErr(fmt.Sprintf("report.evidence[%d].sha256", i), "must be 64 hex digits")
		}
	}
	return nil
}

// actionList names the moderation actions for error messages: "ban,
// unban, … or clear".
var actionList = func() string {
	var b strings.Builder
	for i, a := range fairmark.Actions {
		switch {
		case i == 0:
		case i == len(fairmark.Actions)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(a))
	}
	return b.String()
}()

func validateModeration(m *fairmark.Moderation) error {
	if m == nil {
		return fieldErr("moderation", "required for moderation.action")
	}
	switch {
	case m.Action == "":
		return fieldErr("moderation.action", "required (%s)", actionList)
	case !m.Action.Known():
		return fieldErr("moderation.action", "must be %s, not %q", actionList, m.Action)
	}
	// The action names either accounts or feedback, never both.
	if m.Action.OnAccounts() {
		if err := validateIDs("moderation.accounts", m.Action, m.Accounts); err != nil {
			return err
		}
		if len(m.Feedback) > 0 {
			return fieldErr("moderation.feedback", "not allowed for action %s, which names accounts", m.Action)
		}
	} else {
		if err := validateIDs("moderation.feedback", m.Action, m.Feedback); err != nil {
			return err
		}
		if len(m.Accounts) > 0 {
			return fieldErr("moderation.accounts", "not allowed for action %s, which names feedback", m.Action)
		}
	}
	return firstErr(
		required("moderation.by", m.By),
		required("moderation.reason", m.Reason),
	)
}

// validateIDs checks the non-empty list of ids an action names.
func validateIDs[T ~string](field string, a fairmark.Action, ids []T) error {
	if len(ids) == 0 {
		return fieldErr(field, "required for action %s", a)
	}
	for i, id := range ids {
		if id == "" {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "required")
		}
	}
	return nil
}

func isHex64(s string) bool {
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
