package ui

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/store"
)

// reportFormPage is the view model of "report extortion": pick the remark,
// say what happened and what was paid, attach off-platform evidence.
type reportFormPage struct {
	Page
	Remarks    []remarkOption
	Kinds      []kindOption
	Currencies []string
	Form       reportInput
	Errs       reportErrors
	// Reports are the seller's earlier reports.
	Reports []reportSummary
	// MaxFiles and MaxFileMB are the upload limits.
	MaxFiles, MaxFileMB int
	// NoEvidenceLog: this server keeps no evidence log, so no uploads.
	NoEvidenceLog bool
}

// remarkOption is one remark the seller may report.
type remarkOption struct {
	Feedback fairmark.FeedbackID
	Buyer    fairmark.AccountID
	Order    fairmark.OrderID
	Title    string
	Amount   string
	Text     string
	Left     string
	Held     bool
	Revised  bool // no longer negative: revised or withdrawn
	Checked  bool
}

// kindOption is one report kind.
type kindOption struct {
	Value   fairmark.ReportKind
	Label   string
	Checked bool
}

// reportInput is what the seller entered.
type reportInput struct {
	// ID is the report id the form was made with: submitting the same form
	// twice files one report.
	ID       string
	Feedback string
	Kind     string
	Text     string
	Paid     string
	Currency string
	Note     string
}

// reportErrors are the problems of a submission, each shown at its field.
type reportErrors struct {
	Feedback, Kind, Text, Paid, Files, Form string
}

// Any reports whether there is a problem.
func (e reportErrors) Any() bool {
	return e != reportErrors{}
}

// reportSummary is one earlier report in a list.
type reportSummary struct {
	ID      fairmark.ReportID
	At      string
	Accused fairmark.AccountID
	Kind    string
	Files   int
}

// Report limits.
const (
	maxFiles      = 10
	maxFileSize   = 16 << 20
	maxReportBody = maxFiles*maxFileSize + 1<<20
	maxReportText = 4000
	maxNote       = 500
	remarksShown  = 50
)

var currencies = []string{"CNY", "HKD", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD"}

var reportIDRe = regexp.MustCompile(`^R[0-9]{8}-[0-9a-f]{10}$`)

// newReportID returns a fresh report id such as R20260302-9f86d081e8.
func newReportID(now time.Time) string {
	var b [5]byte
	rand.Read(b[:])
	return "R" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// reportForm shows the form; ?feedback=ID or ?buyer=ID picks the remark.
func (u *UI) reportForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := r.URL.Query()
	in := reportInput{ID: newReportID(u.now()), Feedback: q.Get("feedback"), Kind: string(fairmark.ReportExtortion), Currency: "CNY"}
	v, err := u.reportFormPage(r, rq, in, q.Get("buyer"))
	if err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "report", "", v)
}

// reportFormPage builds the form's view model around what was entered.
// buyer, when set and no remark is chosen, picks that buyer's latest one.
func (u *UI) reportFormPage(r *http.Request, rq *request, in reportInput, buyer string) (reportFormPage, error) {
	ctx := r.Context()
	seller := rq.p.Seller
	v := reportFormPage{Page: u.page(r, rq, rq.T("report.title"), "report"), Form: in, Currencies: currencies,
		MaxFiles: maxFiles, MaxFileMB: maxFileSize >> 20, NoEvidenceLog: u.svc.EvidenceLog() == nil}
	held := map[fairmark.FeedbackID]bool{}
	if rep, err := u.svc.Reputation(seller); err == nil {
		for _, h := range rep.Held {
			held[h.Feedback] = true
		}
	} else if fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
		return v, err
	}
	rows, err := u.db.SellerRemarks(ctx, seller, remarksShown)
	if err != nil {
		return v, err
	}
	// A remark chosen by link but older than the list shows too.
	if in.Feedback != "" {
		found := false
		for _, x := range rows {
			found = found || string(x.ID) == in.Feedback
		}
		if !found {
			if f, err := u.db.FeedbackRow(ctx, fairmark.FeedbackID(in.Feedback)); err == nil && f.Seller == seller {
				rows = append(rows, sellerRemarkOf(f))
			}
		}
	}
	for _, x := range rows {
		o := remarkOption{Feedback: x.ID, Buyer: x.Buyer, Order: x.Order, Title: x.Title, Text: x.Text, Left: v.Time(x.Left),
			Held: held[x.ID], Revised: x.Rating != fairmark.Negative || !x.Withdrawn.IsZero()}
		if x.Amount != nil {
			o.Amount = x.Amount.String()
		}
		if v.Form.Feedback == "" && buyer != "" && string(x.Buyer) == buyer {
			v.Form.Feedback = string(x.ID)
		}
		o.Checked = string(x.ID) == v.Form.Feedback
		v.Remarks = append(v.Remarks, o)
	}
	for _, k := range []fairmark.ReportKind{fairmark.ReportExtortion, fairmark.ReportOffPlatformContact, fairmark.ReportFakeFeedback, fairmark.ReportOther} {
		v.Kinds = append(v.Kinds, kindOption{Value: k, Label: rq.T("report.kind." + string(k)), Checked: string(k) == v.Form.Kind})
	}
	reps, err := u.db.ReportsBy(ctx, seller, 20)
	if err != nil {
		return v, err
	}
	for _, x := range reps {
		v.Reports = append(v.Reports, reportSummary{ID: x.ID, At: v.Time(x.At), Accused: x.Accused,
			Kind: v.TOr("report.kind."+string(x.Kind), string(x.Kind)), Files: len(x.Evidence)})
	}
	return v, nil
}

func sellerRemarkOf(f store.FeedbackRow) store.SellerRemark {
	return store.SellerRemark{FeedbackRow: f}
}
