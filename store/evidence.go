package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairmark/fairmark/evidence"
)

// Evidence returns the evidence.Storage kept in db: records, tree hashes,
// checkpoints and uploaded blobs, each Append in one transaction.
func (db *DB) Evidence() *EvidenceStorage { return &EvidenceStorage{db: db} }

// EvidenceStorage implements evidence.Storage on the SQL store.
type EvidenceStorage struct {
	db       *DB
	failNext error
}

var _ evidence.Storage = (*EvidenceStorage)(nil)

// FailNextAppendMidway makes the next Append fail with err after writing its
// records and before writing their hashes, inside the transaction, which
// then rolls back (a crash test hook for the conformance suite).
func (s *EvidenceStorage) FailNextAppendMidway(err error) { s.failNext = err }

func us(t time.Time) int64 { return t.UnixMicro() }

// Append implements evidence.Storage.
func (s *EvidenceStorage) Append(ctx context.Context, recs []evidence.Record, hashes []tlog.Hash) error {
	if len(recs) == 0 {
		return fmt.Errorf("%w: no records", evidence.ErrInvalid)
	}
	first := recs[0].Index
	for i, r := range recs {
		if r.Index != first+int64(i) {
			return fmt.Errorf("%w: record indexes are not contiguous", evidence.ErrInvalid)
		}
	}
	last := recs[len(recs)-1].Index
	if want := tlog.StoredHashCount(last+1) - tlog.StoredHashCount(first); int64(len(hashes)) != want {
		return fmt.Errorf("%w: %d hashes for records %d..%d, want %d", evidence.ErrInvalid, len(hashes), first, last, want)
	}
	db := s.db
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var size int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_records`).Scan(&size); err != nil {
		return err
	}
	if first != size {
		return fmt.Errorf("%w: append at %d, log size is %d", evidence.ErrConflict, first, size)
	}
	// Multi-row inserts, a few hundred rows a statement: one statement per
	// row costs more than the rows themselves.
	if err := s.failNext; err != nil {
		// A crash after the records and before their hashes: nothing of
		// the batch may stay (the transaction rolls back).
		s.failNext = nil
		if _, err2 := tx.ExecContext(ctx, db.q(`INSERT INTO evidence_scopes (type, id, idx) VALUES (?, ?, ?)`), "crash-test", "x", first); err2 != nil {
			return err2
		}
		return err
	}
	// Split the new stored hashes by the record that added them.
	perRecord := make([][]byte, len(recs))
	start := tlog.StoredHashIndex(0, first)
	for i, h := range hashes {
		level, node := tlog.SplitStoredHashIndex(start + int64(i))
		n := ((node + 1) << level) - 1
		k := n - first
		if k < 0 || k >= int64(len(recs)) {
			return fmt.Errorf("%w: stored hash %d belongs to no record of this batch", evidence.ErrInvalid, start+int64(i))
		}
		perRecord[k] = append(perRecord[k], h[:]...)
	}
	recRows := make([][]any, 0, len(recs))
	var scopeRows [][]any
	for i, r := range recs {
		scopes, err := json.Marshal(r.Scopes)
		if err != nil {
			return err
		}
		var content any
		if r.Content != nil {
			content = r.Content
		}
		recRows = append(recRows, []any{r.Index, r.Kind, r.Ref, us(r.At), us(r.Logged), content, r.ContentSHA256[:], b2i(r.Redacted), string(scopes), perRecord[i]})
		for _, sc := range r.Scopes {
			scopeRows = append(scopeRows, []any{sc.Type, sc.ID, r.Index})
		}
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO evidence_records (idx, kind, ref, at_us, logged_us, content, sha, redacted, scopes, hashes) VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", recRows); err != nil {
		return err
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO evidence_scopes (type, id, idx) VALUES `, "(?, ?, ?)", " ON CONFLICT DO NOTHING", scopeRows); err != nil {
		return err
	}
	return tx.Commit()
}

// Size implements evidence.Storage.
func (s *EvidenceStorage) Size(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_records`).Scan(&n)
	return n, err
}

// ReadHashes implements evidence.Storage. A stored hash lives in the row
// of the record that added it: hash (level L, node m) was added by record
// ((m+1) << L) − 1, as its L-th hash.
func (s *EvidenceStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	st, err := s.db.r.PrepareContext(ctx, s.db.q(`SELECT hashes FROM evidence_records WHERE idx = ?`))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var b []byte
	for i, idx := range indexes {
		if idx < 0 {
			return nil, fmt.Errorf("%w: stored hash %d", evidence.ErrNotFound, idx)
		}
		level, node := tlog.SplitStoredHashIndex(idx)
		rec := ((node + 1) << level) - 1
		if err := st.QueryRowContext(ctx, rec).Scan(&b); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("%w: stored hash %d", evidence.ErrNotFound, idx)
			}
			return nil, err
		}
		if len(b) < (level+1)*tlog.HashSize {
			return nil, fmt.Errorf("%w: stored hash %d", evidence.ErrNotFound, idx)
		}
		copy(out[i][:], b[level*tlog.HashSize:])
	}
	return out, nil
}

const recordCols = `idx, kind, ref, at_us, logged_us, content, sha, redacted, scopes`

func scanRecord(sc interface{ Scan(...any) error }) (evidence.Record, error) {
	var r evidence.Record
	var at, logged int64
	var content, sha []byte
	var redacted int
	var scopes string
	if err := sc.Scan(&r.Index, &r.Kind, &r.Ref, &at, &logged, &content, &sha, &redacted, &scopes); err != nil {
		return r, err
	}
	r.At, r.Logged = time.UnixMicro(at).UTC(), time.UnixMicro(logged).UTC()
	if content != nil {
		r.Content = append([]byte{}, content...)
	}
	copy(r.ContentSHA256[:], sha)
	r.Redacted = redacted != 0
	if err := json.Unmarshal([]byte(scopes), &r.Scopes); err != nil {
		return r, fmt.Errorf("record %d scopes: %w", r.Index, err)
	}
	return r, nil
}

// Records implements evidence.Storage.
func (s *EvidenceStorage) Records(ctx context.Context, scope evidence.Scope) ([]evidence.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, s.db.q(`SELECT `+recordCols+` FROM evidence_records WHERE idx IN
		(SELECT idx FROM evidence_scopes WHERE type = ? AND id = ?) ORDER BY idx`), scope.Type, scope.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []evidence.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Record implements evidence.Storage.
func (s *EvidenceStorage) Record(ctx context.Context, index int64) (evidence.Record, error) {
	r, err := scanRecord(s.db.r.QueryRowContext(ctx, s.db.q(`SELECT `+recordCols+` FROM evidence_records WHERE idx = ?`), index))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: record %d", evidence.ErrNotFound, index)
	}
	return r, err
}

// RecordsByRef returns the records of kind with ref, in index order: how
// the server finds whether an event is already logged.
func (s *EvidenceStorage) RecordsByRef(ctx context.Context, kind, ref string) ([]evidence.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, s.db.q(`SELECT `+recordCols+` FROM evidence_records WHERE kind = ? AND ref = ? ORDER BY idx`), kind, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Redact implements evidence.Storage.
func (s *EvidenceStorage) Redact(ctx context.Context, index int64) error {
	res, err := s.db.w.ExecContext(ctx, s.db.q(`UPDATE evidence_records SET content = NULL, redacted = 1 WHERE idx = ?`), index)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: record %d", evidence.ErrNotFound, index)
	}
	return nil
}

// SaveCheckpoint implements evidence.Storage.
func (s *EvidenceStorage) SaveCheckpoint(ctx context.Context, size int64, note []byte) error {
	_, err := s.db.w.ExecContext(ctx, s.db.q(`INSERT INTO evidence_checkpoints (size, note) VALUES (?, ?)`), size, note)
	return err
}

// LatestCheckpoint implements evidence.Storage.
func (s *EvidenceStorage) LatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	var size int64
	var note []byte
	err := s.db.w.QueryRowContext(ctx, `SELECT size, note FROM evidence_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&size, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fmt.Errorf("%w: no checkpoint", evidence.ErrNotFound)
	}
	return size, note, err
}

// PutBlob implements evidence.Storage.
func (s *EvidenceStorage) PutBlob(ctx context.Context, sha [32]byte, contentType string, data []byte) error {
	_, err := s.db.w.ExecContext(ctx, s.db.q(`INSERT INTO evidence_blobs (sha, content_type, data) VALUES (?, ?, ?) ON CONFLICT (sha) DO NOTHING`), sha[:], contentType, data)
	return err
}

// Blob implements evidence.Storage.
func (s *EvidenceStorage) Blob(ctx context.Context, sha [32]byte) (string, []byte, error) {
	var ct string
	var data []byte
	err := s.db.r.QueryRowContext(ctx, s.db.q(`SELECT content_type, data FROM evidence_blobs WHERE sha = ?`), sha[:]).Scan(&ct, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("%w: blob", evidence.ErrNotFound)
	}
	return ct, data, err
}

// RecordsByKind returns the records of one kind, in index order.
func (s *EvidenceStorage) RecordsByKind(ctx context.Context, kind string) ([]evidence.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, s.db.q(`SELECT `+recordCols+` FROM evidence_records WHERE kind = ? ORDER BY idx`), kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// insertRows runs prefix + row, row, … + suffix in statements of at most a
// few hundred rows.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, prefix, row, suffix string, rows [][]any) error {
	const chunk = 300
	for lo := 0; lo < len(rows); lo += chunk {
		part := rows[lo:min(lo+chunk, len(rows))]
		var q strings.Builder
		q.WriteString(prefix)
		var args []any
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, r...)
		}
		q.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, db.q(q.String()), args...); err != nil {
			return err
		}
	}
	return nil
}
