package engine

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/reputation"
)

// The three Write…CSV methods may run concurrently with one another (not
// with Apply).

// WriteAccountsCSV writes accounts.csv of events.md:
// account,role,risk,flagged,first_flagged_at,reasons.
func (en *Engine) WriteAccountsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"account", "role", "risk", "flagged", "first_flagged_at", "reasons"})
	for _, a := range en.accountsByID.all() {
		first := ""
		if !a.bs().flaggedAt.isZero() {
			first = a.bs().flaggedAt.time().UTC().Format(time.RFC3339)
		}
		role := a.role.String()
		if role == "" {
			role = string(fairmark.Buyer)
		}
		cw.Write([]string{string(a.id), role, strconv.FormatFloat(a.risk, 'f', 4, 64),
			strconv.FormatBool(a.flagged), first, strings.Join(a.bs().reasons, " | ")})
	}
	cw.Flush()
	return cw.Error()
}

// WriteFeedbackCSV writes feedback.csv of events.md:
// feedback,seller,buyer,rating,held,counted,reason.
func (en *Engine) WriteFeedbackCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"feedback", "seller", "buyer", "rating", "held", "counted", "reason"})
	for _, f := range en.feedbackByID.all() {
		v := feedbackView(f)
		cw.Write([]string{string(v.ID), string(v.Seller), string(v.Buyer), string(v.Rating),
			strconv.FormatBool(v.Held), strconv.FormatBool(v.Counted), v.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// WriteSellersCSV writes sellers.csv of events.md:
// seller,score_raw,score_protected,negatives_raw,negatives_counted.
func (en *Engine) WriteSellersCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"seller", "score_raw", "score_protected", "negatives_raw", "negatives_counted"})
	for _, a := range en.accountsByID.all() {
		id := a.id
		if a.role != codeSeller && a.ss().rep == nil {
			continue
		}
		// The columns of Reputation(id), without the rest of its view.
		r := &reputation.Seller{}
		if a.ss().rep != nil {
			r = a.ss().rep
		}
		cw.Write([]string{string(id), strconv.Itoa(r.Raw.Score()), strconv.Itoa(r.Protected.Score()),
			strconv.Itoa(r.Raw.Negatives), strconv.Itoa(r.Protected.Negatives)})
	}
	cw.Flush()
	return cw.Error()
}
