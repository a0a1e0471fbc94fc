package cases

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/fairmark/fairmark"
)

// Priority ranks an open case in the triage queue: the accused's risk, the
// victims' vulnerability (new sellers first), the money paid, the number of
// victims and the age of the case. It returns a score in 0..100 and the
// reasons for it, largest first. Closed cases score 0; snoozed cases keep
// their score but Queue puts them last until they wake.
func Priority(c *Case, risk float64, now time.Time) (float64, []string) {
	if c.Closed() {
		return 0, nil
	}
	type part struct {
		v   float64
		why string
	}
	var parts []part
	parts = append(parts, part{40 * clamp(risk), fmt.Sprintf("accused risk %.2f", risk)})
	if n := len(c.Victims); n > 0 {
		newOnes := 0
		for _, v := range c.Victims {
			if v.New {
				newOnes++
			}
		}
		parts = append(parts, part{20 * float64(newOnes) / float64(n), fmt.Sprintf("%d of %d victim(s) new sellers", newOnes, n)})
		parts = append(parts, part{15 * clamp(float64(n-1)/4), fmt.Sprintf("%d victim(s)", n)})
	}
	paid := 0.0
	for _, m := range c.PaidTotal() {
		paid += m.Value.Float() // currencies are not converted: a rough size
	}
	if paid > 0 {
		parts = append(parts, part{15 * clamp(math.Log1p(paid)/math.Log1p(500)), fmt.Sprintf("%s paid to the accused", moneyList(c.PaidTotal()))})
	}
	age := now.Sub(c.OpenedAt).Hours() / 24
	parts = append(parts, part{10 * clamp(age/7), fmt.Sprintf("open %.1f day(s)", math.Max(age, 0))})
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].v > parts[j].v })
	total := 0.0
	var why []string
	for _, p := range parts {
		total += p.v
		if p.v > 0 {
			why = append(why, p.why)
		}
	}
	return math.Round(total*10) / 10, why
}

func clamp(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func moneyList(ms []fairmark.Money) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += " + "
		}
		s += m.String()
	}
	return s
}

// Ranked is a case with its queue priority.
type Ranked struct {
	Case     *Case    `json:"case"`
	Priority float64  `json:"priority"`
	Why      []string `json:"why"`
	Snoozed  bool     `json:"snoozed"`
}

// Queue ranks cases for triage: open cases by priority, snoozed ones after
// the rest, ties by age (older first) then id. risk gives the accused's
// current risk.
func Queue(cs []*Case, risk func(fairmark.AccountID) float64, now time.Time) []Ranked {
	out := make([]Ranked, 0, len(cs))
	for _, c := range cs {
		p, why := Priority(c, risk(c.Accused), now)
		out = append(out, Ranked{Case: c, Priority: p, Why: why, Snoozed: c.SnoozedUntil.After(now)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Snoozed != b.Snoozed {
			return !a.Snoozed
		}
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.Case.OpenedAt.Equal(b.Case.OpenedAt) {
			return a.Case.OpenedAt.Before(b.Case.OpenedAt)
		}
		return a.Case.ID < b.Case.ID
	})
	return out
}
