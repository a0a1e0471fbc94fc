package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
)

func (s *Server) caseRoutes() {
	s.handleFor("GET /v1/cases", s.listCases, opStaffOwner)
	s.handleFor("POST /v1/cases", s.openCase, opStaff)
	s.handleFor("GET /v1/cases/{id}", s.getCase, opStaffOwner)
	s.handleFor("GET /v1/cases/{id}/dossier", s.getDossier, opStaff)
	s.handleFor("GET /v1/cases/{id}/events", s.getCaseEvents, opStaff)
	s.handleFor("POST /v1/cases/{id}/actions", s.caseAction, opStaff)
	s.handleFor("GET /v1/restitution", s.getRestitution, opStaffOwner)
}

// listCases: staff and the operator get the triage queue (open cases,
// ranked; ?status=closed,open… ?accused= ?assignee=); a seller gets the
// cases it is a victim in.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.CaseFilter{Accused: fairmark.AccountID(q.Get("accused")), Assignee: q.Get("assignee")}
	if st := q.Get("status"); st != "" {
		for _, x := range strings.Split(st, ",") {
			switch cases.Status(x) {
			case cases.Open, cases.Investigating, cases.AwaitingAppeal, cases.Closed:
				f.Statuses = append(f.Statuses, cases.Status(x))
			default:
				return fairmark.Errorf(fairmark.EINVALID, "status: %q is not open, investigating, awaiting_appeal or closed", x)
			}
		}
	}
	if p := principal(r); p.Role == fairmark.RoleSeller {
		f.Victim = p.Seller
		if len(f.Statuses) == 0 {
			f.Statuses = []cases.Status{cases.Open, cases.Investigating, cases.AwaitingAppeal, cases.Closed}
		}
		cs, err := s.Service.Cases(r.Context(), f)
		if err != nil {
			return err
		}
		out := make([]sellerCase, 0, len(cs))
		for _, c := range cs {
			out = append(out, sellerView(c, p.Seller))
		}
		return writeJSON(w, http.StatusOK, map[string]any{"cases": out})
	}
	queue, err := s.Service.Queue(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cases": queue})
}

// sellerCase is what a victim sees of a case: its status and what concerns
// it, not the other victims.
type sellerCase struct {
	ID          fairmark.CaseID       `json:"id"`
	Accused     fairmark.AccountID    `json:"accused"`
	Status      cases.Status          `json:"status"`
	Outcome     cases.Outcome         `json:"outcome,omitempty"`
	OpenedAt    time.Time             `json:"opened_at"`
	UpdatedAt   time.Time             `json:"updated_at"`
	ClosedAt    time.Time             `json:"closed_at,omitzero"`
	Victims     int                   `json:"victims"`
	You         cases.Victim          `json:"you"`
	Banned      bool                  `json:"accused_banned"`
	Removed     []fairmark.FeedbackID `json:"removed,omitempty"`
	Restitution []cases.Restitution   `json:"restitution,omitempty"`
}

func sellerView(c *cases.Case, seller fairmark.AccountID) sellerCase {
	v := sellerCase{ID: c.ID, Accused: c.Accused, Status: c.Status, Outcome: c.Outcome, OpenedAt: c.OpenedAt, UpdatedAt: c.UpdatedAt,
		ClosedAt: c.ClosedAt, Victims: len(c.Victims), Banned: len(c.Banned) > 0}
	if sh, ok := c.ShareOf(seller); ok {
		v.You, v.Removed, v.Restitution = sh.Victim, sh.Removed, sh.Restitution
	}
	return v
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Accused fairmark.AccountID `json:"accused"`
		Reason  string             `json:"reason"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	c, err := s.Service.OpenCase(r.Context(), principal(r), body.Accused, body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) caseFor(r *http.Request) (*cases.Case, error) {
	c, err := s.Service.Case(r.Context(), fairmark.CaseID(r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	if p := principal(r); p.Role == fairmark.RoleSeller && !c.Involves(p.Seller) {
		return nil, notYours()
	}
	return c, nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.caseFor(r)
	if err != nil {
		return err
	}
	if p := principal(r); p.Role == fairmark.RoleSeller {
		return writeJSON(w, http.StatusOK, sellerView(c, p.Seller))
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) getDossier(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Service.Dossier(r.Context(), fairmark.CaseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) getCaseEvents(w http.ResponseWriter, r *http.Request) error {
	evs, err := s.Service.CaseEvents(r.Context(), fairmark.CaseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"case": r.PathValue("id"), "events": evs})
}

// ActionRequest is the body of POST /v1/cases/{id}/actions.
type ActionRequest struct {
	Action   string                `json:"action"`
	Reason   string                `json:"reason,omitempty"`
	To       string                `json:"to,omitempty"`
	Until    time.Time             `json:"until,omitzero"`
	Text     string                `json:"text,omitempty"`
	Accounts []fairmark.AccountID  `json:"accounts,omitempty"`
	Feedback []fairmark.FeedbackID `json:"feedback,omitempty"`
	Request  int                   `json:"request,omitempty"`
	Victim   fairmark.AccountID    `json:"victim,omitempty"`
	Amount   *fairmark.Money       `json:"amount,omitempty"`
	Entry    int                   `json:"entry,omitempty"`
	Ref      string                `json:"ref,omitempty"`
	Outcome  cases.Outcome         `json:"outcome,omitempty"`
	Grant    bool                  `json:"grant,omitempty"`
}

// ActionNames lists the actions POST /v1/cases/{id}/actions takes.
var ActionNames = []string{"assign", "snooze", "investigate", "note", "ban", "approve", "reject", "remove_remarks",
	"owe_restitution", "pay_restitution", "warn", "dismiss", "close", "appeal", "decide_appeal"}

// Command turns the request into a case command.
func (a ActionRequest) Command() (cases.Command, error) {
	switch a.Action {
	case "assign":
		return cases.Assign{To: a.To}, nil
	case "snooze":
		return cases.Snooze{Until: a.Until, Reason: a.Reason}, nil
	case "investigate":
		return cases.Investigate{}, nil
	case "note":
		return cases.Note{Text: a.Text}, nil
	case "ban":
		return cases.Ban{Accounts: a.Accounts, Reason: a.Reason}, nil
	case "approve":
		return cases.Approve{Request: a.Request}, nil
	case "reject":
		return cases.Reject{Request: a.Request, Reason: a.Reason}, nil
	case "remove_remarks":
		return cases.RemoveRemarks{Feedback: a.Feedback, Reason: a.Reason}, nil
	case "owe_restitution":
		if a.Amount == nil {
			return nil, fairmark.Errorf(fairmark.EINVALID, "amount: required, e.g. {\"value\":\"50.00\",\"currency\":\"CNY\"}")
		}
		return cases.OweRestitution{Victim: a.Victim, Amount: *a.Amount, Reason: a.Reason}, nil
	case "pay_restitution":
		return cases.PayRestitution{Entry: a.Entry, Ref: a.Ref}, nil
	case "warn":
		return cases.Warn{Reason: a.Reason}, nil
	case "dismiss":
		return cases.Dismiss{Reason: a.Reason}, nil
	case "close":
		return cases.Close{Outcome: a.Outcome, Reason: a.Reason}, nil
	case "appeal":
		return cases.FileAppeal{Text: a.Text}, nil
	case "decide_appeal":
		return cases.DecideAppeal{Grant: a.Grant, Reason: a.Reason}, nil
	}
	return nil, fairmark.Errorf(fairmark.EINVALID, "action: %q is not one of %s", a.Action, strings.Join(ActionNames, ", "))
}

func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) error {
	var a ActionRequest
	if err := decodeBody(w, r, &a); err != nil {
		return err
	}
	cmd, err := a.Command()
	if err != nil {
		return err
	}
	c, err := s.Service.Act(r.Context(), fairmark.CaseID(r.PathValue("id")), principal(r), cmd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) getRestitution(w http.ResponseWriter, r *http.Request) error {
	victim := fairmark.AccountID(r.URL.Query().Get("victim"))
	if p := principal(r); p.Role == fairmark.RoleSeller {
		victim = p.Seller
	}
	rows, err := s.Service.DB().Restitution(r.Context(), victim)
	if err != nil {
		return err
	}
	type entry struct {
		Case   fairmark.CaseID    `json:"case"`
		Entry  int                `json:"entry"`
		Victim fairmark.AccountID `json:"victim"`
		Amount fairmark.Money     `json:"amount"`
		OwedAt time.Time          `json:"owed_at"`
		PaidAt time.Time          `json:"paid_at,omitzero"`
		Ref    string             `json:"ref,omitempty"`
	}
	out := make([]entry, 0, len(rows))
	for _, x := range rows {
		out = append(out, entry{x.Case, x.Entry, x.Victim, x.Amount, x.OwedAt, x.PaidAt, x.Ref})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"restitution": out})
}

// decodeBody decodes a small JSON body strictly: unknown fields are errors.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return fairmark.Errorf(fairmark.ETOOLARGE, "body larger than 1 MiB")
		case errors.Is(err, io.EOF):
			return fairmark.Errorf(fairmark.EINVALID, "empty body: send a JSON object")
		}
		return fairmark.Errorf(fairmark.EINVALID, "body: %v", err)
	}
	return nil
}

// sellerScope refuses a seller an evidence scope that is not its own: its
// account, a case it is a victim in, a report it filed, an order it sold or
// a conversation it took part in. Others pass.
func (s *Server) sellerScope(r *http.Request, sc evidence.Scope) error {
	p := principal(r)
	if p.Role != fairmark.RoleSeller {
		return nil
	}
	ctx, db := r.Context(), s.Service.DB()
	switch sc.Type {
	case evidence.ScopeAccount:
		if fairmark.AccountID(sc.ID) == p.Seller {
			return nil
		}
	case evidence.ScopeCase:
		// A victim may add evidence to its case, but the case's bundle (its
		// events) names the other victims: reading it is for staff.
		if c, err := s.Service.Case(ctx, fairmark.CaseID(sc.ID)); err == nil && c.Involves(p.Seller) && r.Method == http.MethodPost {
			return nil
		}
	case evidence.ScopeReport:
		if _, err := db.ReportFiledBy(ctx, p.Seller, fairmark.ReportID(sc.ID)); err == nil {
			return nil
		}
	case evidence.ScopeOrder:
		if _, seller, err := db.OrderParties(ctx, fairmark.OrderID(sc.ID)); err == nil && seller == p.Seller {
			return nil
		}
	case evidence.ScopeConversation:
		ms, err := db.Messages(ctx, fairmark.ConversationID(sc.ID))
		if err == nil && len(ms) > 0 && (ms[0].From == p.Seller || ms[0].To == p.Seller) {
			return nil
		}
	}
	return notYours()
}
