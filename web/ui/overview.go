package ui

import (
	"net/http"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/store"
)

// overviewPage is the view model of the staff overview: flags, holds and
// alerts per day, and the latest decisions.
type overviewPage struct {
	Page
	Events           int64
	From, To         string
	Charts           []barChart
	Flags, Holds     int
	Alerts, Releases int
	Recent           []decisionRow
	Truncated        bool
	Days             int
	Cases            casesOverview
	CaseCap          int
}

// decisionRow is one decision in the table.
type decisionRow struct {
	At       string
	Kind     string
	Class    string
	Account  fairmark.AccountID
	Seller   fairmark.AccountID
	Feedback fairmark.FeedbackID
	Reason   string
}

const (
	overviewDays = 30
	// overviewRead is the most decisions of one kind the overview reads.
	overviewRead = 20000
	recentShown  = 25
)

// overview shows what the engine decided over the last 30 days of
// activity (in event time, ending at the newest decision) and the latest
// decisions.
func (u *UI) overview(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	v := overviewPage{Page: u.page(r, rq, rq.T("overview.title"), "overview"), Days: overviewDays}
	var err error
	if v.Events, err = u.db.EventCount(ctx); err != nil {
		return err
	}
	kinds := []engine.DecisionKind{engine.FlagAccount, engine.HoldFeedback, engine.AlertSeller}
	byKind := map[engine.DecisionKind][]engine.Decision{}
	var end time.Time
	for _, k := range kinds {
		ds, err := u.svc.Decisions(ctx, store.DecisionFilter{Kind: string(k), Limit: overviewRead})
		if err != nil {
			return err
		}
		if len(ds) == overviewRead {
			v.Truncated = true
		}
		byKind[k] = ds
		if len(ds) > 0 && ds[0].At.After(end) {
			end = ds[0].At
		}
	}
	if end.IsZero() {
		end = u.now()
	}
	last := end.UTC().Truncate(24 * time.Hour)
	from := last.AddDate(0, 0, -(overviewDays - 1))
	v.From, v.To = from.Format("2006-01-02"), last.Format("2006-01-02")
	for _, k := range kinds {
		counts := make([]int, overviewDays)
		for _, d := range byKind[k] {
			i := int(d.At.UTC().Sub(from) / (24 * time.Hour))
			if d.At.Before(from) || i >= overviewDays {
				continue
			}
			counts[i]++
		}
		c := dayChart(rq.T("overview.chart."+string(k)), string(k), from, counts)
		switch k {
		case engine.FlagAccount:
			v.Flags = c.Total
		case engine.HoldFeedback:
			v.Holds = c.Total
		case engine.AlertSeller:
			v.Alerts = c.Total
		}
		v.Charts = append(v.Charts, c)
	}
	rel, err := u.svc.Decisions(ctx, store.DecisionFilter{Kind: string(engine.ReleaseHold), Limit: overviewRead})
	if err != nil {
		return err
	}
	for _, d := range rel {
		if !d.At.Before(from) {
			v.Releases++
		}
	}
	v.CaseCap = overviewCases
	if v.Cases, err = u.casesOverview(ctx, &v); err != nil {
		return err
	}
	recent, err := u.svc.Decisions(ctx, store.DecisionFilter{Limit: recentShown})
	if err != nil {
		return err
	}
	for _, d := range recent {
		v.Recent = append(v.Recent, decisionRow{At: v.Time(d.At), Kind: v.TOr("decision."+string(d.Kind), string(d.Kind)), Class: string(d.Kind),
			Account: d.Account, Seller: d.Seller, Feedback: d.Feedback, Reason: d.Reason})
	}
	return u.render(w, http.StatusOK, "overview", "", v)
}
