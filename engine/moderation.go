package engine

import (
	"fmt"
	"strings"

	"github.com/fairmark/fairmark"
)

// moderate applies a reviewer's decision (a moderation.action event). The
// decisions it emits are keyed by the event like every other, so a replay
// of the log reproduces them.
func (en *Engine) moderate(e *fairmark.Event) {
	m := e.Moderation
	if m == nil {
		return
	}
	why := strings.Clone(m.Reason) // kept in reasons: not a part of the event's memory
	if m.Case != "" {
		why = fmt.Sprintf("case %s: %s", m.Case, m.Reason)
	}
	switch m.Action {
	case fairmark.ActionBan:
		for _, id := range m.Accounts {
			en.ban(e, en.account(id, "", e.At), why)
		}
	case fairmark.ActionUnban:
		for _, id := range m.Accounts {
			a := en.accounts.get(id)
			if a == nil || !a.banned {
				continue
			}
			a.banned = false
			en.emit(Decision{Kind: UnbanAccount, At: e.At, Event: e.ID, Account: a.id, Risk: a.risk, Reason: "ban lifted: " + why})
			en.rescore(a, e)
		}
	case fairmark.ActionClear:
		for _, id := range m.Accounts {
			if a := en.accounts.get(id); a != nil {
				en.clear(e, a, why)
			}
		}
	case fairmark.ActionRemoveFeedback, fairmark.ActionRestoreFeedback:
		remove := m.Action == fairmark.ActionRemoveFeedback
		for _, id := range m.Feedback {
			f := en.feedback.get(id)
			if f == nil || f.removed == remove {
				continue
			}
			old, wasLive := f.entry(), f.live()
			f.removed = remove
			en.restate(f, old, wasLive)
			if remove {
				en.emit(Decision{Kind: RemoveFeedback, At: e.At, Event: e.ID, Account: f.buyer.id, Seller: f.seller.id, Feedback: f.id, Reason: why})
				en.alert(e, f.seller, f.buyer, "", f.id, newAlert(AlertRemarkRemoved,
					fmt.Sprintf("The remark %s from buyer %s was removed by a reviewer and no longer counts in your score (%s).", f.id, f.buyer.id, why),
					fmt.Sprintf("买家 %s 的评价 %s 已被审核人员删除，不再计入你的评分（%s）。", f.buyer.id, f.id, ReasonZH(why))))
			} else {
				en.emit(Decision{Kind: RestoreFeedback, At: e.At, Event: e.ID, Account: f.buyer.id, Seller: f.seller.id, Feedback: f.id, Reason: why})
			}
		}
	}
}

// ban marks a banned: flagged for good, every negative it left held.
func (en *Engine) ban(e *fairmark.Event, a *account, why string) {
	if a.banned {
		return
	}
	a.banned, a.cleared = true, false
	en.emit(Decision{Kind: BanAccount, At: e.At, Event: e.ID, Account: a.id, Risk: a.risk, Reason: why})
	if !a.flagged {
		a.flagged = true
		if a.bs().flaggedAt.isZero() {
			a.buyer().flaggedAt = mkStamp(e.At)
		}
		en.emit(Decision{Kind: FlagAccount, At: e.At, Event: e.ID, Account: a.id, Risk: a.risk, Reason: "banned by a reviewer: " + why})
	}
	alerted := map[*account]bool{}
	for _, n := range a.bs().negs {
		if en.hold(e, n, "buyer banned: "+why) {
			n.holdByFlag = true
		} else if n.held {
			n.holdByFlag = true // a ban keeps it held until cleared
		}
		if !alerted[n.seller] && !n.withdrawn {
			alerted[n.seller] = true
			en.alert(e, n.seller, a, "", n.id, newAlert(AlertBuyerBanned,
				fmt.Sprintf("Buyer %s, who left you a negative remark, was banned after review (%s).", a.id, why),
				fmt.Sprintf("给你差评的买家 %s 经审核已被封禁（%s）。", a.id, ReasonZH(why))))
		}
	}
}

// clear clears a after review: the ban and flag are lifted, every hold on
// its remarks is released, and the evidence seen so far does not flag it
// again (cleared accounts re-flag only on clearly stronger evidence).
func (en *Engine) clear(e *fairmark.Event, a *account, why string) {
	a.banned = false
	a.cleared, a.buyer().clearedRisk = true, a.risk
	reason := "cleared by a reviewer: " + why
	if a.flagged {
		en.unflag(e, a, reason)
	} else {
		en.emit(Decision{Kind: ClearAccount, At: e.At, Event: e.ID, Account: a.id, Risk: a.risk, Reason: reason})
	}
	for _, n := range a.bs().negs {
		if n.held {
			n.holdByFlag = false
			en.release(e, n, reason)
		}
	}
}
