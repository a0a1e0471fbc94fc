package ui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
)

// overviewCases is the most cases the overview reads (the oldest first,
// as the store lists them); the page says when there are more.
const overviewCases = 2000

// casesOverview is the case half of the overview: cases opened and closed
// per day, how fast buyers are flagged and acted on, and money restored.
type casesOverview struct {
	Considered int
	Truncated  bool
	From, To   string
	Opened     int
	Closed     int
	Chart      barChart
	// ToFlag is from a buyer's first negative remark to its flag, ToAction
	// from the flag (or the case's opening, when later) to the first
	// action of staff on its case.
	ToFlag, ToAction latency
	Money            []moneyRow
	MoneyChart       moneyChart
}

// latency is a distribution of durations: its size, median, 90th
// percentile and a histogram.
type latency struct {
	N           int
	Median, P90 string
	Chart       barChart
}

// moneyRow is the restitution of one currency.
type moneyRow struct {
	Currency       string
	Paid, Unpaid   string
	PaidN, UnpaidN int
}

// moneyChart shows paid and unpaid restitution per currency as bars of a
// common scale (only amounts of the same currency are compared: each
// currency has its own row and its own scale).
type moneyChart struct {
	Width, Height int
	Rows          []moneyBar
}

type moneyBar struct {
	Y                  float64
	Label              string
	PaidW, UnpaidW, X2 float64
	PaidTip, UnpaidTip string
	Text               string
}

// latencyBuckets are the histogram's bins, upper bounds exclusive.
var latencyBuckets = []struct {
	upTo  time.Duration
	label string
}{
	{time.Hour, "< 1h"}, {6 * time.Hour, "1–6h"}, {24 * time.Hour, "6–24h"}, {72 * time.Hour, "1–3d"},
	{7 * 24 * time.Hour, "3–7d"}, {30 * 24 * time.Hour, "7–30d"}, {math.MaxInt64, "≥ 30d"},
}

// staffActor reports whether a case event's actor is a person of staff
// (an agent or a lead), not the system, the operator's API or a seller.
func staffActor(actor string) bool {
	return strings.HasPrefix(actor, string(fairmark.RoleAgent)+":") || strings.HasPrefix(actor, string(fairmark.RoleLead)+":")
}

func (u *UI) casesOverview(ctx context.Context, v *overviewPage) (casesOverview, error) {
	var o casesOverview
	cs, err := u.svc.Cases(ctx, store.CaseFilter{Statuses: caseStatuses, Limit: overviewCases + 1})
	if err != nil {
		return o, err
	}
	if len(cs) > overviewCases {
		cs, o.Truncated = cs[:overviewCases], true
	}
	o.Considered = len(cs)

	// Opened and closed per day, over the 30 days ending at the newest.
	var end time.Time
	for _, c := range cs {
		end = latest(end, c.OpenedAt, c.ClosedAt)
	}
	if end.IsZero() {
		end = u.now()
	}
	last := end.UTC().Truncate(24 * time.Hour)
	from := last.AddDate(0, 0, -(overviewDays - 1))
	o.From, o.To = from.Format("2006-01-02"), last.Format("2006-01-02")
	opened, closed := make([]int, overviewDays), make([]int, overviewDays)
	day := func(t time.Time) int {
		if t.IsZero() || t.Before(from) {
			return -1
		}
		if i := int(t.UTC().Sub(from) / (24 * time.Hour)); i < overviewDays {
			return i
		}
		return -1
	}
	for _, c := range cs {
		if i := day(c.OpenedAt); i >= 0 {
			opened[i]++
		}
		if i := day(c.ClosedAt); i >= 0 && c.Closed() {
			closed[i]++
		}
	}
	o.Chart = dayChart2(v.T("overview.chart.cases"), from, []series{
		{Class: "opened", Label: v.T("overview.cases.opened"), Counts: opened},
		{Class: "closed", Label: v.T("overview.cases.closed"), Counts: closed},
	})
	o.Opened, o.Closed = o.Chart.Series[0].Total, o.Chart.Series[1].Total

	// Remark → flag, from the engine; flag → first staff action, from the
	// case events.
	type accused struct {
		firstRemark, flagged time.Time
	}
	ids := make([]fairmark.AccountID, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.Accused)
	}
	views := service.Snapshot(u.svc, func(en *engine.Engine) map[fairmark.AccountID]accused {
		out := make(map[fairmark.AccountID]accused, len(ids))
		for _, id := range ids {
			if _, seen := out[id]; seen {
				continue
			}
			a, ok := en.Account(id)
			if !ok || a.FirstFlaggedAt == nil {
				out[id] = accused{}
				continue
			}
			x := accused{flagged: *a.FirstFlaggedAt}
			if rs := en.Remarks(id); len(rs) > 0 {
				x.firstRemark = rs[0].Left
			}
			out[id] = x
		}
		return out
	})
	var toFlag, toAction []time.Duration
	seen := map[fairmark.AccountID]bool{}
	for _, c := range cs {
		a := views[c.Accused]
		if a.flagged.IsZero() {
			continue
		}
		if !seen[c.Accused] && !a.firstRemark.IsZero() && !a.flagged.Before(a.firstRemark) {
			toFlag = append(toFlag, a.flagged.Sub(a.firstRemark))
		}
		seen[c.Accused] = true
		evs, err := u.svc.CaseEvents(ctx, c.ID)
		if err != nil {
			return o, err
		}
		for _, e := range evs {
			if staffActor(e.Actor) {
				start := latest(a.flagged, c.OpenedAt)
				toAction = append(toAction, max(e.At.Sub(start), 0))
				break
			}
		}
	}
	o.ToFlag = latencyOf(v.T("overview.chart.toflag"), "toflag", toFlag)
	o.ToAction = latencyOf(v.T("overview.chart.toaction"), "toaction", toAction)

	// Money restored, per currency.
	rows, err := u.db.Restitution(ctx, "")
	if err != nil {
		return o, err
	}
	paid, unpaid := map[string]fairmark.Decimal{}, map[string]fairmark.Decimal{}
	counts := map[string][2]int{}
	for _, r := range rows {
		n := counts[r.Amount.Currency]
		if r.PaidAt.IsZero() {
			unpaid[r.Amount.Currency] += r.Amount.Value
			n[1]++
		} else {
			paid[r.Amount.Currency] += r.Amount.Value
			n[0]++
		}
		counts[r.Amount.Currency] = n
	}
	curs := make([]string, 0, len(counts))
	for c := range counts {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	for _, c := range curs {
		o.Money = append(o.Money, moneyRow{Currency: c, Paid: fairmark.Money{Value: paid[c], Currency: c}.String(),
			Unpaid: fairmark.Money{Value: unpaid[c], Currency: c}.String(), PaidN: counts[c][0], UnpaidN: counts[c][1]})
	}
	o.MoneyChart = moneyChartOf(v, curs, paid, unpaid)
	return o, nil
}

// latest returns the latest of ts, zero times ignored.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// latencyOf sums up ds: median, 90th percentile (nearest rank) and a
// histogram over latencyBuckets.
func latencyOf(title, class string, ds []time.Duration) latency {
	l := latency{N: len(ds), Median: "—", P90: "—"}
	counts := make([]int, len(latencyBuckets))
	labels := make([]string, len(latencyBuckets))
	for i, b := range latencyBuckets {
		labels[i] = b.label
	}
	for _, d := range ds {
		for i, b := range latencyBuckets {
			if d < b.upTo {
				counts[i]++
				break
			}
		}
	}
	if len(ds) > 0 {
		s := slices.Clone(ds)
		slices.Sort(s)
		l.Median, l.P90 = durationText(percentile(s, 50)), durationText(percentile(s, 90))
	}
	l.Chart = categoryChart(title, class, labels, counts)
	return l
}

// percentile is the nearest-rank p-th percentile of sorted s.
func percentile(s []time.Duration, p int) time.Duration {
	i := int(math.Ceil(float64(p)/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// durationText writes d briefly: minutes, hours or days.
func durationText(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1fh", d.Hours())
	}
	return fmt.Sprintf("%.1fd", d.Hours()/24)
}

func moneyChartOf(v *overviewPage, curs []string, paid, unpaid map[string]fairmark.Decimal) moneyChart {
	const rowH, left, right = 34, 70, 760
	c := moneyChart{Width: 1000, Height: max(len(curs), 1)*rowH + 8}
	for i, cur := range curs {
		p, u := float64(paid[cur]), float64(unpaid[cur])
		total := p + u
		b := moneyBar{Y: float64(i*rowH + 8), Label: cur}
		if total > 0 {
			b.PaidW = (right - left) * p / total
			b.UnpaidW = (right - left) * u / total
		}
		b.X2 = left + b.PaidW
		b.PaidTip = v.T("overview.money.paid") + ": " + fairmark.Money{Value: paid[cur], Currency: cur}.String()
		b.UnpaidTip = v.T("overview.money.unpaid") + ": " + fairmark.Money{Value: unpaid[cur], Currency: cur}.String()
		b.Text = fairmark.Money{Value: paid[cur], Currency: cur}.String() + " / " + fairmark.Money{Value: paid[cur] + unpaid[cur], Currency: cur}.String()
		c.Rows = append(c.Rows, b)
	}
	return c
}

// Latencies are the two distributions, for the template.
func (o casesOverview) Latencies() []latency { return []latency{o.ToFlag, o.ToAction} }
