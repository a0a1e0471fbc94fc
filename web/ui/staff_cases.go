package ui

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
)

// queuePage is the view model of the staff triage queue.
type queuePage struct {
	Page
	// Status is the status filter ("" for the open ones, "all" for every
	// status), Statuses the choices.
	Status   string
	Statuses []string
	Rows     []queueRow
}

// queueRow is one case of the queue.
type queueRow struct {
	ID         fairmark.CaseID
	Priority   float64
	Why        []string
	Accused    fairmark.AccountID
	Victims    int
	NewSellers int
	Paid       string
	AgeDays    string
	Status     string
	StatusKey  string
	Assignee   string
	Snoozed    bool
}

var caseStatuses = []cases.Status{cases.Open, cases.Investigating, cases.AwaitingAppeal, cases.Closed}

// queue shows the ranked triage queue, filtered by ?status=.
func (u *UI) queue(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := queuePage{Page: u.page(r, rq, rq.T("queue.title"), "cases"), Status: r.URL.Query().Get("status")}
	v.Statuses = []string{""}
	for _, s := range caseStatuses {
		v.Statuses = append(v.Statuses, string(s))
	}
	v.Statuses = append(v.Statuses, "all")
	var f store.CaseFilter
	switch {
	case v.Status == "":
	case v.Status == "all":
		f.Statuses = caseStatuses
	default:
		ok := false
		for _, s := range caseStatuses {
			if string(s) == v.Status {
				ok = true
			}
		}
		if !ok {
			return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("queue.err.status"))
		}
		f.Statuses = []cases.Status{cases.Status(v.Status)}
	}
	ranked, err := u.svc.Queue(r.Context(), f)
	if err != nil {
		return err
	}
	now := u.now()
	for _, rk := range ranked {
		c := rk.Case
		row := queueRow{ID: c.ID, Priority: rk.Priority, Why: rk.Why, Accused: c.Accused, Victims: len(c.Victims),
			Paid: moneyText(c.PaidTotal()), Status: v.TOr("case.status."+string(c.Status), string(c.Status)), StatusKey: string(c.Status),
			Assignee: c.Assignee, Snoozed: rk.Snoozed}
		for _, vi := range c.Victims {
			if vi.New {
				row.NewSellers++
			}
		}
		row.AgeDays = fmt.Sprintf("%.1f", math.Max(0, now.Sub(c.OpenedAt).Hours()/24))
		v.Rows = append(v.Rows, row)
	}
	return u.render(w, http.StatusOK, "queue", "", v)
}

func moneyText(ms []fairmark.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " + ")
}

// dossierPage is the view model of one case for staff.
type dossierPage struct {
	Page
	D         *cases.Dossier
	C         *cases.Case
	Status    string
	Outcome   string
	Graph     graph
	Audit     []auditRow
	Timeline  []momentRow
	Ledger    []ledgerRow
	Linked    []fairmark.AccountID
	Outcomes  []string
	Error     string
	Action    string // the action whose form failed, to reopen it
	Form      map[string]string
	ErrStatus int
	now       time.Time
}

type auditRow struct {
	Seq                     int
	At, Actor, Kind, Change string
	Reason, Detail          string
}

type momentRow struct {
	At, Kind, KindKey string
	Account, Seller   fairmark.AccountID
	Ref, Text         string
	Detections        []string
}

type ledgerRow struct {
	cases.Restitution
	Amount, OwedAt, PaidAt string
}

// caseDossier shows a case's dossier with its action forms.
func (u *UI) caseDossier(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := u.dossierView(r, rq)
	if err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "case", "", v)
}

func (u *UI) dossierView(r *http.Request, rq *request) (*dossierPage, error) {
	id := fairmark.CaseID(r.PathValue("id"))
	d, err := u.svc.Dossier(r.Context(), id)
	if err != nil {
		if fairmark.ErrorCode(err) == fairmark.ENOTFOUND {
			return nil, fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("err.notfound"))
		}
		return nil, err
	}
	c := d.Case
	v := &dossierPage{Page: u.page(r, rq, rq.T("case.title", c.ID), "cases"), D: d, C: c, now: u.now()}
	v.Status = v.TOr("case.status."+string(c.Status), string(c.Status))
	if c.Outcome != "" {
		v.Outcome = v.TOr("case.outcome."+string(c.Outcome), string(c.Outcome))
	}
	v.Outcomes = []string{string(cases.ExtortionConfirmed), string(cases.NotExtortion), string(cases.InsufficientEvidence)}
	for _, l := range d.Linked {
		v.Linked = append(v.Linked, l.ID)
	}
	for _, e := range d.Events {
		a := auditRow{Seq: e.Seq, At: v.Time(e.At), Actor: e.Actor, Kind: v.TOr("case.event."+string(e.Kind), string(e.Kind)), Reason: e.Reason}
		if e.Field != "" {
			a.Change = e.Field + ": " + orDash(e.Prev) + " → " + orDash(e.New)
		}
		a.Detail = eventDetail(e)
		v.Audit = append(v.Audit, a)
	}
	for _, m := range d.Timeline {
		row := momentRow{At: v.Time(m.At), Kind: v.TOr("case.moment."+string(m.Kind), string(m.Kind)), KindKey: string(m.Kind),
			Account: m.Account, Seller: m.Seller, Text: m.Text, Detections: m.Detections}
		switch {
		case m.Feedback != "":
			row.Ref = string(m.Feedback)
		case m.Message != "":
			row.Ref = string(m.Message)
		case m.Order != "":
			row.Ref = string(m.Order)
		}
		v.Timeline = append(v.Timeline, row)
	}
	for _, re := range c.Restitution {
		lr := ledgerRow{Restitution: re, Amount: re.Amount.String(), OwedAt: v.Time(re.OwedAt)}
		if re.Paid {
			lr.PaidAt = v.Time(re.PaidAt)
		}
		v.Ledger = append(v.Ledger, lr)
	}
	v.Graph = caseGraph(d)
	return v, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// eventDetail sums up what a case event is about.
func eventDetail(e cases.Event) string {
	if e.Data == nil {
		return ""
	}
	var parts []string
	d := e.Data
	if d.Victim != nil {
		parts = append(parts, string(d.Victim.Seller))
	}
	if d.Report != "" {
		parts = append(parts, string(d.Report))
	}
	for _, a := range d.Accounts {
		parts = append(parts, string(a))
	}
	if len(d.Feedback) > 0 {
		parts = append(parts, fmt.Sprintf("%d remark(s)", len(d.Feedback)))
	}
	if d.Amount != nil {
		parts = append(parts, d.Amount.String())
	}
	if d.Entry != 0 {
		parts = append(parts, "#"+strconv.Itoa(d.Entry))
	}
	if d.Request != 0 {
		parts = append(parts, "req "+strconv.Itoa(d.Request))
	}
	if d.Action != "" {
		parts = append(parts, string(d.Action))
	}
	if d.Ref != "" {
		parts = append(parts, d.Ref)
	}
	if d.Text != "" {
		parts = append(parts, d.Text)
	}
	return strings.Join(parts, " · ")
}

// graph is the SVG picture of a case: linked accounts left, the accused in
// the middle, victims right.
type graph struct {
	W, H  int
	Nodes []gnode
	Edges []gedge
}

type gnode struct {
	X, Y  int
	Label string
	Class string // accused, linked, victim, victim new, banned
	Title string
}

type gedge struct {
	X1, Y1, X2, Y2 int
	LX, LY         int
	Label          string
	Class          string
}

func caseGraph(d *cases.Dossier) graph {
	const w, rowH, top = 760, 56, 40
	n := max(len(d.Linked), len(d.Victims), 1)
	g := graph{W: w, H: top*2 + (n-1)*rowH + 20}
	mid := g.H / 2
	col := func(i, count int) int { return mid - (count-1)*rowH/2 + i*rowH }
	ax, lx, vx := w/2, 110, w-130
	pos := map[fairmark.AccountID][2]int{d.Accused.ID: {ax, mid}}
	for i, l := range d.Linked {
		y := col(i, len(d.Linked))
		pos[l.ID] = [2]int{lx, y}
		g.Edges = append(g.Edges, gedge{X1: ax, Y1: mid, X2: lx, Y2: y, LX: (ax + lx) / 2, LY: (mid+y)/2 - 4, Label: strings.Join(l.Via, ", "), Class: "link"})
	}
	// Which account left remarks to which seller, from the timeline.
	by := map[fairmark.FeedbackID]fairmark.AccountID{}
	for _, m := range d.Timeline {
		if m.Kind == cases.MomentRemark && m.Feedback != "" {
			by[m.Feedback] = m.Account
		}
	}
	for i, vd := range d.Victims {
		y := col(i, len(d.Victims))
		from := map[fairmark.AccountID]bool{}
		for _, rm := range vd.Remarks {
			if a, ok := by[rm.ID]; ok {
				from[a] = true
			}
		}
		if len(from) == 0 {
			from[d.Accused.ID] = true
		}
		srcs := make([]fairmark.AccountID, 0, len(from))
		for a := range from {
			srcs = append(srcs, a)
		}
		sort.Slice(srcs, func(i, j int) bool { return srcs[i] < srcs[j] })
		for _, a := range srcs {
			p, ok := pos[a]
			if !ok {
				p = pos[d.Accused.ID]
			}
			cls := "hurt"
			if vd.New {
				cls = "hurt new"
			}
			g.Edges = append(g.Edges, gedge{X1: p[0], Y1: p[1], X2: vx, Y2: y, Class: cls})
		}
		cls := "victim"
		if vd.New {
			cls = "victim new"
		}
		g.Nodes = append(g.Nodes, gnode{X: vx, Y: y, Label: string(vd.Seller), Class: cls,
			Title: fmt.Sprintf("%s: %d remark(s)", vd.Seller, len(vd.Remarks))})
	}
	for _, l := range d.Linked {
		p := pos[l.ID]
		cls := "linked"
		if l.Banned {
			cls += " banned"
		}
		g.Nodes = append(g.Nodes, gnode{X: p[0], Y: p[1], Label: string(l.ID), Class: cls, Title: fmt.Sprintf("%s risk %.2f", l.ID, l.Risk)})
	}
	cls := "accused"
	if d.Accused.Banned {
		cls += " banned"
	}
	g.Nodes = append(g.Nodes, gnode{X: ax, Y: mid, Label: string(d.Accused.ID), Class: cls, Title: fmt.Sprintf("%s risk %.2f", d.Accused.ID, d.Accused.Risk)})
	return g
}

// destructive actions need the "I confirm" box ticked.
var destructive = map[string]bool{"ban": true, "remove_remarks": true, "dismiss": true, "close": true}

// caseAction carries out one action form of the dossier. A refused action
// shows the dossier again with the message; success returns to it.
func (u *UI) caseAction(w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := r.ParseForm(); err != nil {
		return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.form"))
	}
	id := fairmark.CaseID(r.PathValue("id"))
	action := r.PostFormValue("action")
	cmd, err := u.formCommand(r, rq, action)
	if err == nil && destructive[action] && r.PostFormValue("confirm") != "1" {
		err = fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.confirm"))
	}
	if err == nil {
		_, err = u.svc.Act(r.Context(), id, rq.p, cmd)
	}
	if err != nil {
		code := fairmark.ErrorCode(err)
		if code == fairmark.EINTERNAL {
			return err
		}
		v, verr := u.dossierView(r, rq)
		if verr != nil {
			return verr
		}
		v.Path = "/staff/cases/" + string(id) // where the language switch returns
		v.Error, v.Action, v.ErrStatus = fairmark.ErrorMessage(err), action, web.StatusOf(code)
		v.Form = map[string]string{"reason": r.PostFormValue("reason"), "text": r.PostFormValue("text"), "amount": r.PostFormValue("amount"), "ref": r.PostFormValue("ref"), "until": r.PostFormValue("until")}
		return u.render(w, v.ErrStatus, "case", "", v)
	}
	http.Redirect(w, r, "/staff/cases/"+string(id)+"#"+action, http.StatusSeeOther)
	return nil
}

// formCommand turns an action form into a case command.
func (u *UI) formCommand(r *http.Request, rq *request, action string) (cases.Command, error) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	intField := func(name string) (int, error) {
		n, err := strconv.Atoi(r.PostFormValue(name))
		if err != nil {
			return 0, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.number", name))
		}
		return n, nil
	}
	switch action {
	case "assign":
		return cases.Assign{To: rq.p.User}, nil
	case "investigate":
		return cases.Investigate{}, nil
	case "snooze":
		until, err := parseUntil(r.PostFormValue("until"))
		if err != nil {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.until"))
		}
		if reason == "" {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.reason"))
		}
		return cases.Snooze{Until: until, Reason: reason}, nil
	case "note":
		return cases.Note{Text: strings.TrimSpace(r.PostFormValue("text"))}, nil
	case "ban":
		var accts []fairmark.AccountID
		for _, a := range r.PostForm["accounts"] {
			accts = append(accts, fairmark.AccountID(a))
		}
		if len(accts) == 0 {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.noaccounts"))
		}
		return cases.Ban{Accounts: accts, Reason: reason}, nil
	case "approve":
		n, err := intField("request")
		return cases.Approve{Request: n}, err
	case "reject":
		n, err := intField("request")
		return cases.Reject{Request: n, Reason: reason}, err
	case "remove_remarks":
		var fb []fairmark.FeedbackID
		for _, f := range r.PostForm["feedback"] {
			fb = append(fb, fairmark.FeedbackID(f))
		}
		return cases.RemoveRemarks{Feedback: fb, Reason: reason}, nil
	case "owe_restitution":
		val, err := fairmark.ParseDecimal(strings.TrimSpace(r.PostFormValue("amount")))
		if err != nil || val <= 0 {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.amount"))
		}
		cur := strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency")))
		if cur == "" {
			cur = "CNY"
		}
		return cases.OweRestitution{Victim: fairmark.AccountID(r.PostFormValue("victim")), Amount: fairmark.Money{Value: val, Currency: cur}, Reason: reason}, nil
	case "pay_restitution":
		n, err := intField("entry")
		return cases.PayRestitution{Entry: n, Ref: strings.TrimSpace(r.PostFormValue("ref"))}, err
	case "warn":
		return cases.Warn{Reason: reason}, nil
	case "dismiss":
		return cases.Dismiss{Reason: reason}, nil
	case "close":
		return cases.Close{Outcome: cases.Outcome(r.PostFormValue("outcome")), Reason: reason}, nil
	case "file_appeal":
		return cases.FileAppeal{Text: strings.TrimSpace(r.PostFormValue("text"))}, nil
	case "decide_appeal":
		g := r.PostFormValue("grant")
		if g != "yes" && g != "no" {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.grant"))
		}
		return cases.DecideAppeal{Grant: g == "yes", Reason: reason}, nil
	}
	return nil, fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.action"))
}

// parseUntil reads a snooze form's time: a datetime-local input's value
// ("2006-01-02T15:04", seconds optional), in UTC like every time the UI
// shows.
func parseUntil(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

// SnoozeDefault is the snooze form's initial time: a day from now, UTC.
func (v *dossierPage) SnoozeDefault() string {
	if v.Action == "snooze" && v.Form["until"] != "" {
		return v.Form["until"]
	}
	return v.now.Add(24 * time.Hour).UTC().Format("2006-01-02T15:04")
}

// formCtx is what the "reason" partial of an action form needs.
type formCtx struct {
	P *dossierPage
	A string
}

// For passes the page and an action name to a form partial.
func (v *dossierPage) For(action string) formCtx { return formCtx{P: v, A: action} }
