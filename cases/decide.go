package cases

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
)

// System is the principal of what fairmark does by itself: opening cases
// from reports and flags, joining reports.
var System = fairmark.Principal{User: "fairmark", Name: "fairmark", Role: RoleSystem}

// RoleSystem is the role of System; no user has it.
const RoleSystem fairmark.UserRole = "system"

// Ctx is what a command needs besides the case itself.
type Ctx struct {
	Now time.Time
	By  fairmark.Principal
	// Linked lists the accused's linked accounts: the only accounts besides
	// the accused that a ban of this case may name.
	Linked []fairmark.AccountID
	// CleanHistory reports whether an account has a long clean history, so
	// that banning it needs a second staff member. Nil: no account has.
	CleanHistory func(fairmark.AccountID) bool
}

// Effects are what a decision asks the rest of the system to do.
type Effects struct {
	// Moderation actions to append to the event log (the engine applies
	// them; a replay reproduces them).
	Moderation []fairmark.Event
	// Notices for the marketplace, sent by webhook.
	Notices []Notice
}

// Notice is a message to the marketplace about a decision.
type Notice struct {
	// ID is stable for the decision: sending it twice lets the receiver
	// drop the second.
	ID   string     `json:"id"`
	Type NoticeType `json:"type"`
	Data NoticeData `json:"data"`
}

// NoticeType is the type of a webhook notice.
type NoticeType string

// Notice types.
const (
	NoticeCaseOpened       NoticeType = "case.opened"
	NoticeCaseClosed       NoticeType = "case.closed"
	NoticeAccountBanned    NoticeType = "account.banned"
	NoticeAccountUnbanned  NoticeType = "account.unbanned"
	NoticeAccountWarned    NoticeType = "account.warned"
	NoticeAccountCleared   NoticeType = "account.cleared"
	NoticeFeedbackRemoved  NoticeType = "feedback.removed"
	NoticeFeedbackRestored NoticeType = "feedback.restored"
	NoticeRestitutionOwed  NoticeType = "restitution.owed"
	NoticeRestitutionPaid  NoticeType = "restitution.paid"
	NoticeVictim           NoticeType = "victim.notice"
)

// NoticeData is the body of a notice; only the fields its type uses are set.
type NoticeData struct {
	Case     fairmark.CaseID       `json:"case"`
	Accused  fairmark.AccountID    `json:"accused"`
	Accounts []fairmark.AccountID  `json:"accounts,omitempty"`
	Seller   fairmark.AccountID    `json:"seller,omitempty"`
	Feedback []fairmark.FeedbackID `json:"feedback,omitempty"`
	Amount   *fairmark.Money       `json:"amount,omitempty"`
	Entry    int                   `json:"entry,omitempty"`
	Ref      string                `json:"ref,omitempty"`
	Outcome  Outcome               `json:"outcome,omitempty"`
	Reason   string                `json:"reason,omitempty"`
	Text     string                `json:"text,omitempty"`
	TextZH   string                `json:"text_zh,omitempty"`
}

// A Command is something someone asks of a case.
type Command interface {
	decide(b *batch) error
}

// Decide checks cmd against the case and who asks, and returns the case as
// it would be after, the events to append and the effects to carry out. c
// is not changed. A nil c is a case not opened yet (only OpenCase applies).
// Errors are *fairmark.Error: EFORBIDDEN when the principal may not do it,
// ECONFLICT when the case's state does not allow it, EINVALID for bad input.
func Decide(c *Case, cmd Command, x Ctx) (*Case, []Event, Effects, error) {
	b := &batch{x: x}
	if c != nil {
		b.c = clone(c)
	} else {
		b.c = &Case{}
	}
	if b.c.Seq == 0 {
		if _, ok := cmd.(OpenCase); !ok {
			return nil, nil, Effects{}, fairmark.Errorf(fairmark.ENOTFOUND, "no such case")
		}
	}
	if err := cmd.decide(b); err != nil {
		return nil, nil, Effects{}, err
	}
	return b.c, b.evs, b.fx, b.err
}

func clone(c *Case) *Case {
	raw, err := json.Marshal(c)
	if err != nil {
		panic(err) // a Case always marshals
	}
	var out Case
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return &out
}

// batch collects the events of one decision, applying each as it goes so
// later steps see the state the earlier ones made.
type batch struct {
	c   *Case
	x   Ctx
	evs []Event
	fx  Effects
	err error
}

func (b *batch) add(e Event) int {
	e.Case, e.Seq, e.At, e.Actor = b.c.ID, b.c.Seq+1, b.x.Now, b.x.By.Actor()
	if e.Kind == Opened {
		e.Case = fairmark.CaseID(e.New)
	}
	if err := b.c.Apply(e); err != nil && b.err == nil {
		b.err = err
	}
	b.evs = append(b.evs, e)
	return e.Seq
}

func (b *batch) moderate(seq int, action fairmark.Action, accounts []fairmark.AccountID, fb []fairmark.FeedbackID, reason string) {
	n := len(b.fx.Moderation)
	b.fx.Moderation = append(b.fx.Moderation, fairmark.Event{
		ID:   fairmark.EventID(fmt.Sprintf("case-%s-%d-%d", b.c.ID, seq, n)),
		Type: fairmark.ModerationAction, At: b.x.Now,
		Moderation: &fairmark.Moderation{Action: action, Accounts: accounts, Feedback: fb, Case: b.c.ID, By: b.x.By.Actor(), Reason: reason},
	})
}

func (b *batch) notify(seq int, t NoticeType, subject string, d NoticeData) {
	d.Case, d.Accused = b.c.ID, b.c.Accused
	b.fx.Notices = append(b.fx.Notices, Notice{ID: fmt.Sprintf("%s-%d-%s-%s", b.c.ID, seq, t, subject), Type: t, Data: d})
}

func forbidden(format string, args ...any) error {
	return fairmark.Errorf(fairmark.EFORBIDDEN, format, args...)
}

func conflict(format string, args ...any) error {
	return fairmark.Errorf(fairmark.ECONFLICT, format, args...)
}

func invalid(format string, args ...any) error {
	return fairmark.Errorf(fairmark.EINVALID, format, args...)
}

func (b *batch) staff() error {
	if !b.x.By.Role.Staff() {
		return forbidden("only trust-and-safety staff may do this")
	}
	return nil
}

func (b *batch) open() error {
	if b.c.Status == Closed || b.c.Status == AwaitingAppeal {
		return conflict("case %s is %s", b.c.ID, b.c.Status)
	}
	return nil
}

func needReason(r string) error {
	if strings.TrimSpace(r) == "" {
		return invalid("reason: required")
	}
	return nil
}

// OpenCase opens a case against an accused.
type OpenCase struct {
	ID      fairmark.CaseID
	Accused fairmark.AccountID
	Source  Source
	Report  fairmark.ReportID // the report that opened it, if any
	Victims []Victim
	Reason  string
}

func (o OpenCase) decide(b *batch) error {
	if b.c.Seq != 0 {
		return conflict("case %s is already open", b.c.ID)
	}
	if r := b.x.By.Role; r != RoleSystem && r != fairmark.RoleOperator && !r.Staff() {
		return forbidden("cases are opened by fairmark, the marketplace or staff")
	}
	if o.ID == "" || o.Accused == "" {
		return invalid("case id and accused: required")
	}
	if o.Source != FromReport && o.Source != FromFlag && o.Source != FromStaff {
		return invalid("source: must be report, flag or staff")
	}
	seq := b.add(Event{Kind: Opened, New: string(o.ID), Reason: o.Reason, Data: &Data{Accused: o.Accused, Source: o.Source}})
	if o.Report != "" {
		b.add(Event{Kind: ReportJoined, Data: &Data{Report: o.Report}})
	}
	for _, v := range o.Victims {
		b.add(Event{Kind: VictimAdded, Data: &Data{Victim: &v}})
	}
	b.notify(seq, NoticeCaseOpened, string(o.Accused), NoticeData{Reason: o.Reason})
	return nil
}

// JoinReport adds a report (and its reporter as a victim) to the case.
type JoinReport struct {
	Report fairmark.ReportID
	Victim Victim
}

func (j JoinReport) decide(b *batch) error {
	if containsReport(b.c.Reports, j.Report) {
		return conflict("report %s is already in case %s", j.Report, b.c.ID)
	}
	v := j.Victim
	b.add(Event{Kind: ReportJoined, Data: &Data{Report: j.Report, Victim: &v}})
	return nil
}

// AddVictims adds victims found since the case opened (or merges what is
// new about known ones). It adds nothing when nothing is new.
type AddVictims struct{ Victims []Victim }

func (a AddVictims) decide(b *batch) error {
	for _, v := range a.Victims {
		old := b.c.Victim(v.Seller)
		if old != nil && !newFeedback(old, v) {
			continue
		}
		v := v
		b.add(Event{Kind: VictimAdded, Data: &Data{Victim: &v}})
	}
	return nil
}

func newFeedback(old *Victim, v Victim) bool {
	for _, f := range v.Feedback {
		if !containsFeedback(old.Feedback, f) {
			return true
		}
	}
	return false
}

// Assign gives the case to a staff member ("" unassigns).
type Assign struct{ To string }

func (a Assign) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if a.To == b.c.Assignee {
		return conflict("case %s is already assigned to %q", b.c.ID, a.To)
	}
	b.add(Event{Kind: Assigned, Field: "assignee", Prev: b.c.Assignee, New: a.To})
	return nil
}

// Snooze hides the case from the top of the queue until a time.
type Snooze struct {
	Until  time.Time
	Reason string
}

func (s Snooze) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if !s.Until.After(b.x.Now) {
		return invalid("until: must be in the future")
	}
	prev := ""
	if !b.c.SnoozedUntil.IsZero() {
		prev = b.c.SnoozedUntil.Format(time.RFC3339)
	}
	b.add(Event{Kind: Snoozed, Field: "snoozed_until", Prev: prev, New: s.Until.UTC().Format(time.RFC3339), Reason: s.Reason, Data: &Data{Until: s.Until.UTC()}})
	return nil
}

// Investigate moves an open case to investigating.
type Investigate struct{}

func (Investigate) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if b.c.Status != Open {
		return conflict("case %s is %s, not open", b.c.ID, b.c.Status)
	}
	b.add(Event{Kind: StatusChanged, Field: "status", Prev: string(b.c.Status), New: string(Investigating)})
	return nil
}

// Note adds a staff note.
type Note struct{ Text string }

func (n Note) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if strings.TrimSpace(n.Text) == "" {
		return invalid("text: required")
	}
	b.add(Event{Kind: Noted, Data: &Data{Text: n.Text}})
	return nil
}

// Ban bans the accused and chosen linked accounts. Banning an account with
// a long clean history needs a second staff member: the ban then waits
// for Approve.
type Ban struct {
	Accounts []fairmark.AccountID // empty: the accused
	Reason   string
}

func (bn Ban) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if err := needReason(bn.Reason); err != nil {
		return err
	}
	accounts := bn.Accounts
	if len(accounts) == 0 {
		accounts = []fairmark.AccountID{b.c.Accused}
	}
	var todo []fairmark.AccountID
	clean := false
	for _, a := range accounts {
		if a != b.c.Accused && !containsAccount(b.x.Linked, a) {
			return invalid("accounts: %s is neither the accused nor linked to it", a)
		}
		if containsAccount(b.c.Banned, a) || containsAccount(todo, a) {
			continue
		}
		todo = append(todo, a)
		if b.x.CleanHistory != nil && b.x.CleanHistory(a) {
			clean = true
		}
	}
	if len(todo) == 0 {
		return conflict("already banned")
	}
	for _, p := range b.c.Pending {
		if p.Action == fairmark.ActionBan {
			return conflict("a ban of this case is already waiting for approval (request %d)", p.Request)
		}
	}
	if clean {
		b.add(Event{Kind: ApprovalRequested, Reason: bn.Reason, Data: &Data{Action: fairmark.ActionBan, Accounts: todo}})
		return nil
	}
	b.ban(todo, bn.Reason)
	return nil
}

func (b *batch) ban(accounts []fairmark.AccountID, reason string) {
	seq := b.add(Event{Kind: Banned, Reason: reason, Data: &Data{Accounts: accounts}})
	b.moderate(seq, fairmark.ActionBan, accounts, nil, reason)
	for _, a := range accounts {
		b.notify(seq, NoticeAccountBanned, string(a), NoticeData{Accounts: []fairmark.AccountID{a}, Reason: reason})
	}
}

// Approve carries out an action waiting for a second staff member; the
// approver must not be the one who asked.
type Approve struct{ Request int }

func (a Approve) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	p, err := b.pending(a.Request)
	if err != nil {
		return err
	}
	if p.RequestedBy == b.x.By.Actor() {
		return forbidden("four eyes: a second staff member must approve what %s asked", p.RequestedBy)
	}
	b.add(Event{Kind: ApprovalGranted, Reason: p.Reason, Data: &Data{Request: p.Request, Action: p.Action, Accounts: p.Accounts}})
	b.ban(p.Accounts, p.Reason)
	return nil
}

// Reject turns down an action waiting for approval.
type Reject struct {
	Request int
	Reason  string
}

func (r Reject) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := needReason(r.Reason); err != nil {
		return err
	}
	p, err := b.pending(r.Request)
	if err != nil {
		return err
	}
	if p.RequestedBy == b.x.By.Actor() {
		return forbidden("four eyes: a second staff member must decide what %s asked", p.RequestedBy)
	}
	b.add(Event{Kind: ApprovalRejected, Reason: r.Reason, Data: &Data{Request: p.Request, Action: p.Action, Accounts: p.Accounts}})
	return nil
}

func (b *batch) pending(req int) (Approval, error) {
	for _, p := range b.c.Pending {
		if p.Request == req {
			return p, nil
		}
	}
	return Approval{}, fairmark.Errorf(fairmark.ENOTFOUND, "no request %d waits for approval in case %s", req, b.c.ID)
}

// RemoveRemarks removes the accused's extortion remarks: the sellers'
// scores are restored.
type RemoveRemarks struct {
	Feedback []fairmark.FeedbackID // empty: every remark of the case's victims
	Reason   string
}

func (r RemoveRemarks) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if err := needReason(r.Reason); err != nil {
		return err
	}
	bySeller := map[fairmark.FeedbackID]fairmark.AccountID{}
	var all []fairmark.FeedbackID
	for _, v := range b.c.Victims {
		for _, f := range v.Feedback {
			bySeller[f] = v.Seller
			all = append(all, f)
		}
	}
	want := r.Feedback
	if len(want) == 0 {
		want = all
	}
	var todo []fairmark.FeedbackID
	for _, f := range want {
		if _, ok := bySeller[f]; !ok {
			return invalid("feedback: %s is not a remark of this case", f)
		}
		if !containsFeedback(b.c.Removed, f) && !containsFeedback(todo, f) {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return conflict("no remark left to remove")
	}
	seq := b.add(Event{Kind: RemarksRemoved, Reason: r.Reason, Data: &Data{Feedback: todo}})
	b.moderate(seq, fairmark.ActionRemoveFeedback, nil, todo, r.Reason)
	for _, v := range b.c.Victims {
		var mine []fairmark.FeedbackID
		for _, f := range todo {
			if bySeller[f] == v.Seller {
				mine = append(mine, f)
			}
		}
		if len(mine) > 0 {
			b.notify(seq, NoticeFeedbackRemoved, string(v.Seller), NoticeData{Seller: v.Seller, Feedback: mine, Reason: r.Reason})
		}
	}
	return nil
}

// OweRestitution records money owed to a victim.
type OweRestitution struct {
	Victim fairmark.AccountID
	Amount fairmark.Money
	Reason string
}

func (o OweRestitution) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if b.c.Status == AwaitingAppeal {
		return conflict("case %s is awaiting an appeal", b.c.ID)
	}
	v := b.c.Victim(o.Victim)
	if v == nil {
		return invalid("victim: %s is not a victim of this case", o.Victim)
	}
	if o.Amount.Value <= 0 {
		return invalid("amount.value: must be positive")
	}
	if len(o.Amount.Currency) != 3 || strings.ToUpper(o.Amount.Currency) != o.Amount.Currency {
		return invalid("amount.currency: must be a three-letter ISO 4217 code such as CNY")
	}
	amt := o.Amount
	entry := len(b.c.Restitution) + 1
	seq := b.add(Event{Kind: RestitutionOwed, Reason: o.Reason, Data: &Data{Victim: &Victim{Seller: o.Victim}, Amount: &amt, Entry: entry}})
	b.notify(seq, NoticeRestitutionOwed, string(o.Victim), NoticeData{Seller: o.Victim, Amount: &amt, Entry: entry, Reason: o.Reason})
	return nil
}

// PayRestitution marks a ledger entry paid.
type PayRestitution struct {
	Entry int
	Ref   string
}

func (p PayRestitution) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	for _, r := range b.c.Restitution {
		if r.Entry != p.Entry {
			continue
		}
		if r.Paid {
			return conflict("restitution entry %d is already paid", p.Entry)
		}
		amt := r.Amount
		seq := b.add(Event{Kind: RestitutionPaid, Data: &Data{Entry: p.Entry, Ref: p.Ref, Amount: &amt}})
		b.notify(seq, NoticeRestitutionPaid, string(r.Victim), NoticeData{Seller: r.Victim, Amount: &amt, Entry: p.Entry, Ref: p.Ref})
		return nil
	}
	return fairmark.Errorf(fairmark.ENOTFOUND, "no restitution entry %d in case %s", p.Entry, b.c.ID)
}

// Warn warns the accused without banning it.
type Warn struct{ Reason string }

func (w Warn) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if err := needReason(w.Reason); err != nil {
		return err
	}
	seq := b.add(Event{Kind: Warned, Reason: w.Reason})
	b.notify(seq, NoticeAccountWarned, string(b.c.Accused), NoticeData{Accounts: []fairmark.AccountID{b.c.Accused}, Reason: w.Reason})
	return nil
}

// Dismiss closes the case as not extortion: the accused is cleared (its
// flag lifted and its remarks' holds released), bans of the case lifted and
// removed remarks restored.
type Dismiss struct{ Reason string }

func (d Dismiss) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if err := needReason(d.Reason); err != nil {
		return err
	}
	seq := b.add(Event{Kind: Dismissed, Reason: d.Reason})
	b.undo(seq, d.Reason)
	b.close(NotExtortion, d.Reason)
	return nil
}

// undo clears the accused and the banned accounts and restores removed
// remarks.
func (b *batch) undo(seq int, reason string) {
	accounts := []fairmark.AccountID{b.c.Accused}
	for _, a := range b.c.Banned {
		if a != b.c.Accused {
			accounts = append(accounts, a)
		}
	}
	if len(b.c.Banned) > 0 {
		banned := append([]fairmark.AccountID(nil), b.c.Banned...)
		s := b.add(Event{Kind: Unbanned, Reason: reason, Data: &Data{Accounts: banned}})
		for _, a := range banned {
			b.notify(s, NoticeAccountUnbanned, string(a), NoticeData{Accounts: []fairmark.AccountID{a}, Reason: reason})
		}
	}
	if len(b.c.Removed) > 0 {
		removed := append([]fairmark.FeedbackID(nil), b.c.Removed...)
		s := b.add(Event{Kind: RemarksRestored, Reason: reason, Data: &Data{Feedback: removed}})
		b.moderate(s, fairmark.ActionRestoreFeedback, nil, removed, reason)
		b.notify(s, NoticeFeedbackRestored, string(b.c.Accused), NoticeData{Feedback: removed, Reason: reason})
	}
	b.moderate(seq, fairmark.ActionClear, accounts, nil, reason)
	b.notify(seq, NoticeAccountCleared, string(b.c.Accused), NoticeData{Accounts: accounts, Reason: reason})
}

// Close closes the case with an outcome. Closing as extortion confirmed
// sends every victim a notice of what was done for them; closing as not
// extortion is Dismiss.
type Close struct {
	Outcome Outcome
	Reason  string
}

func (c Close) decide(b *batch) error {
	if c.Outcome == NotExtortion {
		return Dismiss{Reason: c.Reason}.decide(b)
	}
	if err := b.staff(); err != nil {
		return err
	}
	if err := b.open(); err != nil {
		return err
	}
	if !c.Outcome.Known() {
		return invalid("outcome: must be extortion_confirmed, not_extortion or insufficient_evidence")
	}
	if err := needReason(c.Reason); err != nil {
		return err
	}
	if len(b.c.Pending) > 0 {
		return conflict("case %s has %d action(s) waiting for approval", b.c.ID, len(b.c.Pending))
	}
	b.close(c.Outcome, c.Reason)
	return nil
}

func (b *batch) close(o Outcome, reason string) {
	seq := b.add(Event{Kind: CaseClosed, Field: "outcome", Prev: string(b.c.Outcome), New: string(o), Reason: reason})
	b.notify(seq, NoticeCaseClosed, string(b.c.Accused), NoticeData{Outcome: o, Reason: reason})
	if o != ExtortionConfirmed {
		return
	}
	n := b.add(Event{Kind: VictimsNotified, Data: &Data{Text: fmt.Sprintf("%d victim(s)", len(b.c.Victims))}})
	for _, v := range b.c.Victims {
		sh, _ := b.c.ShareOf(v.Seller)
		var owed []fairmark.Money
		for _, r := range sh.Restitution {
			owed = addMoney(owed, r.Amount)
		}
		d := NoticeData{Seller: v.Seller, Outcome: o, Feedback: sh.Removed}
		d.Text, d.TextZH = victimText(b.c, sh.Removed, owed)
		b.notify(n, NoticeVictim, string(v.Seller), d)
	}
}

func victimText(c *Case, removed []fairmark.FeedbackID, owed []fairmark.Money) (en, zh string) {
	en = fmt.Sprintf("Case %s: the marketplace confirmed that buyer %s extorted sellers.", c.ID, c.Accused)
	zh = fmt.Sprintf("案件 %s：平台确认买家 %s 对卖家进行了敲诈。", c.ID, c.Accused)
	if len(c.Banned) > 0 {
		en += fmt.Sprintf(" Banned: %s.", joinIDs(c.Banned))
		zh += fmt.Sprintf("已封禁：%s。", joinIDs(c.Banned))
	}
	if len(removed) > 0 {
		en += fmt.Sprintf(" The remark(s) %s no longer count in your score.", joinIDs(removed))
		zh += fmt.Sprintf("差评 %s 已不再计入你的评分。", joinIDs(removed))
	}
	for _, m := range owed {
		en += fmt.Sprintf(" You are owed %s.", m)
		zh += fmt.Sprintf("应退还你 %s。", m)
	}
	return en, zh
}

func joinIDs[T ~string](ids []T) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

// FileAppeal records the accused's appeal (relayed by the marketplace or
// entered by staff). An accused can appeal once, against a case closed as
// extortion confirmed.
type FileAppeal struct{ Text string }

func (a FileAppeal) decide(b *batch) error {
	if r := b.x.By.Role; r != fairmark.RoleOperator && !r.Staff() {
		return forbidden("appeals are relayed by the marketplace or entered by staff")
	}
	if b.c.Appeal != nil {
		return conflict("the accused already appealed case %s", b.c.ID)
	}
	if b.c.Status != Closed || b.c.Outcome != ExtortionConfirmed {
		return conflict("only a case closed as extortion confirmed can be appealed")
	}
	if strings.TrimSpace(a.Text) == "" {
		return invalid("text: required")
	}
	b.add(Event{Kind: Appealed, Field: "status", Prev: string(b.c.Status), New: string(AwaitingAppeal), Data: &Data{Text: a.Text}})
	return nil
}

// DecideAppeal decides the appeal; the reviewer must have taken no
// decision on the case before. Granting it lifts the bans, restores the
// removed remarks, clears the accused and changes the outcome to not
// extortion.
type DecideAppeal struct {
	Grant  bool
	Reason string
}

func (d DecideAppeal) decide(b *batch) error {
	if err := b.staff(); err != nil {
		return err
	}
	if b.c.Status != AwaitingAppeal || b.c.Appeal == nil {
		return conflict("case %s has no appeal waiting", b.c.ID)
	}
	if containsString(b.c.Deciders, b.x.By.Actor()) {
		return forbidden("a reviewer who took no decision on case %s must decide the appeal", b.c.ID)
	}
	if err := needReason(d.Reason); err != nil {
		return err
	}
	seq := b.add(Event{Kind: AppealDecided, Reason: d.Reason, Data: &Data{Granted: d.Grant}})
	if !d.Grant {
		return nil
	}
	b.undo(seq, "appeal granted: "+d.Reason)
	b.add(Event{Kind: OutcomeChanged, Field: "outcome", Prev: string(b.c.Outcome), New: string(NotExtortion), Reason: d.Reason})
	b.notify(seq, NoticeCaseClosed, string(b.c.Accused), NoticeData{Outcome: NotExtortion, Reason: "appeal granted: " + d.Reason})
	return nil
}

// All runs several commands as one decision: all of them or none.
type All []Command

func (a All) decide(b *batch) error {
	for _, c := range a {
		if err := c.decide(b); err != nil {
			return err
		}
	}
	return nil
}
