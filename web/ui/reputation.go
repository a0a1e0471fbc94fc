package ui

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/fairmark/fairmark"
)

// reputationPage is the view model of the seller's reputation: the raw
// score (every remark) beside the protected one (held remarks left out),
// the held remarks and why, and the latest alerts.
type reputationPage struct {
	Page
	Seller fairmark.AccountID
	// Known is false while the engine has seen nothing of this seller.
	Known                       bool
	ScoreRaw, ScoreProtected    int
	NegativesRaw, NegativesHeld int
	NegativesCounted            int
	Ratings                     int
	RateRaw, RateProtected      string
	Held                        []heldRow
	Alerts                      alertList
}

// heldRow is one held remark.
type heldRow struct {
	Feedback  fairmark.FeedbackID
	Buyer     fairmark.AccountID
	Order     fairmark.OrderID
	Text      string
	Left      string
	Reason    string
	ReportURL string
}

func percent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// reputation shows the signed-in seller's own reputation.
func (u *UI) reputation(w http.ResponseWriter, r *http.Request, rq *request) error {
	seller := rq.p.Seller
	v := reputationPage{Page: u.page(r, rq, rq.T("rep.title"), "reputation"), Seller: seller}
	rep, err := u.svc.Reputation(seller)
	switch fairmark.ErrorCode(err) {
	case "":
		v.Known = true
	case fairmark.ENOTFOUND:
	default:
		return err
	}
	if v.Known {
		v.ScoreRaw, v.ScoreProtected = rep.ScoreRaw, rep.ScoreProtected
		v.NegativesRaw, v.NegativesCounted, v.NegativesHeld = rep.NegativesRaw, rep.NegativesCounted, len(rep.Held)
		v.Ratings = rep.Ratings
		v.RateRaw, v.RateProtected = percent(rep.PositiveRateRaw), percent(rep.PositiveRateProtected)
		for _, h := range rep.Held {
			row := heldRow{Feedback: h.Feedback, Buyer: h.Buyer, Reason: h.Reason,
				ReportURL: "/seller/report?feedback=" + url.QueryEscape(string(h.Feedback))}
			f, err := u.db.FeedbackRow(r.Context(), h.Feedback)
			if err != nil && fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
				return err
			}
			row.Order, row.Text, row.Left = f.Order, f.Text, v.Time(f.Left)
			v.Held = append(v.Held, row)
		}
	}
	if v.Alerts, err = u.alertList(r, rq, v.Page, 5); err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "reputation", "", v)
}
