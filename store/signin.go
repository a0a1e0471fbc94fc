package store

import (
	"context"
	"time"
)

// SignInFailures returns the times of the failed sign-ins recorded under
// each of keys at or after since, oldest first (keys without any are
// absent). Every worker sharing the database sees the same failures.
func (db *DB) SignInFailures(ctx context.Context, since time.Time, keys ...string) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	for _, k := range keys {
		rows, err := db.r.QueryContext(ctx, db.q(`SELECT at_ns FROM signin_failures WHERE throttle_key = ? AND at_ns >= ? ORDER BY at_ns`), k, ns(since))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var at int64
			if err := rows.Scan(&at); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = append(out[k], time.Unix(0, at).UTC())
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordSignInFailure records a failed sign-in at under each of keys, and
// forgets every failure recorded before forget (they no longer count).
func (db *DB) RecordSignInFailure(ctx context.Context, at, forget time.Time, keys ...string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM signin_failures WHERE at_ns < ?`), ns(forget)); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO signin_failures (throttle_key, at_ns) VALUES (?, ?)`), k, ns(at)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ClearSignInFailures forgets the failures recorded under key (a user who
// signed in with the right password).
func (db *DB) ClearSignInFailures(ctx context.Context, key string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM signin_failures WHERE throttle_key = ?`), key)
	return err
}
