package ui

import (
	"net/http"
	"slices"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
)

// sellerCaseView is what a victim sees of a case: its status and what
// concerns the seller itself, never the other victims.
type sellerCaseView struct {
	ID        fairmark.CaseID
	Accused   fairmark.AccountID
	Status    string
	StatusKey string
	Outcome   string
	Opened    string
	Banned    bool
	Remarks   []sellerRemark
	Owed      []sellerOwed
	BundleURL string

	lang Lang
}

// T returns the text of a catalogue key in the page's language.
func (v sellerCaseView) T(key string, args ...any) string { return translate(v.lang, key, args...) }

type sellerRemark struct {
	ID      fairmark.FeedbackID
	Removed bool
}

type sellerOwed struct {
	Amount string
	Paid   bool
	PaidAt string
	Ref    string
}

// sellerView is seller's part of c.
func sellerView(p Page, c *cases.Case, seller fairmark.AccountID) sellerCaseView {
	v := sellerCaseView{ID: c.ID, Accused: c.Accused, Status: p.TOr("case.status."+string(c.Status), string(c.Status)), StatusKey: string(c.Status),
		Opened: p.Time(c.OpenedAt), lang: p.Lang, Banned: slices.Contains(c.Banned, c.Accused)}
	if c.Outcome != "" {
		v.Outcome = p.TOr("case.outcome."+string(c.Outcome), string(c.Outcome))
	}
	sh, _ := c.ShareOf(seller)
	for _, f := range sh.Victim.Feedback {
		v.Remarks = append(v.Remarks, sellerRemark{ID: f, Removed: slices.Contains(sh.Removed, f)})
	}
	for _, r := range sh.Restitution {
		o := sellerOwed{Amount: r.Amount.String(), Paid: r.Paid, Ref: r.Ref}
		if r.Paid {
			o.PaidAt = p.Time(r.PaidAt)
		}
		v.Owed = append(v.Owed, o)
	}
	if me := c.Victim(seller); me != nil && len(me.Reports) > 0 {
		v.BundleURL = "/seller/cases/" + string(c.ID) + "/bundle"
	}
	return v
}

// sellerCasesPage lists the cases the seller is a victim in, or one of
// them (One).
type sellerCasesPage struct {
	Page
	Cases []sellerCaseView
	One   bool
}

// sellerCases lists the signed-in seller's cases.
func (u *UI) sellerCases(w http.ResponseWriter, r *http.Request, rq *request) error {
	cs, err := u.svc.Cases(r.Context(), store.CaseFilter{Victim: rq.p.Seller})
	if err != nil {
		return err
	}
	v := sellerCasesPage{Page: u.page(r, rq, rq.T("mycases.title"), "mycases")}
	for i := len(cs) - 1; i >= 0; i-- { // newest first
		if cs[i].Involves(rq.p.Seller) {
			v.Cases = append(v.Cases, sellerView(v.Page, cs[i], rq.p.Seller))
		}
	}
	return u.render(w, http.StatusOK, "seller_cases", "", v)
}

// sellerCaseOf returns the case of the URL if the seller is one of its
// victims; any other case is "not found", as if it did not exist.
func (u *UI) sellerCaseOf(r *http.Request, rq *request) (*cases.Case, error) {
	c, err := u.svc.Case(r.Context(), fairmark.CaseID(r.PathValue("id")))
	if err != nil && fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
		return nil, err
	}
	if err != nil || !c.Involves(rq.p.Seller) {
		return nil, fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("err.notfound"))
	}
	return c, nil
}

// sellerCase shows one of the seller's cases.
func (u *UI) sellerCase(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, err := u.sellerCaseOf(r, rq)
	if err != nil {
		return err
	}
	v := sellerCasesPage{Page: u.page(r, rq, rq.T("mycases.case", c.ID), "mycases"), One: true}
	v.Cases = []sellerCaseView{sellerView(v.Page, c, rq.p.Seller)}
	return u.render(w, http.StatusOK, "seller_cases", "", v)
}

// sellerCaseBundle downloads the verifiable evidence the seller brought to
// one of its cases: the bundle of its report. The case's own bundle (every
// case event) names the other victims, so only staff get it.
func (u *UI) sellerCaseBundle(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, err := u.sellerCaseOf(r, rq)
	if err != nil {
		return err
	}
	me := c.Victim(rq.p.Seller)
	if len(me.Reports) == 0 {
		return fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("err.notfound"))
	}
	return u.writeBundle(w, r, rq, evidence.Scope{Type: evidence.ScopeReport, ID: string(me.Reports[0])}, "fairmark-report-"+string(me.Reports[0])+".json")
}

// casesOfReport returns the seller's part of the cases that took report in.
func (u *UI) casesOfReport(r *http.Request, p Page, seller fairmark.AccountID, report fairmark.ReportID) ([]sellerCaseView, error) {
	cs, err := u.svc.Cases(r.Context(), store.CaseFilter{Victim: seller})
	if err != nil {
		return nil, err
	}
	var out []sellerCaseView
	for _, c := range cs {
		me := c.Victim(seller)
		if me == nil {
			continue
		}
		if slices.Contains(c.Reports, report) || slices.Contains(me.Reports, report) {
			out = append(out, sellerView(p, c, seller))
		}
	}
	return out, nil
}
