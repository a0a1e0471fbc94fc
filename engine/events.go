package engine

import (
	"fmt"
	"strings"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/reputation"
)

func (en *Engine) sellerRep(s *account) *reputation.Seller {
	ss := s.seller()
	if ss.rep == nil {
		ss.rep = &reputation.Seller{}
	}
	return ss.rep
}

// isNewSeller reports whether s counts as a new seller at the engine's now.
func (en *Engine) isNewSeller(s *account) bool {
	age := en.now.Sub(s.opened.time()).Hours() / 24
	return age < float64(en.cfg.NewSellerDays) || int(s.ss().received) < en.cfg.NewSellerFeedback
}

func (en *Engine) feedbackLeft(e *fairmark.Event, t *Text) {
	fb := e.Feedback
	if old := en.feedback.get(fb.ID); old != nil {
		return // left twice under different event ids: the first stands
	}
	buyer := en.account(fb.Buyer, fairmark.Buyer, e.At)
	seller := en.account(fb.Seller, fairmark.Seller, e.At)
	f := &feedback{
		id: fairmark.FeedbackID(strings.Clone(string(fb.ID))), buyer: buyer, seller: seller,
		first: mkCode(string(fb.Rating)), left: mkStamp(e.At),
		minutes: -1,
	}
	f.rating = f.first
	if o := en.orders.get(fb.Order); o != nil {
		f.order = o
		if !o.placed.isZero() {
			f.minutes = e.At.Sub(o.placed.time()).Minutes()
		}
		// Only a marketplace that reports deliveries can say an item was not
		// yet delivered.
		f.predelivery = en.deliveries > 0 && !o.digital && o.delivered.isZero() && !o.placed.isZero()
		f.cheap = o.amount > 0 && o.amount <= en.cfg.CheapAt
		f.digital = o.digital
		f.amount, f.item = o.amount, o.item
	}
	f.sellerNew = en.isNewSeller(seller)
	en.feedback.put(f)
	en.feedbackByID.add(f)
	en.sellerRep(seller).Apply(reputation.Entry{}, f.entry())
	ss := seller.seller()
	ss.received++
	ss.got = append(ss.got, f)

	switch fb.Rating {
	case fairmark.Positive:
		buyer.positives++
	case fairmark.Negative:
		bs := buyer.buyer()
		newSeller := true
		for _, n := range bs.negs {
			if n.seller == seller {
				newSeller = false
				break
			}
		}
		if newSeller {
			bs.negSellers++
		}
		bs.negs = append(bs.negs, f)
		ss.gotNegs = append(ss.gotNegs, f)
		ss.live++
	}
	if t != nil {
		en.textSignals(e, buyer, seller, "", t, f)
	}
	if fb.Rating == fairmark.Negative && buyer.flagged {
		f.holdByFlag = en.hold(e, f, "buyer is flagged: "+firstReason(buyer))
	}
	en.rescore(buyer, e)
}

func (en *Engine) feedbackRevised(e *fairmark.Event, t *Text) {
	fb := e.Feedback
	f := en.feedback.get(fb.ID)
	if f == nil || f.withdrawn || f.removed {
		return
	}
	old, wasLive := f.entry(), f.live()
	if fb.Rating != "" {
		f.rating = mkCode(string(fb.Rating))
	}
	f.mut().changedAt = mkStamp(e.At)
	en.restate(f, old, wasLive)
	if t != nil {
		en.textSignals(e, f.buyer, f.seller, "", t, f)
	}
	if f.first == codeNegative || t != nil {
		en.rescore(f.buyer, e)
	}
}

func (en *Engine) feedbackWithdrawn(e *fairmark.Event) {
	f := en.feedback.get(e.Feedback.ID)
	if f == nil || f.withdrawn {
		return
	}
	old, wasLive := f.entry(), f.live()
	f.withdrawn = true
	f.mut().changedAt = mkStamp(e.At)
	en.restate(f, old, wasLive)
	if f.first == codeNegative {
		en.rescore(f.buyer, e)
	}
}

func (en *Engine) messageSent(e *fairmark.Event, t *Text) {
	m := e.Message
	from := en.account(m.From, "", e.At)
	to := en.account(m.To, "", e.At)
	if t == nil {
		return
	}
	// Only a buyer writing to a seller is a buyer signal.
	if from.role == codeSeller || to.role == codeBuyer {
		return
	}
	if len(t.Contacts) > 0 && en.deliveryPhone(e, from, to, t) {
		tt := *t
		tt.Contacts = nil
		t = &tt
	}
	if en.textSignals(e, from, to, m.ID, t, nil) {
		en.rescore(from, e)
	}
}

// deliveryPhone reports whether the contacts in a buyer's message are a
// phone number for the courier rather than a move off the marketplace: only
// phone numbers, about a physical order of this buyer still on its way (not
// reported delivered, at most 14 days old), and the buyer has left that
// seller no negative since before that order. Complainers give their
// contact after the remark, to bargain over it; buyers give their phone
// before delivery, to get the parcel — also a buyer who bought from the
// same seller again after an honest negative on an earlier order.
func (en *Engine) deliveryPhone(e *fairmark.Event, buyer, seller *account, t *Text) bool {
	o := en.orders.get(e.Message.Order)
	if o == nil || o.digital || o.placed.isZero() || !o.delivered.isZero() || e.At.Sub(o.placed.time()) > 14*day {
		return false
	}
	for _, c := range t.Contacts {
		if c.Kind != "phone" {
			return false
		}
	}
	for _, n := range buyer.bs().negs {
		if n.seller == seller && (n.order == o || !n.left.time().Before(o.placed.time())) {
			return false
		}
	}
	return true
}

// textSignals records what the detectors found in a buyer's text to a
// seller and alerts the seller. It reports whether anything was found.
func (en *Engine) textSignals(e *fairmark.Event, buyer, seller *account, msg fairmark.MessageID, t *Text, f *feedback) bool {
	found := false
	if len(t.Contacts) > 0 {
		found = true
		if f != nil {
			f.hasContact = true
		}
		if !hasSeller(buyer.bs().contacts, seller) {
			bs := buyer.buyer()
			bs.contacts = append(bs.contacts, textHit{to: seller, seller: seller.id, at: e.At, kind: t.Contacts[0].Kind, msg: fairmark.MessageID(strings.Clone(string(msg)))})
		}
		kinds := contactKinds(t.Contacts)
		a := newAlert(AlertOffPlatform,
			fmt.Sprintf("Buyer %s asked you to move off the marketplace (%s).", buyer.id, kinds),
			fmt.Sprintf("买家 %s 试图把你拉到平台外联系（%s）。", buyer.id, contactKindsZH(kinds)))
		a.Contacts = t.Contacts
		en.alert(e, seller, buyer, msg, fbID(f), a)
	}
	// A review is written for other buyers: wording that merely resembles
	// a demand ("so others don't waste their money") is not one there.
	if t.Intent.Flag && (f == nil || t.Intent.Patterned) {
		found = true
		if f != nil && t.Intent.Probability > f.intent {
			f.intent = t.Intent.Probability
		}
		why := "demanded money or goods in exchange for feedback"
		if len(t.Intent.Reasons) > 0 {
			why = t.Intent.Reasons[0]
		}
		if i := indexSeller(buyer.bs().intents, seller); i < 0 {
			bs := buyer.buyer()
			bs.intents = append(bs.intents, textHit{to: seller, seller: seller.id, at: e.At, kind: why, prob: t.Intent.Probability, msg: fairmark.MessageID(strings.Clone(string(msg)))})
		} else if t.Intent.Probability > buyer.bs().intents[i].prob {
			buyer.buy.intents[i].prob, buyer.buy.intents[i].kind = t.Intent.Probability, why
		}
		en.alert(e, seller, buyer, msg, fbID(f), newAlert(AlertExtortion,
			fmt.Sprintf("Buyer %s is trying to trade feedback for money: %s.", buyer.id, why),
			fmt.Sprintf("买家 %s 疑似以评价勒索钱财：%s。", buyer.id, intentZH(why))))
	}
	return found
}

func fbID(f *feedback) fairmark.FeedbackID {
	if f == nil {
		return ""
	}
	return f.id
}

func (en *Engine) alert(e *fairmark.Event, seller, buyer *account, msg fairmark.MessageID, fb fairmark.FeedbackID, a *Alert) {
	en.emit(Decision{Kind: AlertSeller, At: e.At, Event: e.ID, Account: buyer.id, Seller: seller.id, Message: msg, Feedback: fb, Reason: a.Text, Alert: a})
}

func hasSeller(hs []textHit, s *account) bool { return indexSeller(hs, s) >= 0 }

// indexSeller returns the index of the hit to seller s, -1 if none.
// Accounts are unique by id, so comparing pointers compares ids.
func indexSeller(hs []textHit, s *account) int {
	for i, h := range hs {
		if h.to == s {
			return i
		}
	}
	return -1
}

func contactKinds(cs []Contact) string {
	var kinds []string
	for _, c := range cs {
		k := c.Kind
		if k == "qq" {
			k = "QQ"
		}
		dup := false
		for _, x := range kinds {
			dup = dup || x == k
		}
		if !dup {
			kinds = append(kinds, k)
		}
	}
	return strings.Join(kinds, ", ")
}

func (en *Engine) reportFiled(e *fairmark.Event) {
	r := e.Report
	accused := en.account(r.Accused, "", e.At)
	reporter := en.account(r.Reporter, "", e.At)
	for _, x := range accused.bs().reports {
		if x.id == r.ID {
			return
		}
	}
	// A reporter's word counts more when the accused really dealt with them,
	// less when the reporter is flagged.
	w := 0.5
	for _, f := range accused.bs().negs {
		if f.seller == reporter {
			w = 1
		}
	}
	if hasSeller(accused.bs().contacts, reporter) || hasSeller(accused.bs().intents, reporter) {
		w = 1
	}
	if reporter.flagged {
		w = 0.1
	}
	// An accusation of extortion is what fairmark weighs; a seller calling
	// an unwelcome remark fake is weaker evidence of it.
	switch r.Kind {
	case fairmark.ReportOffPlatformContact:
		w *= 0.8
	case fairmark.ReportFakeFeedback:
		w *= 0.4
	case fairmark.ReportOther:
		w *= 0.3
	}
	bs := accused.buyer()
	bs.reports = append(bs.reports, report{id: fairmark.ReportID(strings.Clone(string(r.ID))), reporter: reporter.id, kind: fairmark.ReportKind(strings.Clone(string(r.Kind))), weight: w, at: e.At})
	en.rescore(accused, e)
}

// hold holds f out of its seller's protected score; it reports whether f
// was newly held.
func (en *Engine) hold(e *fairmark.Event, f *feedback, why string) bool {
	if f.held || f.removed {
		return false
	}
	old := f.entry()
	f.held = true
	f.mut().holdWhy = why
	en.sellerRep(f.seller).Apply(old, f.entry())
	en.emit(Decision{Kind: HoldFeedback, At: e.At, Event: e.ID, Account: f.buyer.id, Seller: f.seller.id, Feedback: f.id, Reason: why})
	if !f.withdrawn {
		en.alert(e, f.seller, f.buyer, "", f.id, newAlert(AlertFeedbackHeld,
			fmt.Sprintf("The negative remark %s from buyer %s is held out of your score pending review: %s.", f.id, f.buyer.id, why),
			fmt.Sprintf("买家 %s 的差评 %s 已暂不计入你的评分，等待审核：%s。", f.buyer.id, f.id, ReasonZH(why))))
	}
	return true
}

// release puts a held feedback back into its seller's protected score.
func (en *Engine) release(e *fairmark.Event, f *feedback, why string) {
	if !f.held {
		return
	}
	old := f.entry()
	f.held = false
	f.mut().holdWhy = ""
	en.sellerRep(f.seller).Apply(old, f.entry())
	en.emit(Decision{Kind: ReleaseHold, At: e.At, Event: e.ID, Account: f.buyer.id, Seller: f.seller.id, Feedback: f.id, Reason: why})
}

func firstReason(a *account) string {
	if len(a.bs().reasons) > 0 {
		return a.bs().reasons[0]
	}
	return "high extortion risk"
}
