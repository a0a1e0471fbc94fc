package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fairmark/fairmark"
)

// Several workers on one PostgreSQL database (docs/SCALING.md): the event
// log in commit order, and leases of buyer partitions.

// appendLockKey is the advisory lock every transaction that inserts events
// takes on PostgreSQL before its first row goes into events (and keeps to
// its end), so commits are serialised and events.seq grows in commit
// order; work that touches no shared table, such as appendPG's staging in
// temporary tables, may come before it. leaseLockKey serialises lease
// rebalancing.
const (
	appendLockKey = 0x6661697201 // "fair" 1
	leaseLockKey  = 0x6661697202
)

// lockAppends takes the append lock in tx (PostgreSQL; a no-op on SQLite,
// whose single writer connection serialises commits already).
func (db *DB) lockAppends(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(appendLockKey))
	return err
}

// lockAppendsPgx is lockAppends for a transaction on the pgx connection
// under database/sql (appendPG).
func lockAppendsPgx(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(appendLockKey))
	return err
}

// errNoSeq is the error of the log-following calls on an embedded store.
var errNoSeq = fairmark.Errorf(fairmark.EINVALID, "following the event log by commit order needs PostgreSQL (several workers share one PostgreSQL database)")

// Seq is an event's position in the log by commit order.
type Seq = int64

// LastSeq returns the position of the last committed event (0: none).
func (db *DB) LastSeq(ctx context.Context) (Seq, error) {
	if db.dialect != Postgres {
		return 0, errNoSeq
	}
	var n sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT MAX(seq) FROM events`).Scan(&n)
	return n.Int64, err
}

// EventsAfter calls fn with the stored bytes of up to limit events
// committed after position after, in commit order, and returns the
// position of the last one (after itself when there is none). A caller
// that follows the log with it sees every event exactly once.
func (db *DB) EventsAfter(ctx context.Context, after Seq, limit int, fn func(seq Seq, raw []byte) error) (Seq, error) {
	if db.dialect != Postgres {
		return after, errNoSeq
	}
	rows, err := db.r.QueryContext(ctx, `SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return after, err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		var seq Seq
		if err := rows.Scan(&seq, &raw); err != nil {
			return after, err
		}
		if err := fn(seq, raw); err != nil {
			return after, err
		}
		after = seq
	}
	return after, rows.Err()
}

// EventsUpTo calls fn with every event at or before position upTo, in no
// particular order, and returns the log's last position when it started
// (which is upTo if upTo >= 0); a rebuild reads the log with it and then
// follows it from there with EventsAfter. On an embedded store it reads
// every event and returns 0.
func (db *DB) EventsUpTo(ctx context.Context, fn func(raw []byte) error) (Seq, error) {
	if db.dialect != Postgres {
		return 0, db.Events(ctx, fn)
	}
	last, err := db.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT body FROM events WHERE seq <= $1`, last)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var raw []byte
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return 0, err
		}
		if err := fn(raw); err != nil {
			return 0, err
		}
	}
	return last, rows.Err()
}

// Lease is one partition's holder.
type Lease struct {
	Part    int
	Owner   string
	Expires time.Time
	Epoch   int64
}

// AcquireLeases is one round of a worker's lease keeping: it records the
// worker as alive, renews the partitions it holds, gives back those above
// its fair share (parts / live workers, one more for the first
// parts % live of them by id) so a newcomer gets some, and
// takes free or expired ones up to that share. It returns the partitions
// the worker holds until now+ttl, sorted.
//
// Rounds are serialised (an advisory lock on PostgreSQL, the single writer
// on SQLite), so two workers never take the same partition in one round.
// A worker that misses its renewals for ttl loses its partitions to the
// others; it learns that at its next round.
func (db *DB) AcquireLeases(ctx context.Context, worker string, parts int, ttl time.Duration) ([]int, error) {
	if worker == "" || parts < 1 || ttl <= 0 {
		return nil, fairmark.Errorf(fairmark.EINVALID, "leases: worker id, a partition count ≥ 1 and a positive ttl are required")
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(leaseLockKey)); err != nil {
			return nil, err
		}
	}
	now := db.Now()
	nowNS, until := now.UnixNano(), now.Add(ttl).UnixNano()
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partition_leases`).Scan(&have); err != nil {
		return nil, err
	}
	if have > 0 && have != parts {
		return nil, fairmark.Errorf(fairmark.ECONFLICT, "leases: the database is split into %d partitions, this worker was started with %d; start every worker with the same --partitions", have, parts)
	}
	if have == 0 {
		for p := 0; p < parts; p++ {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO partition_leases (part) VALUES (?) ON CONFLICT (part) DO NOTHING`), p); err != nil {
				return nil, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO workers (id, seen_ns) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_ns = excluded.seen_ns`), worker, nowNS); err != nil {
		return nil, err
	}
	// The live workers, by id: the first parts%live hold one more.
	rows, err := tx.QueryContext(ctx, db.q(`SELECT id FROM workers WHERE seen_ns > ? ORDER BY id`), nowNS-int64(ttl))
	if err != nil {
		return nil, err
	}
	var live, rank int
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if id == worker {
			rank = live
		}
		live++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	live = max(live, 1)
	fair := parts / live
	if rank < parts%live {
		fair++
	}

	leases, err := readLeases(ctx, tx)
	if err != nil {
		return nil, err
	}
	var mine, free []int
	for _, l := range leases {
		switch {
		case l.Owner == worker:
			mine = append(mine, l.Part)
		case l.Owner == "" || l.Expires.UnixNano() <= nowNS:
			free = append(free, l.Part)
		}
	}
	// Give back the highest above the fair share.
	for len(mine) > fair {
		p := mine[len(mine)-1]
		mine = mine[:len(mine)-1]
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE partition_leases SET owner = '', expires_ns = 0 WHERE part = ?`), p); err != nil {
			return nil, err
		}
	}
	if len(mine) > 0 {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE partition_leases SET expires_ns = ? WHERE owner = ?`), until, worker); err != nil {
			return nil, err
		}
	}
	for _, p := range free {
		if len(mine) >= fair {
			break
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE partition_leases SET owner = ?, expires_ns = ?, epoch = epoch + 1 WHERE part = ?`), worker, until, p); err != nil {
			return nil, err
		}
		mine = append(mine, p)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	sort.Ints(mine)
	return mine, nil
}

// ReleaseLeases gives back every partition worker holds and marks it gone,
// so the others take its partitions at their next round instead of after
// the lease expires (a clean shutdown).
func (db *DB) ReleaseLeases(ctx context.Context, worker string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE partition_leases SET owner = '', expires_ns = 0 WHERE owner = ?`), worker); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM workers WHERE id = ?`), worker); err != nil {
		return err
	}
	return tx.Commit()
}

// Leases returns every partition's lease, by partition.
func (db *DB) Leases(ctx context.Context) ([]Lease, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return readLeases(ctx, tx)
}

func readLeases(ctx context.Context, tx *sql.Tx) ([]Lease, error) {
	rows, err := tx.QueryContext(ctx, `SELECT part, owner, expires_ns, epoch FROM partition_leases ORDER BY part`)
	if err != nil {
		return nil, fmt.Errorf("read leases: %w", err)
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var l Lease
		var exp int64
		if err := rows.Scan(&l.Part, &l.Owner, &exp, &l.Epoch); err != nil {
			return nil, err
		}
		l.Expires = time.Unix(0, exp).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// UnloggedEvidenceBefore is UnloggedEvidence for events received before
// t: a worker that takes over a dead worker's partitions logs what that
// worker stored but did not live to log, and leaves alone what live
// workers have just stored and are logging now.
func (db *DB) UnloggedEvidenceBefore(ctx context.Context, t time.Time) ([][]byte, error) {
	return db.unloggedEvidence(ctx, t.UnixNano())
}
