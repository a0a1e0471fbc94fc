package ui

import (
	"net/http"
	"net/url"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
)

// alertsPage is the view model of the seller's alerts.
type alertsPage struct {
	Page
	Alerts alertList
}

// alertList is the list of alerts, a partial that htmx refreshes.
type alertList struct {
	Page
	Items []alertRow
	// Poll is the URL htmx polls for a fresh list.
	Poll string
}

// alertRow is one alert, in the page's language.
type alertRow struct {
	At        string
	Kind      string
	Class     string
	Text      string
	Guidance  string
	Buyer     fairmark.AccountID
	Contacts  []string
	ReportURL string
}

// alertsLimit is how many alerts the alerts page lists.
const alertsLimit = 50

// alerts lists the alerts sent to the signed-in seller, newest first. An
// htmx request (the list polling) gets the list alone.
func (u *UI) alerts(w http.ResponseWriter, r *http.Request, rq *request) error {
	limit := alertsLimit
	if r.URL.Query().Get("limit") == "5" {
		limit = 5
	}
	p := u.page(r, rq, rq.T("alerts.title"), "alerts")
	list, err := u.alertList(r, rq, p, limit)
	if err != nil {
		return err
	}
	w.Header().Set("Vary", "HX-Request")
	if r.Header.Get("HX-Request") == "true" {
		return u.render(w, http.StatusOK, "alerts", "alert_list", list)
	}
	return u.render(w, http.StatusOK, "alerts", "", alertsPage{Page: p, Alerts: list})
}

// alertList reads the latest alerts of the signed-in seller.
func (u *UI) alertList(r *http.Request, rq *request, p Page, limit int) (alertList, error) {
	ds, err := u.svc.Alerts(r.Context(), rq.p.Seller, limit)
	if err != nil {
		return alertList{}, err
	}
	poll := "/seller/alerts"
	if limit == 5 {
		poll += "?limit=5"
	}
	l := alertList{Page: p, Poll: poll}
	for _, d := range ds {
		l.Items = append(l.Items, alertRowOf(p, d))
	}
	return l, nil
}

func alertRowOf(p Page, d engine.Decision) alertRow {
	row := alertRow{At: p.Time(d.At), Buyer: d.Account, Text: d.Reason, Kind: p.T("alert.kind.other"), Class: "other"}
	if a := d.Alert; a != nil {
		row.Kind, row.Class = p.TOr("alert.kind."+string(a.Kind), string(a.Kind)), string(a.Kind)
		row.Text, row.Guidance = a.Text, a.Guidance
		if p.Lang == Chinese {
			row.Text, row.Guidance = a.TextZH, a.GuidanceZH
		}
		for _, c := range a.Contacts {
			row.Contacts = append(row.Contacts, p.TOr("contact."+c.Kind, c.Kind)+" "+c.Value)
		}
		if a.Kind == engine.AlertHoldsReleased {
			return row // nothing to report
		}
	}
	q := url.Values{}
	if d.Feedback != "" {
		q.Set("feedback", string(d.Feedback))
	} else if d.Account != "" {
		q.Set("buyer", string(d.Account))
	}
	if len(q) > 0 {
		row.ReportURL = "/seller/report?" + q.Encode()
	}
	return row
}
