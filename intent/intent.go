// Package intent detects extortion intent in marketplace chat and reviews,
// in Chinese and English: a demand that trades feedback for money ("给我50块钱
// 我就删差评", "I'll withdraw the remark once you pay"), threats, a
// self-declared professional complainer, pressure to move the talk
// off-platform.
//
// Score combines two layers. A clause-aware pattern layer finds the phrases
// (money, feedback, removal, conditions, threats) and reads them in context:
// negation scope ("我不会给差评的"), quoted or reported speech (a seller
// quoting the threat back), co-occurrence of money and feedback removal in
// the same or an adjacent clause, and disputes over the order itself (a
// refund for a broken item is not extortion). A logistic regression over the
// pattern features and hashed character n-grams, trained by
// internal/trainer on testdata/train.jsonl and calibrated with
// cross-validated Platt scaling, turns them into a probability.
package intent

//go:generate go run ./internal/trainer -in testdata/train.jsonl -out model.bin

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/fairmark/fairmark/intent/internal/feat"
)

// Result is the verdict on one text.
type Result struct {
	Probability float64  `json:"extortion"`      // calibrated 0..1
	Flag        bool     `json:"extortion_flag"` // the detector's own decision
	Reasons     []string `json:"reasons"`        // human-readable, naming the phrases that carried it
	Signals     []Signal `json:"signals,omitempty"`
}

// Signal names one kind of extortion evidence found in the text.
type Signal string

// Signals, in the order Score reports them.
const (
	MoneyDemand         Signal = "money_demand"          // asks for money or its indirect forms (红包, 意思意思)
	FeedbackLeverage    Signal = "feedback_leverage"     // uses negative feedback as leverage
	RemovalForPayment   Signal = "removal_for_payment"   // offers to remove, or not to leave, feedback for money
	Threat              Signal = "threat"                // threatens the seller (看着办, "you'll regret it")
	SelfDeclaredPro     Signal = "self_declared_pro"     // calls themselves a professional complainer
	OffPlatformPressure Signal = "off_platform_pressure" // pushes the talk off-platform (加我微信, "text me on WhatsApp")
)

var sigOrder = [feat.NumSig]Signal{
	feat.SigMoney:    MoneyDemand,
	feat.SigLeverage: FeedbackLeverage,
	feat.SigRemoval:  RemovalForPayment,
	feat.SigThreat:   Threat,
	feat.SigPro:      SelfDeclaredPro,
	feat.SigOff:      OffPlatformPressure,
}

// reportOrder lists signals most telling first.
var reportOrder = [feat.NumSig]int{feat.SigRemoval, feat.SigMoney, feat.SigLeverage, feat.SigPro, feat.SigThreat, feat.SigOff}

//go:embed model.bin
var modelBytes []byte

var (
	loadOnce sync.Once
	model    *feat.Model
	loadErr  error
)

func loadModel() {
	m := new(feat.Model)
	if err := m.UnmarshalBinary(modelBytes); err != nil {
		loadErr = err
		return
	}
	if m.Signature != feat.Signature() {
		loadErr = fmt.Errorf("intent: model.bin was trained with another lexicon; run go generate ./intent/")
		return
	}
	model = m
}

func mustModel() *feat.Model {
	loadOnce.Do(loadModel)
	if loadErr != nil {
		// The model is embedded and checked by the package tests; failing
		// here means a broken build, not bad input.
		panic(loadErr)
	}
	return model
}

// scratch is the reusable working memory of one Score call.
type scratch struct {
	a feat.Analysis
	v feat.Vector
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

const quoteRunes = 60

// Score judges text. It is deterministic and safe for concurrent use; the
// model is loaded once, on first use.
func Score(text string) Result {
	m := mustModel()
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	a := &sc.a
	a.Reset(text)
	feat.Features(a, &sc.v)
	p := m.Prob(m.Logit(&sc.v))
	refuses := refusal(a)
	if refuses {
		// The n-grams of "change my review" read like a demand; refusing
		// to change it, asking nothing, is not one.
		p = min(p, m.Threshold/2)
	} else if a.Hits[feat.SigRemoval].Found && a.Hits[feat.SigMoney].Found {
		// Money asked, beyond any remedy of the order, and tied to taking
		// a negative remark away (or keeping a review positive): the two
		// structural signals together are a demand whatever the n-grams
		// say ("a $20 'thank you' would keep my review positive").
		p = max(p, m.Threshold)
	} else if moneyUnderThreat(a) {
		p = max(p, m.Threshold)
	}
	res := Result{Probability: p, Flag: p >= m.Threshold, Reasons: []string{}}
	for _, s := range reportOrder {
		h := a.Hits[s]
		if !h.Found {
			continue
		}
		res.Signals = append(res.Signals, sigOrder[s])
		res.Reasons = append(res.Reasons, fmt.Sprintf("%s (%q)", describe(s, h.Variant), a.Quote(h.Lo, h.Hi, quoteRunes)))
	}
	if res.Flag && len(res.Signals) == 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("wording resembles extortion demands (%q)", a.Quote(0, len(a.Clauses)-1, quoteRunes)))
	}
	if !res.Flag {
		if refuses {
			res.Reasons = append(res.Reasons, fmt.Sprintf("refuses to change or remove the feedback and asks for nothing: not a demand (%q)", a.Quote(0, len(a.Clauses)-1, quoteRunes)))
		}
		if a.Reported.Found {
			res.Reasons = append(res.Reasons, fmt.Sprintf("quotes or reports a demand rather than making one (%q)", a.Quote(a.Reported.Lo, a.Reported.Hi, quoteRunes)))
		}
		if a.Remedy.Found && a.Remedy.Variant == feat.RemedyOnly && (len(res.Signals) > 0 || a.Own&(feat.CFbNeg|feat.CRemoval) != 0) {
			res.Reasons = append(res.Reasons, fmt.Sprintf("asks only for a remedy of the order (refund, return, exchange, re-send or repair): a dispute, not extortion (%q)", a.Quote(a.Remedy.Lo, a.Remedy.Hi, quoteRunes)))
		} else if a.Dispute.Found && len(res.Signals) > 0 {
			res.Reasons = append(res.Reasons, fmt.Sprintf("reads as a dispute over the order itself (%q)", a.Quote(a.Dispute.Lo, a.Dispute.Hi, quoteRunes)))
		}
	}
	return res
}

// moneyUnderThreat reports whether money is demanded (beyond any remedy
// of the order) and the writer threatens the seller in the same or an
// adjacent clause, not in jest and not in a seller's account of a demand
// (talk of extortion, a report frame, the seller's voice, quoted speech):
// "转我300，不然我就去平台举报你", "give me $100 or I report it to eBay as
// fake". Over the training, held-out, blind and disputes sets no honest
// text has both.
func moneyUnderThreat(a *feat.Analysis) bool {
	mo, th := a.Hits[feat.SigMoney], a.Hits[feat.SigThreat]
	if !mo.Found || !th.Found || a.Own&(feat.CJoke|feat.CMeta|feat.CReport|feat.CSeller) != 0 || a.Rep != 0 {
		return false
	}
	return th.Lo >= mo.Lo-1 && th.Hi <= mo.Hi+1
}

// refusal reports whether the writer, in their own voice, refuses to
// change or remove feedback ("I won't change my review", "我不会删的") and
// the message asks for nothing: no money or its indirect forms, no
// demand, condition, threat, private channel or off-platform contact, no
// self-declared professional, and no extortion signal found.
func refusal(a *feat.Analysis) bool {
	const asks = feat.CMoney | feat.CAmount | feat.CIndirect | feat.CDemand | feat.CCond | feat.CThreat |
		feat.CPro | feat.CPrivate | feat.COff
	if a.Own&feat.CNegStrong == 0 || a.Own&feat.CRemoval == 0 || a.Own&asks != 0 {
		return false
	}
	for _, h := range a.Hits {
		if h.Found {
			return false
		}
	}
	return true
}

func describe(sig, variant int) string {
	switch sig {
	case feat.SigRemoval:
		if variant == 1 {
			return "offers not to leave a negative remark in exchange for money"
		}
		if variant == 2 {
			return "puts a price on the feedback"
		}
		return "asks money to remove a negative remark"
	case feat.SigMoney:
		if variant == 1 {
			return "demands money beyond the order"
		}
		return "demands money"
	case feat.SigLeverage:
		return "uses negative feedback as leverage"
	case feat.SigThreat:
		return "threatens the seller"
	case feat.SigPro:
		return "declares themselves a professional complainer"
	case feat.SigOff:
		return "presses to move the talk off the platform"
	}
	return "extortion signal"
}
