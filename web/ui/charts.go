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
}

type chartBar struct {
	X, Y, W, H float64
	Tip        string // shown on hover (an SVG <title>)
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
