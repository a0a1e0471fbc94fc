package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/webhook"
)

// A trigger is something that opens or feeds a case: a report filed, or
// the engine flagging an account. Each is acted on once (its key is kept).
type trigger struct {
	key     string
	accused fairmark.AccountID
	report  *fairmark.Report
	at      time.Time
	reason  string
}

func reportTrigger(e *fairmark.Event) trigger {
	return trigger{key: "report:" + string(e.Report.ID), accused: e.Report.Accused, report: e.Report, at: e.At, reason: "report " + string(e.Report.ID) + " (" + string(e.Report.Kind) + ")"}
}

// CleanHistory is the default test for "a long clean history" (four
// eyes): an account open for at least 180 days, with at least 10 orders,
// whose every negative remark is from the last 30 days.
func CleanHistory(h engine.HistoryView) bool {
	return h.Now.Sub(h.Opened) >= 180*24*time.Hour && h.Orders >= 10 && h.Negatives == h.RecentNegatives
}

func (s *Service) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now().UTC()
	}
	return time.Now().UTC()
}

// caseTriggers opens cases for new triggers or joins them to the accused's
// case. Errors are logged, not returned: the events are already durable,
// and the next start catches up (catchUpCases).
func (s *Service) caseTriggers(ctx context.Context, ts []trigger) {
	ts = s.ownedTriggers(ts) // with a Cluster, each accused's partition holder acts
	if len(ts) == 0 || s.opt.NoCases {
		return
	}
	s.caseMu.Lock()
	defer s.caseMu.Unlock()
	for _, t := range ts {
		if err := s.triggerLocked(ctx, t); err != nil {
			s.opt.Logger.Error("case trigger", "trigger", t.key, "err", err)
		}
	}
}

func (s *Service) triggerLocked(ctx context.Context, t trigger) error {
	seen, err := s.db.HasTrigger(ctx, t.key)
	if err != nil || seen {
		return err
	}
	victims, _ := s.victims(t.accused)
	c, err := s.db.ActiveCase(ctx, t.accused)
	if err != nil {
		return err
	}
	x := cases.Ctx{Now: s.now(), By: cases.System}
	var cmd cases.Command
	if c == nil {
		src := cases.FromFlag
		if t.report != nil {
			src = cases.FromReport
		}
		open := cases.OpenCase{ID: s.newCaseID(t), Accused: t.accused, Source: src, Victims: victims, Reason: t.reason}
		if t.report != nil {
			open.Report = t.report.ID
			open.Victims = mergeReporter(victims, t.report, t.at)
		}
		cmd = open
	} else if t.report != nil {
		cmd = joinReport(c, t.report, t.at, victims)
	} else {
		cmd = cases.AddVictims{Victims: victims}
	}
	_, err = s.decide(ctx, c, cmd, x, []string{t.key})
	return err
}

func (s *Service) newCaseID(t trigger) fairmark.CaseID {
	return fairmark.CaseID(fmt.Sprintf("C-%s-%s", t.at.UTC().Format("20060102"), sanitize(t.key)))
}

// mergeReporter adds the reporter (and what it paid) to the victims.
func mergeReporter(vs []cases.Victim, r *fairmark.Report, at time.Time) []cases.Victim {
	out := append([]cases.Victim(nil), vs...)
	v := cases.Victim{Seller: r.Reporter, Reports: []fairmark.ReportID{r.ID}, Since: at}
	if r.Feedback != "" {
		v.Feedback = []fairmark.FeedbackID{r.Feedback}
	}
	if r.Paid != nil && r.Paid.Value > 0 {
		v.Paid = []fairmark.Money{*r.Paid}
	}
	for i := range out {
		if out[i].Seller == r.Reporter {
			out[i].Reports = append(out[i].Reports, r.ID)
			out[i].Paid = append(out[i].Paid, v.Paid...)
			if r.Feedback != "" && !containsFB(out[i].Feedback, r.Feedback) {
				out[i].Feedback = append(out[i].Feedback, r.Feedback)
			}
			return out
		}
	}
	return append(out, v)
}

// joinReport is the command that adds a report to an open case, with its
// reporter as a victim and any new victims the engine now knows.
func joinReport(c *cases.Case, r *fairmark.Report, at time.Time, victims []cases.Victim) cases.Command {
	var v cases.Victim
	for _, x := range mergeReporter(victims, r, at) {
		if x.Seller == r.Reporter {
			v = x
		}
	}
	return cases.All{cases.JoinReport{Report: r.ID, Victim: v}, cases.AddVictims{Victims: victims}}
}

func containsFB(xs []fairmark.FeedbackID, x fairmark.FeedbackID) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// victims returns the sellers the accused and its linked accounts left
// negative remarks to, and the linked accounts.
func (s *Service) victims(accused fairmark.AccountID) ([]cases.Victim, []engine.LinkedView) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	linked := s.en.Linked(accused)
	ids := []fairmark.AccountID{accused}
	for _, l := range linked {
		ids = append(ids, l.ID)
	}
	var out []cases.Victim
	idx := map[fairmark.AccountID]int{}
	for _, id := range ids {
		for _, r := range s.en.Remarks(id) {
			i, ok := idx[r.Seller]
			if !ok {
				i = len(out)
				idx[r.Seller] = i
				out = append(out, cases.Victim{Seller: r.Seller, Since: r.Left})
			}
			out[i].New = out[i].New || r.SellerNew
			out[i].Feedback = append(out[i].Feedback, r.ID)
			if r.Left.Before(out[i].Since) {
				out[i].Since = r.Left
			}
		}
	}
	return out, linked
}

// decide decides cmd and carries it out: the case write (with its
// webhooks and the moderation events it asks for) in one transaction, then
// the moderation events into the event log and the case events into the
// evidence log. caseMu is held.
func (s *Service) decide(ctx context.Context, c *cases.Case, cmd cases.Command, x cases.Ctx, triggers []string) (*cases.Case, error) {
	next, evs, fx, err := cases.Decide(c, cmd, x)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return next, nil
	}
	prev := 0
	if c != nil {
		prev = c.Seq
	}
	w := store.CaseWrite{Case: next, Prev: prev, Events: evs, Triggers: triggers, Actions: map[fairmark.EventID][]byte{}}
	var ins []store.Incoming
	for i := range fx.Moderation {
		e := fx.Moderation[i]
		raw, err := event.Encode(&e)
		if err != nil {
			return nil, err
		}
		w.Actions[e.ID] = raw
		ins = append(ins, store.Incoming{Event: &e, Raw: raw})
	}
	if len(s.opt.Webhooks) > 0 && len(fx.Notices) > 0 {
		msgs := make([]webhook.Message, 0, len(fx.Notices))
		for _, n := range fx.Notices {
			body, err := json.Marshal(n.Data)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, webhook.Message{ID: sanitize(n.ID), Type: string(n.Type), Payload: body, CreatedAt: x.Now})
		}
		w.Webhooks = webhook.Route(s.opt.Webhooks, msgs)
	}
	if err := s.db.SaveCase(ctx, w); err != nil {
		return nil, err
	}
	if len(ins) > 0 {
		// Not IngestValid: caseMu is held, and what these actions flag
		// (banned accounts) needs no case of its own.
		if _, _, _, err := s.ingest(ctx, ins); err != nil {
			return nil, fmt.Errorf("case %s saved, but its moderation actions are not yet applied (they will be at the next start): %w", next.ID, err)
		}
	}
	if err := s.logCaseEvents(ctx, next, evs); err != nil {
		return nil, err
	}
	return next, nil
}

// logCaseEvents appends case events to the evidence log, scoped to the case
// and the accounts concerned.
func (s *Service) logCaseEvents(ctx context.Context, c *cases.Case, evs []cases.Event) error {
	if s.log == nil || len(evs) == 0 {
		return nil
	}
	recs := make([]evidence.Record, 0, len(evs))
	for _, e := range evs {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		scopes := []evidence.Scope{{Type: evidence.ScopeCase, ID: string(e.Case)}, {Type: evidence.ScopeAccount, ID: string(c.Accused)}}
		recs = append(recs, evidence.Record{Kind: "case_event", Ref: fmt.Sprintf("%s/%d", e.Case, e.Seq), Scopes: scopes, At: e.At, Content: body})
	}
	if s.caseEvidence != nil {
		*s.caseEvidence = append(*s.caseEvidence, recs...)
		return nil
	}
	if _, err := s.log.AppendOnce(ctx, recs...); err != nil {
		return fmt.Errorf("evidence log: %w", err)
	}
	return nil
}

// sanitize keeps an id to the characters webhook ids and case ids allow.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// catchUpCases runs at start: moderation actions a crash kept out of the
// event log, case events missing from the evidence log, reports no case took
// in and flagged accounts with no case.
func (s *Service) catchUpCases(ctx context.Context) error {
	raws, err := s.db.PendingCaseActions(ctx)
	if err != nil {
		return err
	}
	if len(raws) > 0 {
		var ins []store.Incoming
		for _, raw := range raws {
			e, err := event.Decode(raw)
			if err != nil {
				return fmt.Errorf("stored case action does not decode: %w", err)
			}
			ins = append(ins, store.Incoming{Event: e, Raw: raw})
		}
		if _, _, _, err := s.ingest(ctx, ins); err != nil {
			return err
		}
	}
	if s.log == nil {
		return s.catchUpTriggers(ctx)
	}
	if err := s.catchUpCaseEvidence(ctx); err != nil {
		return err
	}
	// The case events of the triggers caught up (a whole import's) go to
	// the evidence log in one append, in the order they were decided,
	// instead of one append per decision. If it fails, the cases are
	// stored and the next start logs their events (catchUpCaseEvidence).
	var recs []evidence.Record
	s.caseMu.Lock()
	s.caseEvidence = &recs
	s.caseMu.Unlock()
	err = s.catchUpTriggers(ctx)
	s.caseMu.Lock()
	s.caseEvidence = nil
	s.caseMu.Unlock()
	if len(recs) > 0 {
		if _, aerr := s.log.AppendOnce(ctx, recs...); aerr != nil {
			s.opt.Logger.Error("case events to the evidence log; the next start logs them", "records", len(recs), "err", aerr)
		}
	}
	return err
}

// catchUpTriggers acts on the reports and flags nobody acted on (a crash
// came first, or the worker holding the accused's partition died).
func (s *Service) catchUpTriggers(ctx context.Context) error {
	if s.opt.NoCases {
		return nil
	}
	ids, err := s.db.UntriggeredReports(ctx)
	if err != nil {
		return err
	}
	var ts []trigger
	for _, id := range ids {
		raw, err := s.db.EventByID(ctx, id)
		if err != nil {
			return err
		}
		e, err := event.Decode(raw)
		if err != nil {
			return err
		}
		ts = append(ts, reportTrigger(e))
	}
	s.caseTriggers(ctx, ts)
	s.caseTriggers(ctx, s.flagTriggers())
	return nil
}

func (s *Service) catchUpCaseEvidence(ctx context.Context) error {
	keys, err := s.db.CaseEventKeys(ctx)
	if err != nil || len(keys) == 0 {
		return err
	}
	recs, err := s.db.Evidence().RecordsByKind(ctx, "case_event")
	if err != nil {
		return err
	}
	for _, r := range recs {
		delete(keys, r.Ref)
	}
	byCase := map[fairmark.CaseID]bool{}
	for k := range keys {
		byCase[fairmark.CaseID(k[:strings.LastIndexByte(k, '/')])] = true
	}
	for id := range byCase {
		c, err := s.db.Case(ctx, id)
		if err != nil {
			return err
		}
		evs, err := s.db.CaseEvents(ctx, id)
		if err != nil {
			return err
		}
		var missing []cases.Event
		for _, e := range evs {
			if keys[fmt.Sprintf("%s/%d", e.Case, e.Seq)] {
				missing = append(missing, e)
			}
		}
		if err := s.logCaseEvents(ctx, c, missing); err != nil {
			return err
		}
	}
	return nil
}

// flagTriggersLocked returns a trigger for every account flagged since it
// last ran that is still flagged.
func (s *Service) flagTriggersLocked() []trigger {
	ids := s.flagged
	s.flagged = nil
	return s.flagTriggersFor(ids)
}

func (s *Service) flagTriggersFor(ids []fairmark.AccountID) []trigger {
	var out []trigger
	seen := map[fairmark.AccountID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		v, ok := s.en.Account(id)
		if !ok || !v.Flagged || v.Banned || v.Role == fairmark.Seller {
			continue
		}
		out = append(out, flagTrigger(v))
	}
	return out
}

// flagTriggers returns a trigger for every flagged account (acted on once
// per account and flag time).
func (s *Service) flagTriggers() []trigger {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flagged = nil
	var out []trigger
	for _, id := range s.en.Flagged() {
		v, _ := s.en.Account(id)
		if v.Role == fairmark.Seller {
			continue
		}
		out = append(out, flagTrigger(v))
	}
	return out
}

func flagTrigger(v engine.AccountView) trigger {
	at := time.Time{}
	if v.FirstFlaggedAt != nil {
		at = *v.FirstFlaggedAt
	}
	why := "flagged by fairmark"
	if len(v.Reasons) > 0 {
		why += ": " + v.Reasons[0]
	}
	return trigger{key: "flag:" + string(v.ID) + ":" + at.UTC().Format(time.RFC3339Nano), accused: v.ID, at: at, reason: why}
}

// Cases returns the cases f selects, oldest first.
func (s *Service) Cases(ctx context.Context, f store.CaseFilter) ([]*cases.Case, error) {
	return s.db.Cases(ctx, f)
}

// Case returns a case; ENOTFOUND if there is none.
func (s *Service) Case(ctx context.Context, id fairmark.CaseID) (*cases.Case, error) {
	return s.db.Case(ctx, id)
}

// CaseEvents returns a case's events, the audit trail; ENOTFOUND if there
// is no such case.
func (s *Service) CaseEvents(ctx context.Context, id fairmark.CaseID) ([]cases.Event, error) {
	if _, err := s.db.Case(ctx, id); err != nil {
		return nil, err
	}
	return s.db.CaseEvents(ctx, id)
}

// Queue returns the triage queue: the cases f selects (open ones when f
// names no status), ranked.
func (s *Service) Queue(ctx context.Context, f store.CaseFilter) ([]cases.Ranked, error) {
	if len(f.Statuses) == 0 {
		f.Statuses = []cases.Status{cases.Open, cases.Investigating, cases.AwaitingAppeal}
	}
	cs, err := s.db.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	risk := func(id fairmark.AccountID) float64 {
		v, _ := s.en.Account(id)
		return v.Risk
	}
	return cases.Queue(cs, risk, s.now()), nil
}

// OpenCase opens a case on staff's own initiative, or returns the accused's
// open case.
func (s *Service) OpenCase(ctx context.Context, by fairmark.Principal, accused fairmark.AccountID, reason string) (*cases.Case, error) {
	if !by.Role.Staff() && by.Role != fairmark.RoleOperator {
		return nil, fairmark.Errorf(fairmark.EFORBIDDEN, "only staff or the marketplace open cases")
	}
	if accused == "" {
		return nil, fairmark.Errorf(fairmark.EINVALID, "accused: required")
	}
	if _, err := s.Account(accused); err != nil {
		return nil, err
	}
	s.caseMu.Lock()
	defer s.caseMu.Unlock()
	if c, err := s.db.ActiveCase(ctx, accused); err != nil || c != nil {
		return c, err
	}
	victims, _ := s.victims(accused)
	now := s.now()
	cmd := cases.OpenCase{ID: fairmark.CaseID(fmt.Sprintf("C-%s-%s-%d", now.Format("20060102"), sanitize(string(accused)), now.UnixNano()%1e6)),
		Accused: accused, Source: cases.FromStaff, Victims: victims, Reason: reason}
	return s.decide(ctx, nil, cmd, cases.Ctx{Now: now, By: by}, nil)
}

// Act carries out a command on a case as by: the victims are brought up to
// date first, then the decision is checked, stored with its webhooks, its
// moderation actions applied and its events logged as evidence.
func (s *Service) Act(ctx context.Context, id fairmark.CaseID, by fairmark.Principal, cmd cases.Command) (*cases.Case, error) {
	s.caseMu.Lock()
	defer s.caseMu.Unlock()
	c, err := s.db.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	victims, linked := s.victims(c.Accused)
	if !c.Closed() {
		if next, err := s.decide(ctx, c, cases.AddVictims{Victims: victims}, cases.Ctx{Now: s.now(), By: cases.System}, nil); err != nil {
			return nil, err
		} else if next != nil {
			c = next
		}
	}
	x := cases.Ctx{Now: s.now(), By: by}
	for _, l := range linked {
		x.Linked = append(x.Linked, l.ID)
	}
	x.CleanHistory = func(a fairmark.AccountID) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		h, ok := s.en.History(a)
		return ok && s.cleanHistory(h)
	}
	return s.decide(ctx, c, cmd, x, nil)
}

func (s *Service) cleanHistory(h engine.HistoryView) bool {
	if s.opt.CleanHistory != nil {
		return s.opt.CleanHistory(h)
	}
	return CleanHistory(h)
}

// Dossier gathers what a reviewer needs to decide a case.
func (s *Service) Dossier(ctx context.Context, id fairmark.CaseID) (*cases.Dossier, error) {
	c, err := s.db.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	evs, err := s.db.CaseEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &cases.Dossier{Case: c, Events: evs}
	linked := Snapshot(s, func(en *engine.Engine) []engine.LinkedView { return en.Linked(c.Accused) })
	accounts := []fairmark.AccountID{c.Accused}
	for _, l := range linked {
		accounts = append(accounts, l.ID)
	}
	remarks := map[fairmark.AccountID][]cases.Remark{}
	func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.settleLocked()
		party := func(a fairmark.AccountID) cases.Party {
			v, _ := s.en.Account(a)
			h, _ := s.en.History(a)
			return cases.Party{ID: a, Risk: v.Risk, Flagged: v.Flagged, Banned: v.Banned, Reasons: v.Reasons, OpenedAt: h.Opened}
		}
		d.Accused = party(c.Accused)
		for _, l := range linked {
			p := party(l.ID)
			p.Via = l.Via
			d.Linked = append(d.Linked, p)
		}
		d.Priority, d.Why = cases.Priority(c, d.Accused.Risk, s.now())
		for _, a := range accounts {
			for _, r := range s.en.Remarks(a) {
				remarks[r.Seller] = append(remarks[r.Seller], cases.Remark{ID: r.ID, Order: r.Order, Seller: r.Seller, Rating: r.Rating, First: r.First,
					Left: r.Left, Amount: r.Amount, Digital: r.Digital, Minutes: r.Minutes, Held: r.Held, Withdrawn: r.Withdrawn, Removed: r.Removed, HoldWhy: r.Reason})
			}
		}
		for _, v := range c.Victims {
			vd := cases.VictimDetail{Victim: v, Remarks: remarks[v.Seller], Reported: len(v.Reports) > 0}
			if rep, ok := s.en.Reputation(v.Seller); ok {
				vd.Ratings = rep.Ratings
			}
			if h, ok := s.en.History(v.Seller); ok && !v.Since.IsZero() {
				vd.AgeDays = float64(int(v.Since.Sub(h.Opened).Hours()/24*10)) / 10
			}
			d.Victims = append(d.Victims, vd)
		}
	}()
	texts := map[fairmark.FeedbackID]string{}
	for _, a := range accounts {
		rows, err := s.db.Timeline(ctx, a, 500)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			m := cases.Moment{At: r.At, Kind: cases.MomentKind(r.Kind), Account: r.Account, Seller: r.Other, Order: r.Order, Feedback: r.Feedback, Message: r.Message, Text: r.Text}
			switch r.Kind {
			case "order":
				m.Text = fmt.Sprintf("bought %q for %s", r.Title, r.Amount)
				if r.Digital {
					m.Text += " (digital)"
				}
			case "delivered":
				m.Text = "delivered"
			case "feedback":
				texts[r.Feedback] = r.Text
				m.Text = fmt.Sprintf("%s remark: %s", r.Rating, r.Text)
				m.Detections = s.detections(r.Text)
			case "withdrawn":
				m.Text = "remark withdrawn"
			case "message":
				m.Detections = s.detections(r.Text)
			case "report":
				m.Text = fmt.Sprintf("report %s by %s: %s", r.Title, r.Other, r.Text)
			}
			d.Timeline = append(d.Timeline, m)
		}
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	for i := range d.Victims {
		for j := range d.Victims[i].Remarks {
			d.Victims[i].Remarks[j].Text = texts[d.Victims[i].Remarks[j].ID]
		}
	}
	closed, err := s.db.Cases(ctx, store.CaseFilter{Statuses: []cases.Status{cases.Closed}, Limit: 2000})
	if err != nil {
		return nil, err
	}
	d.Similar = cases.SimilarTo(c, accounts[1:], closed, 5)
	if s.log != nil {
		recs, err := s.db.Evidence().Records(ctx, evidence.Scope{Type: evidence.ScopeCase, ID: string(id)})
		if err != nil {
			return nil, err
		}
		d.Evidence = len(recs)
	}
	if d.Linked == nil {
		d.Linked = []cases.Party{}
	}
	if d.Timeline == nil {
		d.Timeline = []cases.Moment{}
	}
	if d.Similar == nil {
		d.Similar = []cases.Similar{}
	}
	return d, nil
}

// detections names what the detectors find in a text.
func (s *Service) detections(text string) []string {
	if s.opt.Config.Detect == nil || text == "" {
		return nil
	}
	t := s.opt.Config.Detect(text)
	var out []string
	for _, c := range t.Contacts {
		out = append(out, "off-platform contact: "+c.Kind+" "+c.Value)
	}
	if t.Intent.Flag {
		why := "extortion intent"
		if len(t.Intent.Reasons) > 0 {
			why += ": " + strings.Join(t.Intent.Reasons, "; ")
		}
		out = append(out, fmt.Sprintf("%s (%.2f)", why, t.Intent.Probability))
	}
	return out
}
