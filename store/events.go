package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
)

// Incoming is a validated event with the bytes it arrived as.
type Incoming struct {
	Event *fairmark.Event
	Raw   []byte
}

// Append stores evs and their projections in one transaction and reports,
// for each, whether it was new (true) or a duplicate of an id already
// stored or earlier in the same batch (false). When Append returns nil the
// new events are durable.
func (db *DB) Append(ctx context.Context, evs []Incoming) ([]bool, error) {
	isNew := make([]bool, len(evs))
	if len(evs) == 0 {
		return isNew, nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p := projector{db: db, tx: tx, ctx: ctx}
	defer p.close()
	now := db.Now().UnixNano()
	// Insert in chunks with one multi-row statement each; RETURNING names
	// the ids that were new (ON CONFLICT skips the others).
	const chunk = 200
	for lo := 0; lo < len(evs); lo += chunk {
		part := evs[lo:min(lo+chunk, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO events (id, type, at_ns, body, received_ns) VALUES `)
		args := make([]any, 0, 5*len(part))
		for i, in := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?)")
			e := in.Event
			args = append(args, string(e.ID), string(e.Type), ns(e.At), in.Raw, now)
		}
		q.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
		rows, err := tx.QueryContext(ctx, db.q(q.String()), args...)
		if err != nil {
			return nil, fmt.Errorf("store events: %w", err)
		}
		inserted := make(map[string]bool, len(part))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i, in := range part {
			id := string(in.Event.ID)
			if !inserted[id] {
				continue
			}
			delete(inserted, id) // a second copy in the same batch is a duplicate
			isNew[lo+i] = true
			if err := p.apply(in.Event); err != nil {
				return nil, fmt.Errorf("project event %s: %w", id, err)
			}
		}
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("project events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return isNew, nil
}

// EventCount returns the number of events stored.
func (db *DB) EventCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

// Events calls fn with the stored bytes of every event, in no particular
// order (callers sort into engine order). It stops at the first error fn
// returns.
func (db *DB) Events(ctx context.Context, fn func(raw []byte) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT body FROM events`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EventByID returns the stored bytes of one event; ENOTFOUND if absent.
func (db *DB) EventByID(ctx context.Context, id fairmark.EventID) ([]byte, error) {
	var raw []byte
	err := db.r.QueryRowContext(ctx, db.q(`SELECT body FROM events WHERE id = ?`), string(id)).Scan(&raw)
	return raw, notFound(err, "event", id)
}

// projector keeps the projection tables in step with the event log. Each
// update is written so that the result does not depend on the order events
// arrive in: later event times win, first ones are kept by min().
//
// Rows are buffered per statement and written as multi-row statements. Two
// updates of the same row must run in order, so a row whose key is already
// pending flushes everything first.
type projector struct {
	db      *DB
	tx      *sql.Tx
	ctx     context.Context
	pending map[string]*pendingOp
	order   []*pendingOp
	keys    map[string]struct{}
}

type pendingOp struct {
	prefix, row, suffix string
	rows                [][]any
}

const projectChunk = 200

// exec queues one row of query, an INSERT … VALUES (…) [ON CONFLICT …]
// whose first argument is the row's key.
func (p *projector) exec(query string, args ...any) error {
	if p.pending == nil {
		p.pending, p.keys = map[string]*pendingOp{}, map[string]struct{}{}
	}
	table, _, _ := strings.Cut(strings.TrimPrefix(query, "INSERT INTO "), " ")
	key := table + "\x00" + fmt.Sprint(args[0])
	if _, dup := p.keys[key]; dup {
		if err := p.flush(); err != nil {
			return err
		}
	}
	op := p.pending[query]
	if op == nil {
		vi := strings.Index(query, "VALUES (")
		end := strings.Index(query[vi:], ")") + vi + 1
		op = &pendingOp{prefix: query[:vi+len("VALUES ")], row: query[vi+len("VALUES ") : end], suffix: query[end:]}
		p.pending[query] = op
	}
	if len(op.rows) == 0 {
		p.order = append(p.order, op)
	}
	op.rows = append(op.rows, args)
	p.keys[key] = struct{}{}
	if len(op.rows) >= projectChunk {
		return p.flush()
	}
	return nil
}

// flush writes every pending row.
func (p *projector) flush() error {
	for _, op := range p.order {
		if len(op.rows) == 0 {
			continue
		}
		var q strings.Builder
		q.WriteString(op.prefix)
		var args []any
		for i, r := range op.rows {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(op.row)
			args = append(args, r...)
		}
		q.WriteString(op.suffix)
		if _, err := p.tx.ExecContext(p.ctx, p.db.q(q.String()), args...); err != nil {
			return err
		}
		op.rows = op.rows[:0]
	}
	p.order = p.order[:0]
	clear(p.keys)
	return nil
}

func (p *projector) close() {}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *projector) apply(e *fairmark.Event) error {
	at := ns(e.At)
	switch e.Type {
	case fairmark.AccountOpened:
		a := e.Account
		var l fairmark.Links
		if a.Links != nil {
			l = *a.Links
		}
		return p.exec(`INSERT INTO accounts (id, role, name, opened_ns, device, ip, phone, payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET opened_ns = excluded.opened_ns, role = excluded.role, name = excluded.name,
			device = excluded.device, ip = excluded.ip, phone = excluded.phone, payment = excluded.payment
			WHERE excluded.opened_ns < accounts.opened_ns`,
			string(a.ID), string(a.Role), a.Name, at, l.Device, l.IP, l.Phone, l.Payment)
	case fairmark.OrderPlaced:
		o := e.Order
		var it fairmark.Item
		if o.Item != nil {
			it = *o.Item
		}
		var amt int64
		var cur string
		if o.Amount != nil {
			amt, cur = int64(o.Amount.Value), o.Amount.Currency
		}
		return p.exec(`INSERT INTO orders (id, buyer, seller, item_id, title, category, digital, amount, currency, placed_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET buyer = excluded.buyer, seller = excluded.seller, item_id = excluded.item_id, title = excluded.title,
			category = excluded.category, digital = excluded.digital, amount = excluded.amount, currency = excluded.currency, placed_ns = excluded.placed_ns`,
			string(o.ID), string(o.Buyer), string(o.Seller), string(it.ID), it.Title, it.Category, b2i(it.Digital), amt, cur, at)
	case fairmark.OrderDelivered:
		return p.exec(`INSERT INTO orders (id, delivered_ns) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET delivered_ns = CASE WHEN orders.delivered_ns IS NULL OR excluded.delivered_ns < orders.delivered_ns THEN excluded.delivered_ns ELSE orders.delivered_ns END`,
			string(e.Order.ID), at)
	case fairmark.OrderRefunded:
		var amt sql.NullInt64
		if e.Order.Amount != nil {
			amt = sql.NullInt64{Int64: int64(e.Order.Amount.Value), Valid: true}
		}
		return p.exec(`INSERT INTO orders (id, refunded_ns, refund_amount) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET refunded_ns = excluded.refunded_ns, refund_amount = excluded.refund_amount`,
			string(e.Order.ID), at, amt)
	case fairmark.FeedbackLeft:
		f := e.Feedback
		// The left state is the current one unless a later revision came first.
		return p.exec(`INSERT INTO feedback (id, order_id, buyer, seller, rating, stars, text, first_rating, left_ns, state_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET order_id = excluded.order_id, buyer = excluded.buyer, seller = excluded.seller,
			first_rating = excluded.first_rating, left_ns = excluded.left_ns,
			rating = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.rating ELSE feedback.rating END,
			stars = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.stars ELSE feedback.stars END,
			text = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.text ELSE feedback.text END,
			state_ns = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.state_ns ELSE feedback.state_ns END`,
			string(f.ID), string(f.Order), string(f.Buyer), string(f.Seller), string(f.Rating), f.Stars, f.Text, string(f.Rating), at, at)
	case fairmark.FeedbackRevised:
		f := e.Feedback
		return p.exec(`INSERT INTO feedback (id, rating, stars, text, state_ns, revisions) VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (id) DO UPDATE SET revisions = feedback.revisions + 1,
			rating = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.rating <> '' THEN excluded.rating ELSE feedback.rating END,
			stars = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.stars <> 0 THEN excluded.stars ELSE feedback.stars END,
			text = CASE WHEN feedback.state_ns <= excluded.state_ns AND excluded.text <> '' THEN excluded.text ELSE feedback.text END,
			state_ns = CASE WHEN feedback.state_ns <= excluded.state_ns THEN excluded.state_ns ELSE feedback.state_ns END`,
			string(f.ID), string(f.Rating), f.Stars, f.Text, at)
	case fairmark.FeedbackWithdrawn:
		return p.exec(`INSERT INTO feedback (id, withdrawn_ns) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET withdrawn_ns = CASE WHEN feedback.withdrawn_ns IS NULL OR excluded.withdrawn_ns < feedback.withdrawn_ns THEN excluded.withdrawn_ns ELSE feedback.withdrawn_ns END`,
			string(e.Feedback.ID), at)
	case fairmark.MessageSent:
		m := e.Message
		return p.exec(`INSERT INTO messages (id, conversation, order_id, sender, recipient, text, event_id, at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			string(m.ID), string(m.Conversation), string(m.Order), string(m.From), string(m.To), m.Text, string(e.ID), at)
	case fairmark.ReportFiled:
		r := e.Report
		var paid sql.NullInt64
		var cur string
		if r.Paid != nil {
			paid, cur = sql.NullInt64{Int64: int64(r.Paid.Value), Valid: true}, r.Paid.Currency
		}
		ev := r.Evidence
		if ev == nil {
			ev = []fairmark.EvidenceRef{}
		}
		evj, _ := json.Marshal(ev)
		return p.exec(`INSERT INTO reports (id, reporter, accused, order_id, feedback, kind, text, paid, currency, evidence, event_id, at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			string(r.ID), string(r.Reporter), string(r.Accused), string(r.Order), string(r.Feedback), string(r.Kind), r.Text, paid, cur, string(evj), string(e.ID), at)
	case fairmark.ModerationAction:
		// Kept in the events table only: the engine replays reviewers'
		// decisions from the log; no projection table reads them.
		return nil
	}
	return nil
}

// Message is a stored chat message.
type Message struct {
	ID           fairmark.MessageID
	Conversation fairmark.ConversationID
	Order        fairmark.OrderID
	From, To     fairmark.AccountID
	Text         string
	At           time.Time
}

// Messages returns the messages of a conversation in time order.
func (db *DB) Messages(ctx context.Context, conv fairmark.ConversationID) ([]Message, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, conversation, order_id, sender, recipient, text, at_ns FROM messages WHERE conversation = ? ORDER BY at_ns, id`), string(conv))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var at int64
		if err := rows.Scan(&m.ID, &m.Conversation, &m.Order, &m.From, &m.To, &m.Text, &at); err != nil {
			return nil, err
		}
		m.At = time.Unix(0, at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// FeedbackRow is the projected state of one feedback.
type FeedbackRow struct {
	ID                  fairmark.FeedbackID
	Order               fairmark.OrderID
	Buyer, Seller       fairmark.AccountID
	Rating, FirstRating fairmark.Rating
	Stars               int
	Text                string
	Left, Withdrawn     time.Time
	Revisions           int
}

// FeedbackRow returns the projection of one feedback; ENOTFOUND if absent.
func (db *DB) FeedbackRow(ctx context.Context, id fairmark.FeedbackID) (FeedbackRow, error) {
	var f FeedbackRow
	var left, wd sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT id, order_id, buyer, seller, rating, first_rating, stars, text, left_ns, withdrawn_ns, revisions FROM feedback WHERE id = ?`), string(id)).
		Scan(&f.ID, &f.Order, &f.Buyer, &f.Seller, &f.Rating, &f.FirstRating, &f.Stars, &f.Text, &left, &wd, &f.Revisions)
	f.Left, f.Withdrawn = fromNS(left), fromNS(wd)
	return f, notFound(err, "feedback", id)
}

// UnloggedEvidence returns the stored bytes of message and report events
// that have no record in the evidence log yet, in arrival order: what the
// server appends to the log at start after a crash between the two.
func (db *DB) UnloggedEvidence(ctx context.Context) ([][]byte, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT e.body FROM events e WHERE e.id IN (
		SELECT m.event_id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM evidence_records r WHERE r.kind = 'message' AND r.ref = m.id)
		UNION
		SELECT p.event_id FROM reports p WHERE NOT EXISTS (SELECT 1 FROM evidence_records r WHERE r.kind = 'report' AND r.ref = p.id)
	) ORDER BY e.received_ns, e.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Decision is a stored engine decision.
type Decision struct {
	Key      string
	Kind     string
	At       time.Time
	Event    fairmark.EventID
	Account  fairmark.AccountID
	Seller   fairmark.AccountID
	Feedback fairmark.FeedbackID
	Body     []byte // the decision as JSON
}

// SaveDecisions stores decisions, ignoring any whose key is already stored.
func (db *DB) SaveDecisions(ctx context.Context, ds []Decision) error {
	if len(ds) == 0 {
		return nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, db.q(`INSERT INTO decisions (key, kind, at_ns, event_id, account, seller, feedback, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range ds {
		if _, err := st.ExecContext(ctx, d.Key, d.Kind, ns(d.At), string(d.Event), string(d.Account), string(d.Seller), string(d.Feedback), string(d.Body)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// DecisionFilter selects decisions; empty fields match everything.
type DecisionFilter struct {
	Kind    string
	Seller  fairmark.AccountID
	Account fairmark.AccountID
	Limit   int // default 100
}

// Decisions returns stored decisions, newest first.
func (db *DB) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	q := `SELECT key, kind, at_ns, event_id, account, seller, feedback, body FROM decisions WHERE 1=1`
	var args []any
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Seller != "" {
		q += ` AND seller = ?`
		args = append(args, string(f.Seller))
	}
	if f.Account != "" {
		q += ` AND account = ?`
		args = append(args, string(f.Account))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY at_ns DESC, key LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		var at int64
		var body string
		if err := rows.Scan(&d.Key, &d.Kind, &at, &d.Event, &d.Account, &d.Seller, &d.Feedback, &body); err != nil {
			return nil, err
		}
		d.At, d.Body = time.Unix(0, at).UTC(), []byte(body)
		out = append(out, d)
	}
	return out, rows.Err()
}
