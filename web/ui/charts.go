package ui

import (
	"fmt"
	"time"
)

// barChart is an SVG bar chart of counts per day, laid out here so the
// template only draws rectangles and labels: no chart library, no script.
type barChart struct {
	Title  string
	Class  string // colour: a CSS class
	Width  int
	Height int
	// Plot area.
	Left, Top, Right, Bottom float64
	Bars                     []chartBar
	XLabels                  []chartLabel
	YTicks                   []chartLabel
	Total                    int
	// Series are the legend of a chart of several series, each bar
	// classed by its series.
	Series []series
}

type chartBar struct {
	X, Y, W, H float64
	Tip        string // shown on hover (an SVG <title>)
	Class      string // the series, "" for a chart of one
}

// series is one series of counts per day of a chart.
type series struct {
	Class, Label string
	Counts       []int
	Total        int
}

type chartLabel struct {
	X, Y float64
	Text string
}

// dayChart lays out counts (one per day, the first for day from) as bars.
func dayChart(title, class string, from time.Time, counts []int) barChart {
	c := barChart{Title: title, Class: class, Width: 1000, Height: 200, Left: 40, Top: 12, Right: 992, Bottom: 172}
	peak := 0
	for _, n := range counts {
		c.Total += n
		peak = max(peak, n)
	}
	top := niceCeil(peak)
	plotW, plotH := c.Right-c.Left, c.Bottom-c.Top
	slot := plotW / float64(len(counts))
	for i, n := range counts {
		day := from.AddDate(0, 0, i)
		h := plotH * float64(n) / float64(top)
		c.Bars = append(c.Bars, chartBar{X: c.Left + float64(i)*slot + slot*0.15, Y: c.Bottom - h, W: slot * 0.7, H: h,
			Tip: fmt.Sprintf("%s: %d", day.Format("2006-01-02"), n)})
		if (len(counts)-1-i)%7 == 0 { // weekly, ending on the last day
			c.XLabels = append(c.XLabels, chartLabel{X: c.Left + float64(i)*slot + slot/2, Y: c.Bottom + 18, Text: day.Format("01-02")})
		}
	}
	for _, v := range []int{0, top / 2, top} {
		c.YTicks = append(c.YTicks, chartLabel{X: c.Left - 6, Y: c.Bottom - plotH*float64(v)/float64(top), Text: fmt.Sprint(v)})
	}
	return c
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten (at least 2, so
// the middle tick is a whole number).
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// dayChart2 lays out several series of counts per day (each one per day,
// the first for day from) as grouped bars.
func dayChart2(title string, from time.Time, ss []series) barChart {
	c := barChart{Title: title, Class: "multi", Width: 1000, Height: 200, Left: 40, Top: 12, Right: 992, Bottom: 172}
	peak, days := 0, 0
	for i := range ss {
		days = max(days, len(ss[i].Counts))
		ss[i].Total = 0
		for _, n := range ss[i].Counts {
			ss[i].Total += n
			peak = max(peak, n)
		}
		c.Total += ss[i].Total
	}
	c.Series = ss
	if days == 0 {
		return c
	}
	top := niceCeil(peak)
	plotW, plotH := c.Right-c.Left, c.Bottom-c.Top
	slot := plotW / float64(days)
	w := slot * 0.8 / float64(len(ss))
	for i := 0; i < days; i++ {
		day := from.AddDate(0, 0, i)
		for j, s := range ss {
			n := 0
			if i < len(s.Counts) {
				n = s.Counts[i]
			}
			h := plotH * float64(n) / float64(top)
			c.Bars = append(c.Bars, chartBar{X: c.Left + float64(i)*slot + slot*0.1 + float64(j)*w, Y: c.Bottom - h, W: w, H: h, Class: s.Class,
				Tip: fmt.Sprintf("%s %s: %d", day.Format("2006-01-02"), s.Label, n)})
		}
		if (days-1-i)%7 == 0 {
			c.XLabels = append(c.XLabels, chartLabel{X: c.Left + float64(i)*slot + slot/2, Y: c.Bottom + 18, Text: day.Format("01-02")})
		}
	}
	c.YTicks = yTicks(c, top)
	return c
}

// categoryChart lays out one count per labelled category as bars.
func categoryChart(title, class string, labels []string, counts []int) barChart {
	c := barChart{Title: title, Class: class, Width: 480, Height: 180, Left: 36, Top: 12, Right: 472, Bottom: 152}
	peak := 0
	for _, n := range counts {
		c.Total += n
		peak = max(peak, n)
	}
	top := niceCeil(peak)
	plotW, plotH := c.Right-c.Left, c.Bottom-c.Top
	slot := plotW / float64(max(len(counts), 1))
	for i, n := range counts {
		h := plotH * float64(n) / float64(top)
		c.Bars = append(c.Bars, chartBar{X: c.Left + float64(i)*slot + slot*0.15, Y: c.Bottom - h, W: slot * 0.7, H: h,
			Tip: fmt.Sprintf("%s: %d", labels[i], n)})
		c.XLabels = append(c.XLabels, chartLabel{X: c.Left + float64(i)*slot + slot/2, Y: c.Bottom + 18, Text: labels[i]})
	}
	c.YTicks = yTicks(c, top)
	return c
}

func yTicks(c barChart, top int) []chartLabel {
	plotH := c.Bottom - c.Top
	var out []chartLabel
	for _, v := range []int{0, top / 2, top} {
		out = append(out, chartLabel{X: c.Left - 6, Y: c.Bottom - plotH*float64(v)/float64(top), Text: fmt.Sprint(v)})
	}
	return out
}
