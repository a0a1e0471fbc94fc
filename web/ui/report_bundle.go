package ui

import (
	"errors"
	"net/http"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/evidence"
)

// reportBundle downloads the evidence bundle of one of the seller's
// reports: the report as filed and every file uploaded with it, with
// inclusion proofs and a signed checkpoint, checkable offline with
// `fairmark verify`.
func (u *UI) reportBundle(w http.ResponseWriter, r *http.Request, rq *request) error {
	rep, err := u.db.ReportFiledBy(r.Context(), rq.p.Seller, fairmark.ReportID(r.PathValue("id")))
	if err != nil {
		if fairmark.ErrorCode(err) == fairmark.ENOTFOUND {
			return notFound(w, r, rq)
		}
		return err
	}
	return u.writeBundle(w, r, rq, evidence.Scope{Type: evidence.ScopeReport, ID: string(rep.ID)}, "fairmark-report-"+string(rep.ID)+".json")
}

// writeBundle sends the bundle of scope as a download.
func (u *UI) writeBundle(w http.ResponseWriter, r *http.Request, rq *request, scope evidence.Scope, filename string) error {
	l := u.svc.EvidenceLog()
	if l == nil {
		return fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("report.err.nolog"))
	}
	b, err := l.Bundle(r.Context(), scope)
	if errors.Is(err, evidence.ErrNotFound) {
		return fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("bundle.empty"))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return evidence.WriteBundle(w, b)
}
