package store

import (
	"context"
	"database/sql"
	"time"
)

// RuleSet is a published rule set.
type RuleSet struct {
	Seq         int64
	Hash        string
	Version     string
	Source      []byte
	PublishedBy string
	PublishedAt time.Time
}

// SaveRuleSet records a published rule set.
func (db *DB) SaveRuleSet(ctx context.Context, r RuleSet) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO rule_sets (hash, version, source, published_by, published_ns) VALUES (?, ?, ?, ?, ?)`),
		r.Hash, r.Version, string(r.Source), r.PublishedBy, ns(r.PublishedAt))
	return err
}

// LatestRuleSet returns the newest published rule set, or nil when none
// was published.
func (db *DB) LatestRuleSet(ctx context.Context) (*RuleSet, error) {
	var r RuleSet
	var src string
	var at int64
	err := db.r.QueryRowContext(ctx, `SELECT seq, hash, version, source, published_by, published_ns FROM rule_sets ORDER BY seq DESC LIMIT 1`).
		Scan(&r.Seq, &r.Hash, &r.Version, &src, &r.PublishedBy, &at)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	r.Source, r.PublishedAt = []byte(src), time.Unix(0, at).UTC()
	return &r, nil
}
