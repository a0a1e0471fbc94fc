package ui

import (
	"net/http"

	"github.com/fairmark/fairmark"
)

// reportPage is the view model of one report the seller filed: what it
// says, its evidence and where to download the evidence bundles.
type reportPage struct {
	Page
	// Filed is true right after the seller filed it.
	Filed    bool
	ID       fairmark.ReportID
	At       string
	Accused  fairmark.AccountID
	Order    fairmark.OrderID
	Feedback fairmark.FeedbackID
	Kind     string
	Text     string
	Paid     string
	Evidence []evidenceRow
	// BundleURL downloads the report's bundle (the report and its files);
	// ChatURL the bundle of the order's marketplace chat, "" without one.
	BundleURL, ChatURL string
	// VerifierKey is the evidence log's public key, to check bundles.
	VerifierKey string
	// Cases are the seller's part of the cases that took the report in.
	Cases []sellerCaseView
}

// evidenceRow is one file attached to a report.
type evidenceRow struct {
	Kind, SHA256, Note string
}

// reportView shows one of the signed-in seller's reports. Another
// seller's report is "not found", as if it did not exist.
func (u *UI) reportView(w http.ResponseWriter, r *http.Request, rq *request) error {
	rep, err := u.db.ReportFiledBy(r.Context(), rq.p.Seller, fairmark.ReportID(r.PathValue("id")))
	if err != nil {
		if fairmark.ErrorCode(err) == fairmark.ENOTFOUND {
			return notFound(w, r, rq)
		}
		return err
	}
	v := reportPage{Page: u.page(r, rq, rq.T("reportview.title", rep.ID), "report"), Filed: r.URL.Query().Get("filed") == "1",
		ID: rep.ID, At: "", Accused: rep.Accused, Order: rep.Order, Feedback: rep.Feedback, Text: rep.Text}
	v.At = v.Time(rep.At)
	v.Kind = v.TOr("report.kind."+string(rep.Kind), string(rep.Kind))
	if rep.Paid != nil {
		v.Paid = rep.Paid.String()
	}
	for _, e := range rep.Evidence {
		v.Evidence = append(v.Evidence, evidenceRow{Kind: v.TOr("evidence.kind."+e.Kind, e.Kind), SHA256: e.SHA256, Note: e.Note})
	}
	if l := u.svc.EvidenceLog(); l != nil {
		v.BundleURL = "/seller/reports/" + string(rep.ID) + "/bundle"
		if ok, _ := u.chatOfReport(r, rq, rep.Order, rep.Feedback); ok {
			v.ChatURL = "/seller/reports/" + string(rep.ID) + "/chat"
		}
		v.VerifierKey = l.VerifierKey()
	}
	if v.Cases, err = u.casesOfReport(r, v.Page, rq.p.Seller, rep.ID); err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "report_view", "", v)
}
