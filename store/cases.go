package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/webhook"
)

// CaseWrite is one decision on a case: the case as it is after, the events
// that made it so, the triggers it consumed and the webhooks it sends, all
// written in one transaction.
type CaseWrite struct {
	Case *cases.Case
	// Prev is the case's Seq before the events (0 for a new case); the
	// write fails with ECONFLICT if someone else changed it since.
	Prev     int
	Events   []cases.Event
	Triggers []string
	// Actions are the moderation.action events (as encoded) the decision
	// asks for, by event id; see PendingCaseActions.
	Actions map[fairmark.EventID][]byte
	// Webhooks are the messages per endpoint URL (webhook.Route).
	Webhooks map[string][]webhook.Message
}

// SaveCase writes a case decision atomically. Returns ECONFLICT if the case
// changed since Prev or a trigger was already consumed.
func (db *DB) SaveCase(ctx context.Context, w CaseWrite) error {
	c := w.Case
	state, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if w.Prev == 0 {
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO cases (id, accused, status, outcome, assignee, opened_ns, updated_ns, seq, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			string(c.ID), string(c.Accused), string(c.Status), string(c.Outcome), c.Assignee, ns(c.OpenedAt), ns(c.UpdatedAt), c.Seq, string(state))
		if err != nil {
			return fairmark.Errorf(fairmark.ECONFLICT, "case %s already exists", c.ID)
		}
	} else {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE cases SET status = ?, outcome = ?, assignee = ?, updated_ns = ?, seq = ?, state = ? WHERE id = ? AND seq = ?`),
			string(c.Status), string(c.Outcome), c.Assignee, ns(c.UpdatedAt), c.Seq, string(state), string(c.ID), w.Prev)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fairmark.Errorf(fairmark.ECONFLICT, "case %s changed meanwhile; reload it and try again", c.ID)
		}
	}
	var rows [][]any
	for _, e := range w.Events {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		rows = append(rows, []any{string(e.Case), e.Seq, ns(e.At), e.Actor, string(e.Kind), string(body)})
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO case_events (case_id, seq, at_ns, actor, kind, body) VALUES `, `(?, ?, ?, ?, ?, ?)`, ``, rows); err != nil {
		return fairmark.Errorf(fairmark.ECONFLICT, "case %s changed meanwhile: %v", c.ID, err)
	}
	rows = rows[:0]
	for _, v := range c.Victims {
		rows = append(rows, []any{string(v.Seller), string(c.ID)})
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO case_victims (seller, case_id) VALUES `, `(?, ?)`, ` ON CONFLICT DO NOTHING`, rows); err != nil {
		return err
	}
	for id, body := range w.Actions {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO case_actions (event_id, case_id, body) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING`), string(id), string(c.ID), string(body)); err != nil {
			return err
		}
	}
	for _, key := range w.Triggers {
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO case_triggers (key, case_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, string(c.ID))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fairmark.Errorf(fairmark.ECONFLICT, "trigger %s was already acted on", key)
		}
	}
	for _, r := range c.Restitution {
		var paid sql.NullInt64
		if r.Paid {
			paid = sql.NullInt64{Int64: ns(r.PaidAt), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO restitution (case_id, entry, victim, amount, currency, owed_ns, paid_ns, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (case_id, entry) DO UPDATE SET paid_ns = excluded.paid_ns, ref = excluded.ref`),
			string(c.ID), r.Entry, string(r.Victim), int64(r.Amount.Value), r.Amount.Currency, ns(r.OwedAt), paid, r.Ref); err != nil {
			return err
		}
	}
	for url, ms := range w.Webhooks {
		if err := db.enqueueWebhooksTx(ctx, tx, []string{url}, ms); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// PendingCaseActions returns the moderation.action events case decisions
// asked for that the event log does not hold yet.
func (db *DB) PendingCaseActions(ctx context.Context) ([][]byte, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT body FROM case_actions a WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id) ORDER BY event_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		out = append(out, []byte(body))
	}
	return out, rows.Err()
}

// CaseEventKeys returns "case/seq" for every case event, for the evidence
// catch-up.
func (db *DB) CaseEventKeys(ctx context.Context) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT case_id, seq FROM case_events`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		var seq int
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s/%d", id, seq)] = true
	}
	return out, rows.Err()
}

// UntriggeredReports returns the ids of stored reports no case has taken in.
func (db *DB) UntriggeredReports(ctx context.Context) ([]fairmark.EventID, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT r.event_id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM case_triggers t WHERE t.key = 'report:' || r.id) ORDER BY r.at_ns, r.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fairmark.EventID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, fairmark.EventID(id))
	}
	return out, rows.Err()
}

// HasTrigger reports whether a trigger was already acted on.
func (db *DB) HasTrigger(ctx context.Context, key string) (bool, error) {
	var id string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT case_id FROM case_triggers WHERE key = ?`), key).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// Case returns a case; ENOTFOUND if there is none.
func (db *DB) Case(ctx context.Context, id fairmark.CaseID) (*cases.Case, error) {
	var state string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT state FROM cases WHERE id = ?`), string(id)).Scan(&state)
	if err != nil {
		return nil, notFound(err, "case", id)
	}
	return decodeCase(state)
}

func decodeCase(state string) (*cases.Case, error) {
	var c cases.Case
	if err := json.Unmarshal([]byte(state), &c); err != nil {
		return nil, fmt.Errorf("stored case does not decode: %w", err)
	}
	return &c, nil
}

// ActiveCase returns the case against accused that is not closed, or nil.
func (db *DB) ActiveCase(ctx context.Context, accused fairmark.AccountID) (*cases.Case, error) {
	var state string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT state FROM cases WHERE accused = ? AND status <> 'closed' ORDER BY opened_ns LIMIT 1`), string(accused)).Scan(&state)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return decodeCase(state)
}

// CaseFilter selects cases; empty fields match everything.
type CaseFilter struct {
	Statuses []cases.Status
	Accused  fairmark.AccountID
	Victim   fairmark.AccountID // cases where this seller is a victim
	Assignee string
	Limit    int // default 500
}

// Cases returns the cases the filter selects, oldest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]*cases.Case, error) {
	q := `SELECT state FROM cases WHERE 1=1`
	var args []any
	if len(f.Statuses) > 0 {
		q += ` AND status IN (`
		for i, s := range f.Statuses {
			if i > 0 {
				q += `, `
			}
			q += `?`
			args = append(args, string(s))
		}
		q += `)`
	}
	if f.Accused != "" {
		q += ` AND accused = ?`
		args = append(args, string(f.Accused))
	}
	if f.Victim != "" {
		q += ` AND id IN (SELECT case_id FROM case_victims WHERE seller = ?)`
		args = append(args, string(f.Victim))
	}
	if f.Assignee != "" {
		q += ` AND assignee = ?`
		args = append(args, f.Assignee)
	}
	if f.Limit <= 0 {
		f.Limit = 500
	}
	q += ` ORDER BY opened_ns, id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cases.Case
	for rows.Next() {
		var state string
		if err := rows.Scan(&state); err != nil {
			return nil, err
		}
		c, err := decodeCase(state)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CaseEvents returns a case's events in order.
func (db *DB) CaseEvents(ctx context.Context, id fairmark.CaseID) ([]cases.Event, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT body FROM case_events WHERE case_id = ? ORDER BY seq`), string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Event
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e cases.Event
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return nil, fmt.Errorf("stored case event does not decode: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// TimelineRow is one entry of an account's activity in the projections.
type TimelineRow struct {
	At       time.Time
	Kind     string // order, delivered, feedback, withdrawn, message, report
	Account  fairmark.AccountID
	Other    fairmark.AccountID // the seller, or the other side of a message
	Order    fairmark.OrderID
	Feedback fairmark.FeedbackID
	Message  fairmark.MessageID
	Text     string
	Title    string
	Amount   fairmark.Money
	Digital  bool
	Rating   fairmark.Rating
	First    fairmark.Rating
}

// Timeline returns what account did as a buyer (orders, deliveries,
// remarks, withdrawals), the messages it sent or received and the reports
// against it, in time order, at most limit rows.
func (db *DB) Timeline(ctx context.Context, account fairmark.AccountID, limit int) ([]TimelineRow, error) {
	a := string(account)
	var out []TimelineRow
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, seller, title, amount, currency, digital, placed_ns, delivered_ns FROM orders WHERE buyer = ?`), a)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r TimelineRow
		var amt int64
		var digital int
		var placed, delivered sql.NullInt64
		if err := rows.Scan(&r.Order, &r.Other, &r.Title, &amt, &r.Amount.Currency, &digital, &placed, &delivered); err != nil {
			rows.Close()
			return nil, err
		}
		r.Account, r.Amount.Value, r.Digital = account, fairmark.Decimal(amt), digital != 0
		if placed.Valid {
			r.Kind, r.At = "order", fromNS(placed)
			out = append(out, r)
		}
		if delivered.Valid {
			r.Kind, r.At = "delivered", fromNS(delivered)
			out = append(out, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, db.q(`SELECT id, order_id, seller, rating, first_rating, text, left_ns, withdrawn_ns FROM feedback WHERE buyer = ?`), a)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r TimelineRow
		var left, wd sql.NullInt64
		if err := rows.Scan(&r.Feedback, &r.Order, &r.Other, &r.Rating, &r.First, &r.Text, &left, &wd); err != nil {
			rows.Close()
			return nil, err
		}
		r.Account = account
		if left.Valid {
			r.Kind, r.At = "feedback", fromNS(left)
			out = append(out, r)
		}
		if wd.Valid {
			r.Kind, r.At, r.Text = "withdrawn", fromNS(wd), ""
			out = append(out, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, db.q(`SELECT id, order_id, sender, recipient, text, at_ns FROM messages WHERE sender = ? UNION ALL SELECT id, order_id, sender, recipient, text, at_ns FROM messages WHERE recipient = ?`), a, a)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r TimelineRow
		var from, to fairmark.AccountID
		var at int64
		if err := rows.Scan(&r.Message, &r.Order, &from, &to, &r.Text, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r.Kind, r.At, r.Account, r.Other = "message", time.Unix(0, at).UTC(), from, to
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, db.q(`SELECT id, reporter, order_id, feedback, kind, text, at_ns FROM reports WHERE accused = ?`), a)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r TimelineRow
		var id, kind string
		var at int64
		if err := rows.Scan(&id, &r.Other, &r.Order, &r.Feedback, &kind, &r.Text, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r.Kind, r.At, r.Account, r.Title = "report", time.Unix(0, at).UTC(), account, id+" ("+kind+")"
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortTimeline(out)
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

func sortTimeline(rs []TimelineRow) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].At.Before(rs[j].At) })
}

// RestitutionRow is one entry of the restitution ledger.
type RestitutionRow struct {
	Case   fairmark.CaseID
	Entry  int
	Victim fairmark.AccountID
	Amount fairmark.Money
	OwedAt time.Time
	PaidAt time.Time // zero: unpaid
	Ref    string
}

// Restitution returns the ledger, oldest first; victim "" for every victim.
func (db *DB) Restitution(ctx context.Context, victim fairmark.AccountID) ([]RestitutionRow, error) {
	q := `SELECT case_id, entry, victim, amount, currency, owed_ns, paid_ns, ref FROM restitution`
	var args []any
	if victim != "" {
		q += ` WHERE victim = ?`
		args = append(args, string(victim))
	}
	q += ` ORDER BY owed_ns, case_id, entry`
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RestitutionRow
	for rows.Next() {
		var r RestitutionRow
		var amt, owed int64
		var paid sql.NullInt64
		if err := rows.Scan(&r.Case, &r.Entry, &r.Victim, &amt, &r.Amount.Currency, &owed, &paid, &r.Ref); err != nil {
			return nil, err
		}
		r.Amount.Value, r.OwedAt, r.PaidAt = fairmark.Decimal(amt), time.Unix(0, owed).UTC(), fromNS(paid)
		out = append(out, r)
	}
	return out, rows.Err()
}

// OrderParties returns an order's buyer and seller; ENOTFOUND if unknown.
func (db *DB) OrderParties(ctx context.Context, id fairmark.OrderID) (buyer, seller fairmark.AccountID, err error) {
	err = db.r.QueryRowContext(ctx, db.q(`SELECT buyer, seller FROM orders WHERE id = ?`), string(id)).Scan(&buyer, &seller)
	return buyer, seller, notFound(err, "order", id)
}
