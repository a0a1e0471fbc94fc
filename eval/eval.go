// Package eval measures the engine against labelled accounts: recall,
// precision, false-positive rate, ROC-AUC, time to flag (in extortion
// remarks and in hours) and how many negatives were held, for
// `fairmark eval` and the tests that hold the engine to its targets.
package eval

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
)

// Positive is the label that marks an extortionist.
const Positive = "extortionist"

// ReadLabels reads `account,label` CSV (a header row is allowed).
func ReadLabels(r io.Reader) (map[fairmark.AccountID]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	out := map[fairmark.AccountID]string{}
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("labels line %d: %w", line, err)
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("labels line %d: want account,label", line)
		}
		if line == 1 && rec[0] == "account" {
			continue
		}
		out[fairmark.AccountID(strings.TrimSpace(rec[0]))] = strings.TrimSpace(rec[1])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("labels: no rows")
	}
	return out, nil
}

// Report is the evaluation of one run.
type Report struct {
	Positives, Negatives int // labelled accounts that are / are not extortionists (buyers only)
	TP, FP, FN           int
	Recall, Precision    float64
	FPR                  float64
	AUC                  float64
	// Time to flag, over flagged extortionists: the number of their own
	// negative remarks up to the flag, and hours from their first negative.
	MedianRemarksToFlag float64
	MedianHoursToFlag   float64
	// Negatives held at the end, by extortionists and by everyone else.
	ExtortionNegatives, ExtortionHeld int
	HonestNegatives, HonestHeld       int
	FalsePositives                    []fairmark.AccountID
	Missed                            []fairmark.AccountID
	// Calibration: the Brier score of risk, and per risk decile the mean
	// risk against the share of extortionists.
	Brier float64
	Bins  []Bin
}

// Bin is one calibration bin: accounts whose risk fell in [Lo, Hi).
type Bin struct {
	Lo, Hi   float64
	N        int
	MeanRisk float64
	Positive float64 // share of extortionists
}

// Evaluate compares en's end state with labels. Accounts absent from labels
// are not counted; sellers are not counted.
func Evaluate(en *engine.Engine, labels map[fairmark.AccountID]string) Report {
	var r Report
	negTimes := map[fairmark.AccountID][]time.Time{}
	for _, id := range en.FeedbackIDs() {
		f, _ := en.Feedback(id)
		if f.First == fairmark.Negative {
			negTimes[f.Buyer] = append(negTimes[f.Buyer], f.Left)
		}
	}
	for _, ts := range negTimes {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	}
	type scored struct {
		risk float64
		pos  bool
	}
	var all []scored
	var remarks, hours []float64
	for id, label := range labels {
		v, ok := en.Account(id)
		if !ok || v.Role == fairmark.Seller {
			continue
		}
		pos := label == Positive
		all = append(all, scored{v.Risk, pos})
		switch {
		case pos && v.Flagged:
			r.TP++
		case pos:
			r.FN++
			r.Missed = append(r.Missed, id)
		case v.Flagged:
			r.FP++
			r.FalsePositives = append(r.FalsePositives, id)
		}
		if pos {
			r.Positives++
		} else {
			r.Negatives++
		}
		if pos && v.FirstFlaggedAt != nil {
			ts := negTimes[id]
			n := 0
			for _, t := range ts {
				if !t.After(*v.FirstFlaggedAt) {
					n++
				}
			}
			remarks = append(remarks, float64(n))
			if len(ts) > 0 {
				hours = append(hours, math.Max(0, v.FirstFlaggedAt.Sub(ts[0]).Hours()))
			}
		}
	}
	for _, id := range en.FeedbackIDs() {
		f, _ := en.Feedback(id)
		if f.First != fairmark.Negative {
			continue
		}
		label, ok := labels[f.Buyer]
		if !ok {
			continue
		}
		if label == Positive {
			r.ExtortionNegatives++
			if f.Held {
				r.ExtortionHeld++
			}
		} else {
			r.HonestNegatives++
			if f.Held {
				r.HonestHeld++
			}
		}
	}
	r.Recall = ratio(r.TP, r.TP+r.FN)
	r.Precision = ratio(r.TP, r.TP+r.FP)
	r.FPR = ratio(r.FP, r.Negatives)
	r.MedianRemarksToFlag = median(remarks)
	r.MedianHoursToFlag = median(hours)
	sort.Slice(r.FalsePositives, func(i, j int) bool { return r.FalsePositives[i] < r.FalsePositives[j] })
	sort.Slice(r.Missed, func(i, j int) bool { return r.Missed[i] < r.Missed[j] })
	risks := make([]float64, len(all))
	pos := make([]bool, len(all))
	for i, s := range all {
		risks[i], pos[i] = s.risk, s.pos
	}
	r.AUC = AUC(risks, pos)
	r.Brier, r.Bins = calibration(risks, pos)
	return r
}

func calibration(risks []float64, pos []bool) (float64, []Bin) {
	bins := make([]Bin, 10)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/10, float64(i+1)/10
	}
	brier := 0.0
	for i, p := range risks {
		y := 0.0
		if pos[i] {
			y = 1
		}
		brier += (p - y) * (p - y)
		b := min(int(p*10), 9)
		bins[b].N++
		bins[b].MeanRisk += p
		bins[b].Positive += y
	}
	for i := range bins {
		if bins[i].N > 0 {
			bins[i].MeanRisk /= float64(bins[i].N)
			bins[i].Positive /= float64(bins[i].N)
		}
	}
	if len(risks) == 0 {
		return math.NaN(), bins
	}
	return brier / float64(len(risks)), bins
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// AUC is the ROC area: the probability that a random positive scores above
// a random negative, ties counting half. NaN without both classes.
func AUC(scores []float64, pos []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var np, nn float64
	rankSum := 0.0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if pos[idx[k]] {
				rankSum += avg
				np++
			} else {
				nn++
			}
		}
		i = j
	}
	if np == 0 || nn == 0 {
		return math.NaN()
	}
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// HeldShare returns held/total, NaN when total is 0.
func HeldShare(held, total int) float64 { return ratio(held, total) }

// Write prints r for a person.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "accounts: %d extortionists, %d others\n", r.Positives, r.Negatives)
	fmt.Fprintf(w, "recall %.4f  precision %.4f  false-positive rate %.5f  AUC %.4f\n", r.Recall, r.Precision, r.FPR, r.AUC)
	fmt.Fprintf(w, "flagged: %d true, %d false; missed %d\n", r.TP, r.FP, r.FN)
	fmt.Fprintf(w, "time to flag (median): %.1f extortion remarks, %.1f hours after the first\n", r.MedianRemarksToFlag, r.MedianHoursToFlag)
	fmt.Fprintf(w, "held at the end: %d/%d extortion negatives (%.1f%%), %d/%d other negatives (%.2f%%)\n",
		r.ExtortionHeld, r.ExtortionNegatives, 100*HeldShare(r.ExtortionHeld, r.ExtortionNegatives),
		r.HonestHeld, r.HonestNegatives, 100*HeldShare(r.HonestHeld, r.HonestNegatives))
	fmt.Fprintf(w, "calibration: Brier %.4f; risk bin: accounts, mean risk, share extortionists\n", r.Brier)
	for _, b := range r.Bins {
		if b.N > 0 {
			fmt.Fprintf(w, "  [%.1f,%.1f) %6d  %.3f  %.3f\n", b.Lo, b.Hi, b.N, b.MeanRisk, b.Positive)
		}
	}
	if len(r.FalsePositives) > 0 {
		fmt.Fprintf(w, "false positives: %s\n", joinIDs(r.FalsePositives, 20))
	}
	if len(r.Missed) > 0 {
		fmt.Fprintf(w, "missed: %s\n", joinIDs(r.Missed, 20))
	}
}

func joinIDs(ids []fairmark.AccountID, max int) string {
	var b strings.Builder
	for i, id := range ids {
		if i == max {
			fmt.Fprintf(&b, " … (+%d)", len(ids)-max)
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(string(id))
	}
	return b.String()
}
