// Package engine turns marketplace events into decisions. It is pure
// computation over in-memory state: the server, `fairmark replay` and the
// tests all run this one engine, so what is evaluated offline is what runs in
// production.
//
// Events must be applied in engine order (time, then id; fairmark.Less). The
// engine keeps per-account, per-order and per-feedback state, computes buyer
// features incrementally, scores buyers with additive, explained evidence,
// evaluates operator rules, and emits decisions: flag account, hold feedback,
// release hold, alert seller. Text detectors plug in through Config.
//
// An Engine is not safe for concurrent use; callers serialise access.
package engine

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/fairmark/fairmark"
)

// Contact is one off-platform contact found in a text.
type Contact struct {
	Kind  string // phone, qq, wechat, email, url, alipay, other
	Value string
}

// Intent is the extortion-intent reading of a text.
type Intent struct {
	Probability float64
	Flag        bool
	Reasons     []string
	// Patterned: the detector found an extortion pattern (money asked
	// for, feedback as leverage, removal for payment, a threat, a
	// professional's claim, a push off the platform), not only wording
	// like that of demands. A review, written for other buyers, counts as
	// a demand only when patterned.
	Patterned bool
}

// Text is what the detectors found in one text.
type Text struct {
	Contacts []Contact
	Intent   Intent
}

// Detector reads one text; it must be pure and safe for concurrent use,
// because Prepare may run it on many goroutines.
type Detector func(text string) Text

// Config configures an Engine. The zero value is usable: no detectors, no
// rules, default thresholds.
type Config struct {
	// Detect runs the text detectors on message and feedback texts.
	Detect Detector
	// Rules evaluates operator rules over buyer features; nil for none.
	Rules RuleEvaluator
	// FlagAt is the risk at or above which a buyer is flagged (default 0.7).
	FlagAt float64
	// ClearAt is the risk below which a flag the model alone raised is
	// lifted (default 0.5).
	ClearAt float64
	// CheapAt is the order amount at or below which an order is cheap
	// (default 100.00 in the order's currency).
	CheapAt fairmark.Decimal
	// NewSellerDays and NewSellerFeedback define a new seller: opened fewer
	// days ago, or fewer counted ratings (defaults 30 and 10).
	NewSellerDays     int
	NewSellerFeedback int
	// GraphEvery is how often (in event time) the rating-graph batch runs
	// over the marketplace's feedback graph (default 7 days; negative: never).
	GraphEvery time.Duration
	// GraphMinRatings is the fewest ratings worth a batch (default 50).
	GraphMinRatings int
	// OnDecision receives every decision as it is made.
	OnDecision func(Decision)
}

func (c *Config) defaults() {
	if c.FlagAt == 0 {
		c.FlagAt = 0.7
	}
	if c.ClearAt == 0 {
		c.ClearAt = 0.5
	}
	if c.CheapAt == 0 {
		c.CheapAt = 100 * fairmark.DecimalScale
	}
	if c.GraphEvery == 0 {
		c.GraphEvery = 7 * 24 * time.Hour
	}
	if c.GraphMinRatings == 0 {
		c.GraphMinRatings = 50
	}
	if c.NewSellerDays == 0 {
		c.NewSellerDays = 30
	}
	if c.NewSellerFeedback == 0 {
		c.NewSellerFeedback = 10
	}
}

// linkKey is one link (kind and value) hashed to 64 bits (FNV-1a): the
// engine keeps no copy of the marketplace's link strings. Two different
// links collide with probability about n²/2⁶⁵ for n links (≈ 10⁻⁷ for
// four million), and a collision would only link two accounts wrongly.
type linkKey uint64

func makeLinkKey(kind, value string) linkKey {
	h := uint64(14695981039346656037)
	mix := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	mix(kind)
	h ^= 0xff // separator
	h *= 1099511628211
	mix(value)
	return linkKey(h)
}

// Prepared is an event with its text detections done, ready to Apply.
type Prepared struct {
	Event *fairmark.Event
	Text  *Text // nil when the event has no text or no detector ran
}

// Engine is the decision engine.
type Engine struct {
	cfg       Config
	accounts  *table[fairmark.AccountID, account]
	orders    *table[fairmark.OrderID, order]
	feedback  *table[fairmark.FeedbackID, feedback]
	links     map[linkKey]*account // first account with each link
	items     []item               // item categories and currencies (itemOf)
	itemIndex map[item]uint32
	refundAt  map[*order]stamp // refund time of each refunded order (few are)
	now       time.Time
	applied   int64

	viewBuf, ringBuf []negView // scratch for rescoreOne
	featBuf          Features  // likewise
	deliveries       int64     // order.delivered events seen
	graph            map[*account]graphView
	graphNext        time.Time
	graphRuns        int
	graphIDs         map[*account]int32 // scratch for runGraph
	graphNodes       int                // nodes in the last graph batch

	accountsByID sortedList[fairmark.AccountID, account]   // every account, for id-ordered passes
	feedbackByID sortedList[fairmark.FeedbackID, feedback] // every feedback, likewise
}

// New returns an Engine with cfg.
func New(cfg Config) *Engine {
	cfg.defaults()
	return &Engine{
		cfg:      cfg,
		accounts: newTable(func(a *account) fairmark.AccountID { return a.id }),
		orders:   newTable(func(o *order) fairmark.OrderID { return o.id }),
		feedback: newTable(func(f *feedback) fairmark.FeedbackID { return f.id }),
		links:    make(map[linkKey]*account),

		accountsByID: sortedList[fairmark.AccountID, account]{key: accountKey},
		feedbackByID: sortedList[fairmark.FeedbackID, feedback]{key: feedbackKey},
	}
}

// Reserve sizes the engine's tables for about this many accounts, orders
// and feedback, sparing rehashing when the sizes are known (replay counts
// them before applying).
func (en *Engine) Reserve(accounts, orders, feedbacks int) {
	if accounts > en.accounts.len() {
		l := make(map[linkKey]*account, accounts)
		for k, v := range en.links {
			l[k] = v
		}
		en.links = l
	}
	en.accounts.reserve(accounts)
	en.orders.reserve(orders)
	en.feedback.reserve(feedbacks)
}

// Prepare runs the detectors on e's text. It does not touch engine state,
// so many goroutines may prepare events while one applies them.
func Prepare(detect Detector, e *fairmark.Event) Prepared {
	p := Prepared{Event: e}
	if detect == nil {
		return p
	}
	var text string
	switch {
	case e.Message != nil:
		text = e.Message.Text
	case e.Feedback != nil && (e.Type == fairmark.FeedbackLeft || e.Type == fairmark.FeedbackRevised):
		text = e.Feedback.Text
	}
	if text != "" {
		p.Text = safeDetect(detect, text)
	}
	return p
}

// DetectorPanics counts detector panics survived (see safeDetect).
var DetectorPanics atomic.Int64

// safeDetect runs detect, turning a panic into "nothing found" so that one
// bad text cannot stop ingestion; DetectorPanics counts them for /metrics.
func safeDetect(detect Detector, text string) (t *Text) {
	defer func() {
		if r := recover(); r != nil {
			DetectorPanics.Add(1)
			t = nil
		}
	}()
	x := detect(text)
	return &x
}

// Detector returns the engine's configured detector, for Prepare.
func (en *Engine) Detector() Detector { return en.cfg.Detect }

// Applied is the number of events applied so far.
func (en *Engine) Applied() int64 { return en.applied }

// Now is the time of the last event applied.
func (en *Engine) Now() time.Time { return en.now }

// ApplyEvent prepares and applies one event.
func (en *Engine) ApplyEvent(e *fairmark.Event) { en.Apply(Prepare(en.cfg.Detect, e)) }

// Apply applies one prepared event. Events must come in engine order.
func (en *Engine) Apply(p Prepared) {
	e := p.Event
	if e.At.After(en.now) {
		en.now = e.At
	}
	en.maybeGraph(e)
	en.applied++
	switch e.Type {
	case fairmark.AccountOpened:
		en.accountOpened(e)
	case fairmark.OrderPlaced:
		en.orderPlaced(e)
	case fairmark.OrderDelivered:
		en.deliveries++
		if o := en.orders.get(e.Order.ID); o != nil && o.delivered.isZero() {
			o.delivered = mkStamp(e.At)
		}
	case fairmark.OrderRefunded:
		if o := en.orders.get(e.Order.ID); o != nil && !o.refunded {
			o.refunded = true
			if en.refundAt == nil {
				en.refundAt = make(map[*order]stamp)
			}
			en.refundAt[o] = mkStamp(e.At)
		}
	case fairmark.FeedbackLeft:
		en.feedbackLeft(e, p.Text)
	case fairmark.FeedbackRevised:
		en.feedbackRevised(e, p.Text)
	case fairmark.FeedbackWithdrawn:
		en.feedbackWithdrawn(e)
	case fairmark.MessageSent:
		en.messageSent(e, p.Text)
	case fairmark.ReportFiled:
		en.reportFiled(e)
	case fairmark.ModerationAction:
		en.moderate(e)
	}
}

func (en *Engine) emit(d Decision) {
	if en.cfg.OnDecision != nil {
		en.cfg.OnDecision(d)
	}
}

// account returns the account with id, creating it with role when unseen.
func (en *Engine) account(id fairmark.AccountID, role fairmark.Role, at time.Time) *account {
	a := en.accounts.get(id)
	if a == nil {
		a = &account{id: fairmark.AccountID(strings.Clone(string(id))), role: mkCode(string(role)), opened: mkStamp(at)}
		if role != fairmark.Seller {
			a.risk = sigmoid(priorLogit) // every buyer starts at the base rate
		}
		a.ring, a.next = a, a
		en.accounts.put(a)
		en.accountsByID.add(a)
	}
	if a.role == codeNone {
		a.role = mkCode(string(role))
	}
	return a
}

func (en *Engine) accountOpened(e *fairmark.Event) {
	a := en.account(e.Account.ID, e.Account.Role, e.At)
	a.role = mkCode(string(e.Account.Role))
	if a.role == codeSeller && !a.flagged {
		a.risk = 0
	}
	a.opened = mkStamp(e.At)
	if l := e.Account.Links; l != nil {
		l.Each(func(kind, value string) {
			key := makeLinkKey(kind, value)
			if other := en.links[key]; other != nil && other != a {
				en.link(a, other, kind)
			} else if other == nil {
				en.links[key] = a
			}
		})
	}
}

func (en *Engine) orderPlaced(e *fairmark.Event) {
	o := e.Order
	st := en.orders.get(o.ID)
	if st == nil {
		st = &order{id: fairmark.OrderID(strings.Clone(string(o.ID)))}
		en.orders.put(st)
	}
	buyer := en.account(o.Buyer, fairmark.Buyer, e.At)
	en.account(o.Seller, fairmark.Seller, e.At)
	st.placed = mkStamp(e.At)
	it := en.item(st.item)
	if o.Amount != nil {
		st.amount = o.Amount.Value
		it.currency = o.Amount.Currency
	}
	if o.Item != nil {
		st.digital = o.Item.Digital
		it.category = o.Item.Category
	}
	st.item = en.itemOf(it.category, it.currency)
	buyer.orders++
}

// AccountIDs returns every account id in sorted order.
func (en *Engine) AccountIDs() []fairmark.AccountID {
	all := en.accountsByID.all()
	ids := make([]fairmark.AccountID, len(all))
	for i, a := range all {
		ids[i] = a.id
	}
	return ids
}

// FeedbackIDs returns every feedback id in sorted order.
func (en *Engine) FeedbackIDs() []fairmark.FeedbackID {
	all := en.feedbackByID.all()
	ids := make([]fairmark.FeedbackID, len(all))
	for i, f := range all {
		ids[i] = f.id
	}
	return ids
}
