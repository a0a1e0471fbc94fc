package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/webhook"
)

// Outbox returns the webhook.Outbox kept in db: messages and their
// deliveries, claimed by dispatchers under leases. Producers that decide
// something in a transaction enqueue its webhooks in the same transaction
// (enqueueWebhooksTx), so no decision commits without its notices.
func (db *DB) Outbox() *OutboxStorage { return &OutboxStorage{db: db} }

// OutboxStorage implements webhook.Outbox on the SQL store. Claims are
// safe across processes: on SQLite the claim is one write transaction
// (one writer at a time); on PostgreSQL the rows are picked with FOR
// UPDATE SKIP LOCKED and re-checked by the UPDATE that leases them.
type OutboxStorage struct{ db *DB }

var _ webhook.Outbox = (*OutboxStorage)(nil)

// EnqueueWebhooks enqueues msgs for every endpoint in a transaction of its
// own; see webhook.Outbox.Enqueue for the contract.
func (db *DB) EnqueueWebhooks(ctx context.Context, endpoints []string, msgs []webhook.Message) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.enqueueWebhooksTx(ctx, tx, endpoints, msgs); err != nil {
		return err
	}
	return tx.Commit()
}

// enqueueWebhooksTx enqueues msgs for every endpoint inside tx, the
// caller's transaction: the messages commit or roll back with it. Same
// contract as webhook.Outbox.Enqueue (idempotent on message id and
// endpoint; EINVALID, before anything is written, for a bad endpoint or
// message). Callers route messages to endpoints with webhook.Route.
func (db *DB) enqueueWebhooksTx(ctx context.Context, tx *sql.Tx, endpoints []string, msgs []webhook.Message) error {
	now := db.Now().UTC().Round(0)
	eps, ms, err := webhook.PrepareEnqueue(endpoints, msgs, now)
	if err != nil {
		return err
	}
	if len(eps) == 0 || len(ms) == 0 {
		return nil
	}
	var mrows, drows [][]any
	for _, m := range ms {
		mrows = append(mrows, []any{m.ID, m.Type, []byte(m.Payload), ns(m.CreatedAt)})
		for _, e := range eps {
			drows = append(drows, []any{string(webhook.DeliveryIDFor(m.ID, e)), m.ID, e, ns(now), ns(now), ns(now)})
		}
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO webhook_messages (id, type, payload, created_ns) VALUES `, `(?, ?, ?, ?)`, ` ON CONFLICT (id) DO NOTHING`, mrows); err != nil {
		return err
	}
	return db.insertRows(ctx, tx, `INSERT INTO webhook_deliveries (id, message_id, endpoint, status, next_ns, created_ns, updated_ns) VALUES `,
		`(?, ?, ?, 'pending', ?, ?, ?)`, ` ON CONFLICT (id) DO NOTHING`, drows)
}

// Enqueue implements webhook.Outbox.
func (s *OutboxStorage) Enqueue(ctx context.Context, endpoints []string, msgs []webhook.Message) error {
	return s.db.EnqueueWebhooks(ctx, endpoints, msgs)
}

const deliveryCols = `d.id, d.message_id, m.type, m.payload, m.created_ns, d.endpoint, d.status, d.attempts,
	d.next_ns, d.lease_until_ns, d.last_attempt_ns, d.last_status, d.last_error, d.delivered_ns, d.created_ns`

const deliveryFrom = ` FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id`

func scanDelivery(sc interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var id, status string
	var payload []byte
	var msgCreated, created int64
	var next, leaseUntil, lastAttempt, delivered sql.NullInt64
	err := sc.Scan(&id, &d.Message.ID, &d.Message.Type, &payload, &msgCreated, &d.Endpoint, &status, &d.Attempts,
		&next, &leaseUntil, &lastAttempt, &d.LastStatus, &d.LastError, &delivered, &created)
	if err != nil {
		return d, err
	}
	d.ID, d.Status = webhook.DeliveryID(id), webhook.Status(status)
	d.Message.Payload = append([]byte(nil), payload...)
	d.Message.CreatedAt = time.Unix(0, msgCreated).UTC()
	d.CreatedAt = time.Unix(0, created).UTC()
	d.NextAttemptAt, d.LeasedUntil, d.LastAttemptAt, d.DeliveredAt = fromNS(next), fromNS(leaseUntil), fromNS(lastAttempt), fromNS(delivered)
	return d, nil
}

func scanDeliveries(rows *sql.Rows) ([]webhook.Delivery, error) {
	defer rows.Close()
	var out []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Claim implements webhook.Outbox.
func (s *OutboxStorage) Claim(ctx context.Context, o webhook.ClaimOptions) ([]webhook.Delivery, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	db := s.db
	var b [16]byte
	rand.Read(b[:])
	lease := hex.EncodeToString(b[:])
	now := ns(o.Now)
	// The rows are picked once, in a materialized CTE (PostgreSQL could
	// otherwise run a LIMIT … SKIP LOCKED subquery more than once and
	// lease more than the limit). The due condition is checked again by
	// the UPDATE: on PostgreSQL a row another claim leased meanwhile is
	// re-checked against its new version and skipped.
	due := `status = 'pending' AND next_ns <= ? AND (lease_until_ns IS NULL OR lease_until_ns <= ?)`
	dueArgs := []any{now, now}
	if len(o.Endpoints) > 0 {
		due += ` AND endpoint IN (` + placeholders(len(o.Endpoints)) + `)`
		for _, e := range o.Endpoints {
			dueArgs = append(dueArgs, e)
		}
	}
	lock := ""
	if db.dialect == Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	query := `WITH picked AS MATERIALIZED (SELECT id FROM webhook_deliveries WHERE ` + due + ` ORDER BY next_ns, id LIMIT ?` + lock + `)
		UPDATE webhook_deliveries SET lease = ?, lease_until_ns = ?, attempts = attempts + 1, updated_ns = ?
		WHERE id IN (SELECT id FROM picked) AND ` + due + ` RETURNING id`
	args := append([]any{}, dueArgs...)
	args = append(args, o.Limit, lease, ns(o.Now.Add(o.Lease)), ns(db.Now()))
	args = append(args, dueArgs...)

	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err = tx.QueryContext(ctx, db.q(`SELECT `+deliveryCols+deliveryFrom+` WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.next_ns, d.id`), ids...)
	if err != nil {
		return nil, err
	}
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Lease = lease
	}
	return out, nil
}

// mark ends the lease of a pending delivery with set (SQL assignments and
// their args).
func (s *OutboxStorage) mark(ctx context.Context, id webhook.DeliveryID, lease, set string, args ...any) error {
	db := s.db
	args = append(args, ns(db.Now()), string(id), lease)
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE webhook_deliveries SET `+set+`, lease = NULL, lease_until_ns = NULL, updated_ns = ?
		WHERE id = ? AND status = 'pending' AND lease = ?`), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	var one int
	err = db.w.QueryRowContext(ctx, db.q(`SELECT 1 FROM webhook_deliveries WHERE id = ?`), string(id)).Scan(&one)
	if err != nil {
		return notFound(err, "delivery", id)
	}
	return fairmark.Errorf(fairmark.ECONFLICT, "delivery %s is no longer held by this claim", id)
}

// MarkDelivered implements webhook.Outbox.
func (s *OutboxStorage) MarkDelivered(ctx context.Context, id webhook.DeliveryID, lease string, a webhook.Attempt) error {
	return s.mark(ctx, id, lease, `status = 'delivered', next_ns = NULL, last_attempt_ns = ?, last_status = ?, last_error = '', delivered_ns = ?`,
		ns(a.At), a.Status, ns(a.At))
}

// MarkFailed implements webhook.Outbox.
func (s *OutboxStorage) MarkFailed(ctx context.Context, id webhook.DeliveryID, lease string, a webhook.Attempt, retryAt time.Time) error {
	if retryAt.IsZero() {
		return s.mark(ctx, id, lease, `status = 'dead', next_ns = NULL, last_attempt_ns = ?, last_status = ?, last_error = ?`,
			ns(a.At), a.Status, a.Error)
	}
	return s.mark(ctx, id, lease, `next_ns = ?, last_attempt_ns = ?, last_status = ?, last_error = ?`,
		ns(retryAt), ns(a.At), a.Status, a.Error)
}

// Delivery implements webhook.Outbox.
func (s *OutboxStorage) Delivery(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error) {
	d, err := scanDelivery(s.db.r.QueryRowContext(ctx, s.db.q(`SELECT `+deliveryCols+deliveryFrom+` WHERE d.id = ?`), string(id)))
	if err != nil {
		return webhook.Delivery{}, notFound(err, "delivery", id)
	}
	return d, nil
}

// Deliveries implements webhook.Outbox.
func (s *OutboxStorage) Deliveries(ctx context.Context, f webhook.DeliveryFilter) ([]webhook.Delivery, error) {
	f, err := f.Normalize()
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	for _, c := range []struct {
		col, val string
	}{{"d.status", string(f.Status)}, {"m.type", f.Type}, {"d.message_id", f.MessageID}, {"d.endpoint", f.Endpoint}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	query := `SELECT ` + deliveryCols + deliveryFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY d.created_ns DESC, d.id LIMIT ?`
	rows, err := s.db.r.QueryContext(ctx, s.db.q(query), append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	return scanDeliveries(rows)
}

// Replay implements webhook.Outbox.
func (s *OutboxStorage) Replay(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error) {
	db := s.db
	now := ns(db.Now())
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return webhook.Delivery{}, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE webhook_deliveries SET status = 'pending', next_ns = ?, attempts = 0,
		lease = NULL, lease_until_ns = NULL, delivered_ns = NULL, updated_ns = ? WHERE id = ?`), now, now, string(id))
	if err != nil {
		return webhook.Delivery{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return webhook.Delivery{}, err
	} else if n == 0 {
		return webhook.Delivery{}, fairmark.Errorf(fairmark.ENOTFOUND, "delivery %s not found", id)
	}
	d, err := scanDelivery(tx.QueryRowContext(ctx, db.q(`SELECT `+deliveryCols+deliveryFrom+` WHERE d.id = ?`), string(id)))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return webhook.Delivery{}, notFound(err, "delivery", id)
		}
		return webhook.Delivery{}, err
	}
	return d, tx.Commit()
}
