package feat

import (
	"unicode/utf8"
)

// Clause is a stretch of normalised text between clause punctuation.
type Clause struct {
	Start, End int32 // bytes of Text.Norm
	Sent       int32 // sentence number
	Own        Cat   // categories said in the writer's own voice, not negated
	Neg        Cat   // categories negated in the writer's own voice
	Rep        Cat   // categories inside quoted or reported speech
}

// Signal kinds found by the pattern layer, in reporting order.
const (
	SigMoney = iota
	SigLeverage
	SigRemoval
	SigThreat
	SigPro
	SigOff
	NumSig
)

// Hit records where a signal was found: clauses [Lo, Hi] and a variant.
type Hit struct {
	Found   bool
	Lo, Hi  int
	Variant int // SigRemoval: 1 = promise not to leave feedback, 2 = a price on the feedback; SigMoney: 1 = beyond the order
}

// Analysis is the clause-aware reading of one message.
type Analysis struct {
	Text    Text
	Matches []Match
	Clauses []Clause
	Own     Cat // union of Clause.Own
	Neg     Cat
	Rep     Cat
	Hits    [NumSig]Hit
	// RepBytes marks normalised bytes that are reported speech (quoted with
	// a reporting context, or after a reporting frame).
	RepBytes []bool
	Dispute  Hit // clauses naming a defect, delivery problem or refund
	Reported Hit // clauses with a reported demand
	// Remedy: the writer asks for a remedy of the order itself (refund,
	// return, exchange, re-send, repair). Variant 0: that is all that is
	// asked, a dispute even when feedback is the leverage; 1: something
	// goes beyond the order (money on top, compensation, a private
	// channel, an item said to be fine), so the remedy does not excuse it.
	Remedy Hit
}

// Remedy variants.
const (
	RemedyOnly   = 0
	RemedyBeyond = 1
)

const moneyCats = CMoney | CAmount | CIndirect

// Analyze reads s.
func Analyze(s string) *Analysis {
	a := new(Analysis)
	a.Reset(s)
	return a
}

// Reset analyses s into a, reusing a's buffers (for pooling).
func (a *Analysis) Reset(s string) {
	a.Text.reset(s)
	a.Matches = findMatches(a.Text.Norm, a.Matches[:0])
	a.Clauses = a.Clauses[:0]
	a.Own, a.Neg, a.Rep = 0, 0, 0
	a.Hits = [NumSig]Hit{}
	a.Dispute, a.Reported, a.Remedy = Hit{}, Hit{}, Hit{}
	a.splitClauses()
	a.markReported()
	a.assign()
	a.priceTags()
	a.findSignals()
}

func (a *Analysis) splitClauses() {
	b := a.Text.Norm
	start, sent := 0, int32(0)
	emit := func(end int, endSent bool) {
		if end > start {
			a.Clauses = append(a.Clauses, Clause{Start: int32(start), End: int32(end), Sent: sent})
		}
		if endSent {
			sent++
		}
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			switch c {
			case '.':
				if i > 0 && i+1 < len(b) && b[i-1] >= '0' && b[i-1] <= '9' && b[i+1] >= '0' && b[i+1] <= '9' {
					i++
					continue
				}
				emit(i, true)
				start = i + 1
			case '!', '?', ';', '\n', '\r':
				emit(i, true)
				start = i + 1
			case ',', ':', '~', '(', ')':
				emit(i, false)
				start = i + 1
			case ' ':
				// A space between two non-ASCII characters separates
				// clauses in Chinese chat.
				if i > 0 && i+1 < len(b) && b[i-1] >= 0x80 && b[i+1] >= 0x80 {
					emit(i, false)
					start = i + 1
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch r {
		case '、', '…', '—', '～', '（', '）':
			emit(i, false)
			start = i + size
		}
		i += size
	}
	emit(len(b), true)
	if len(a.Clauses) == 0 {
		a.Clauses = append(a.Clauses, Clause{})
	}
}

// clauseOf returns the clause index holding byte position p.
func (a *Analysis) clauseOf(p int32) int {
	lo, hi := 0, len(a.Clauses)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if a.Clauses[mid].Start <= p {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// markReported decides which bytes are reported speech. Quoted text counts
// as reported when the message also frames it as a report (a reporting
// verb, a third person, talk of extortion, the seller's voice); text after a
// reporting frame counts up to the end of its sentence.
func (a *Analysis) markReported() {
	b := a.Text.Norm
	if cap(a.RepBytes) >= len(b) {
		a.RepBytes = a.RepBytes[:len(b)]
		clear(a.RepBytes)
	} else {
		a.RepBytes = make([]bool, len(b))
	}
	var ctx Cat
	for _, m := range a.Matches {
		ctx |= m.Cats
	}
	if ctx&(CReport|CMeta|CSeller|CThird) != 0 {
		copy(a.RepBytes, a.Text.Quoted)
	}
	marked := int32(0) // bytes before this are already marked
	for _, m := range a.Matches {
		if m.Cats&CReport == 0 {
			continue
		}
		if a.Text.Quoted[m.Start] && !a.RepBytes[m.Start] {
			continue
		}
		ci := a.clauseOf(m.Start)
		sent := a.Clauses[ci].Sent
		end := int32(len(b))
		for j := ci; j < len(a.Clauses); j++ {
			if a.Clauses[j].Sent != sent {
				end = a.Clauses[j].Start
				break
			}
		}
		from := m.End
		if from < marked {
			from = marked
		}
		for p := from; p < end; p++ {
			a.RepBytes[p] = true
		}
		if end > marked {
			marked = end
		}
	}
}

// assign distributes matches over clauses, applying negation scope in one
// left-to-right pass per clause. A negator is void in a conditional clause
// (a condition before it, or a consequence after it: "如果不给钱", "不给钱就
// 差评", "if you don't pay"), and its scope stops at a condition marker
// ("won't remove it unless you pay"). Strong negators also negate money.
func (a *Analysis) assign() {
	ms := a.Matches
	for i := 0; i < len(ms); {
		ci := a.clauseOf(ms[i].Start)
		cl := &a.Clauses[ci]
		// Matches [i, j) start in this clause.
		j := i
		lastConseq := -1
		for ; j < len(ms) && ms[j].Start < cl.End; j++ {
			if ms[j].Cats&CConseq != 0 && !a.RepBytes[ms[j].Start] {
				lastConseq = j
			}
		}
		if j == i { // defensive: a match outside every clause
			j = i + 1
		}
		var negator Cat
		preCond := false
		for k := i; k < j; k++ {
			m := ms[k]
			if a.RepBytes[m.Start] {
				cl.Rep |= m.Cats
				continue
			}
			cats := m.Cats
			if negator != 0 && cats&(CFbNeg|CThreat|COff|moneyCats|CDemand|CRefund) != 0 {
				neg := cats & (CFbNeg | CThreat | COff)
				if negator&CNegStrong != 0 {
					// "不要退款", "no need to refund": no remedy asked.
					neg |= cats & (moneyCats | CDemand | CRefund)
				}
				cl.Neg |= neg
				cats &^= neg
			}
			cl.Own |= cats
			if cats&CDecline != 0 {
				// "红包就不用了": what was named before is declined.
				d := cl.Own & (moneyCats | CDemand | CPrivate)
				cl.Neg |= d
				cl.Own &^= d
			}
			switch {
			case m.Cats&CNeg != 0 && !preCond:
				negator = m.Cats
				if lastConseq > k {
					negator = 0
				}
			case m.Cats&CCond != 0:
				negator, preCond = 0, true
			}
		}
		i = j
	}
	for i := range a.Clauses {
		a.Own |= a.Clauses[i].Own
		a.Neg |= a.Clauses[i].Neg
		a.Rep |= a.Clauses[i].Rep
	}
	for _, c := range a.Text.Norm {
		if c == '?' {
			a.Own |= CQuestion
			break
		}
	}
}

// saleLinks join feedback and an amount into a price tag: "5 stars for
// $20", "$20 for a good review", "五星换八十块", "80块换个好评".
var saleLinks = []string{"for", "for a", "for just", "for only", "=", "换", "换个", "换一个", "买个", "买一个"}

// priceTags marks, in the writer's own voice, a feedback phrase and an
// amount of money next to each other, joined only by a sale link, as CSale
// on their clause. A review that mentions a price ("5 stars for a $20
// item", "五星，才50块") has other words between them.
func (a *Analysis) priceTags() {
	b := a.Text.Norm
	const fb = CFb | CFbPos | CFbNeg
	for i := 0; i+1 < len(a.Matches); i++ {
		x, y := a.Matches[i], a.Matches[i+1]
		if a.RepBytes[x.Start] || a.RepBytes[y.Start] {
			continue
		}
		if !(x.Cats&fb != 0 && y.Cats&CAmount != 0 || x.Cats&CAmount != 0 && y.Cats&fb != 0) {
			continue
		}
		gap := b[x.End:y.Start]
		for len(gap) > 0 && gap[0] == ' ' {
			gap = gap[1:]
		}
		for len(gap) > 0 && gap[len(gap)-1] == ' ' {
			gap = gap[:len(gap)-1]
		}
		for _, l := range saleLinks {
			if string(gap) == l {
				ci := a.clauseOf(x.Start)
				if a.clauseOf(y.Start) == ci {
					a.Clauses[ci].Own |= CSale
					a.Own |= CSale
				}
				break
			}
		}
	}
}

// window returns the union of own categories of clauses ci-1..ci+1.
func (a *Analysis) window(ci int) Cat {
	w := a.Clauses[ci].Own
	if ci > 0 {
		w |= a.Clauses[ci-1].Own
	}
	if ci+1 < len(a.Clauses) {
		w |= a.Clauses[ci+1].Own
	}
	return w
}

func (a *Analysis) span(ci int, want Cat) (lo, hi int) {
	lo, hi = ci, ci
	if ci > 0 && a.Clauses[ci-1].Own&want != 0 {
		lo = ci - 1
	}
	if ci+1 < len(a.Clauses) && a.Clauses[ci+1].Own&want != 0 {
		hi = ci + 1
	}
	return lo, hi
}

func (a *Analysis) set(sig, lo, hi, variant int) {
	if !a.Hits[sig].Found {
		a.Hits[sig] = Hit{Found: true, Lo: lo, Hi: hi, Variant: variant}
	}
}

// findRemedy decides whether the writer asks for a remedy of the order, and
// whether anything asked goes beyond it. Money is beyond the remedy when it
// is asked in a clause that names no remedy or defect ("退款再加100" is
// caught by 再加; "赔我500", "send me $20" by their own clause), when it
// is indirect (红包, 意思意思), or when it is to go through a private
// channel (转账到微信, "my PayPal").
func (a *Analysis) findRemedy() {
	if a.Own&CRefund == 0 {
		return
	}
	beyond := a.Own&(CExcess|CIndirect|CPrivate|COff|CNoDefect|CPro) != 0
	first := -1
	for ci := range a.Clauses {
		own := a.Clauses[ci].Own
		if own&CRefund != 0 && first < 0 {
			first = ci
		}
		if own&(CRefund|CDispute) == 0 && (own&CDemand != 0 && own&(CMoney|CAmount|CNumber) != 0 ||
			own&CCond != 0 && own&(CMoney|CAmount) != 0) {
			beyond = true
		}
	}
	v := RemedyOnly
	if beyond {
		v = RemedyBeyond
	}
	a.Remedy = Hit{Found: true, Lo: first, Hi: first, Variant: v}
}

func (a *Analysis) findSignals() {
	a.findRemedy()
	// A remedy asked beyond the order itself (the goods kept, a multiple
	// of the price; not "refund the extra" of an overcharge) under the
	// leverage of feedback or a threat, with a promise not to post one, or
	// for a good review in the writer's own voice (not a seller's offer
	// retold), is money beyond the order ("I keep the shoes, and I won't
	// post the video", "pay me back twice what I paid or everyone hears
	// your shop is a scam").
	if a.Remedy.Found && a.Remedy.Variant == RemedyBeyond && a.Own&CKeep != 0 &&
		((a.Own|a.Neg)&(CFbNeg|CThreat) != 0 || a.Own&(CFbPos|CRemoval) != 0 && a.Own&(CThird|CSeller|CReport) == 0) {
		a.set(SigMoney, a.Remedy.Lo, a.Remedy.Hi, 1)
	}
	msgFb := a.Own&(CFb|CFbNeg|CFbPos) != 0
	// A plain dispute: a remedy of the order, or a defect named, with
	// nothing beyond the order asked. Feedback leverage over it is not
	// extortion.
	remedyOnly := a.Remedy.Found && a.Remedy.Variant == RemedyOnly
	refundOnly := remedyOnly || !a.Remedy.Found && a.Own&CDispute != 0 &&
		a.Own&(CExcess|CIndirect|CPrivate|COff|CNoDefect|CPro) == 0
	// Bargaining over the price with nothing at stake ("Can you do $40?")
	// offers money rather than demanding it.
	// "How much is my review worth to you?" prices the writer's feedback:
	// no haggle.
	haggle := a.Own&CHaggle != 0 && a.Own&(CFbNeg|CRemoval|CThreat|COff|CPro|CExcess) == 0 &&
		(a.Own&CIndirect == 0 || !msgFb)
	for ci := range a.Clauses {
		own := a.Clauses[ci].Own
		w := a.window(ci)
		realMoney := w&(CAmount|CIndirect|CExcess) != 0 || w&CMoney != 0 && w&CDemand != 0
		if own&moneyCats != 0 || own&(CNumber|CDemand) == CNumber|CDemand {
			strong := own&(CAmount|CIndirect) != 0 || own&CNumber != 0 && own&CDemand != 0 ||
				own&CMoney != 0 && w&CDemand != 0 || own&CExcess != 0 && own&CMoney != 0
			// An amount or an indirect ask only counts as a demand when
			// something in reach asks, conditions, threatens or bargains.
			ctx := w&(CDemand|CCond|CFbNeg|CRemoval|CThreat|COff|CExcess) != 0 || own&CDemand != 0
			if strong && ctx && !remedyOnly && !haggle {
				v := 0
				if w&CExcess != 0 {
					v = 1
				}
				lo, hi := a.span(ci, CDemand|CExcess)
				a.set(SigMoney, lo, hi, v)
			}
		}
		// A bare number next to removal of negative feedback is a price
		// ("我给你差评了，想删？200").
		priced := w&CNumber != 0 && msgFb && !refundOnly
		if own&CRemoval != 0 && msgFb && !remedyOnly && (realMoney || priced || w&CMoney != 0 && !refundOnly) {
			lo, hi := a.span(ci, moneyCats|CDemand|CNumber)
			a.set(SigRemoval, lo, hi, 0)
		}
		if a.Clauses[ci].Neg&CFbNeg != 0 && realMoney && w&CCond != 0 && !remedyOnly {
			lo, hi := a.span(ci, moneyCats|CCond)
			a.set(SigRemoval, lo, hi, 1)
		}
		if own&CFbNeg != 0 && w&(CCond|CThreat|CDemand|moneyCats) != 0 {
			if !remedyOnly && (realMoney || !refundOnly) {
				lo, hi := a.span(ci, CCond|CThreat|CDemand|moneyCats)
				a.set(SigLeverage, lo, hi, 0)
			}
		}
		// The feedback itself offered for money ("my feedback is for
		// sale", "5 stars for $20"): a price on the review.
		if own&CSale != 0 && msgFb && !refundOnly {
			a.set(SigRemoval, ci, ci, 2)
			a.set(SigMoney, ci, ci, 0)
		}
		if own&CThreat != 0 {
			a.set(SigThreat, ci, ci, 0)
		}
		if own&CPro != 0 {
			a.set(SigPro, ci, ci, 0)
		}
		if own&COff != 0 {
			a.set(SigOff, ci, ci, 0)
		}
		if own&(CDispute|CRefund) != 0 && !a.Dispute.Found {
			a.Dispute = Hit{Found: true, Lo: ci, Hi: ci}
		}
		if a.Clauses[ci].Rep&(moneyCats|CFbNeg|CRemoval|CThreat|CPro|CDemand) != 0 && !a.Reported.Found {
			a.Reported = Hit{Found: true, Lo: ci, Hi: ci}
		}
	}
}

// Quote returns the original wording of clauses [lo, hi], trimmed and
// shortened to at most max runes.
func (a *Analysis) Quote(lo, hi, max int) string {
	if lo < 0 || hi >= len(a.Clauses) || lo > hi {
		return ""
	}
	s := a.Text.Orig[a.Text.Off[a.Clauses[lo].Start]:a.Text.Off[a.Clauses[hi].End]]
	// Trim spaces and punctuation at both ends.
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if !isTrim(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		if !isTrim(r) {
			break
		}
		s = s[:len(s)-n]
	}
	if utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return s
}

func isTrim(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', ',', '.', '!', '?', ';', ':', '"', '\'', '，', '。', '！', '？', '；', '：', '“', '”', '‘', '’', '「', '」', '、', '~', '～':
		return true
	}
	return false
}
