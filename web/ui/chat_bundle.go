package ui

import (
	"net/http"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/evidence"
)

// chatBundle downloads the evidence bundle of the order one of the
// seller's reports is about: the marketplace chat between buyer and
// seller about that order (and the report), as logged when each message
// arrived.
func (u *UI) chatBundle(w http.ResponseWriter, r *http.Request, rq *request) error {
	rep, err := u.db.ReportFiledBy(r.Context(), rq.p.Seller, fairmark.ReportID(r.PathValue("id")))
	if err != nil {
		if fairmark.ErrorCode(err) == fairmark.ENOTFOUND {
			return notFound(w, r, rq)
		}
		return err
	}
	ok, err := u.chatOfReport(r, rq, rep.Order, rep.Feedback)
	if err != nil {
		return err
	}
	if !ok {
		return notFound(w, r, rq)
	}
	return u.writeBundle(w, r, rq, evidence.Scope{Type: evidence.ScopeOrder, ID: string(rep.Order)}, "fairmark-order-"+string(rep.Order)+".json")
}

// chatOfReport reports whether the seller may download the order's chat:
// the report names an order and a remark of that order left to this
// seller. (A report the marketplace sent could name any order.)
func (u *UI) chatOfReport(r *http.Request, rq *request, order fairmark.OrderID, feedback fairmark.FeedbackID) (bool, error) {
	if order == "" || feedback == "" {
		return false, nil
	}
	f, err := u.db.FeedbackRow(r.Context(), feedback)
	if fairmark.ErrorCode(err) == fairmark.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return f.Seller == rq.p.Seller && f.Order == order, nil
}
