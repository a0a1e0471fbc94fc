package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
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

var (
	_ evidence.Storage  = (*EvidenceStorage)(nil)
	_ evidence.RefIndex = (*EvidenceStorage)(nil)
)

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
	if db.dialect == Postgres {
		// Writers in other processes append to the same log: the lock,
		// held until commit, orders them, so the size read below is the
		// one this transaction appends at and the loser of a race gets
		// ErrConflict (not a duplicate key). SQLite's BEGIN IMMEDIATE
		// (_txlock=immediate) does the same.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+evidenceLockClass+`, hashtext(current_schema()))`); err != nil {
			return err
		}
	}
	// The indexes are contiguous from 0, so the size is the largest
	// index + 1: a primary-key lookup, where COUNT(*) reads the table.
	var size int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx), -1) + 1 FROM evidence_records`).Scan(&size); err != nil {
		return err
	}
	if first != size {
		return fmt.Errorf("%w: append at %d, log size is %d", evidence.ErrConflict, first, size)
	}
	if err := s.failNext; err != nil {
		// A crash after the records and before their hashes: nothing of
		// the batch may stay (the transaction rolls back).
		s.failNext = nil
		if _, err2 := tx.ExecContext(ctx, db.q(`INSERT INTO evidence_scope_keys (type, id) VALUES (?, ?)`), "crash-test", "x"); err2 != nil {
			return err2
		}
		return err
	}
	// The hashes record n added are those with storage indexes
	// StoredHashIndex(0, n) up to StoredHashIndex(0, n+1), level 0 first.
	flat := make([]byte, 0, len(hashes)*tlog.HashSize)
	for i := range hashes {
		flat = append(flat, hashes[i][:]...)
	}
	start := tlog.StoredHashIndex(0, first)
	perRecord := make([][]byte, len(recs))
	for k := range recs {
		lo := tlog.StoredHashIndex(0, first+int64(k)) - start
		hi := tlog.StoredHashIndex(0, first+int64(k)+1) - start
		perRecord[k] = flat[lo*tlog.HashSize : hi*tlog.HashSize : hi*tlog.HashSize]
	}
	w := &txWriter{db: db, tx: tx, ctx: ctx}
	nScopes := 0
	for i := range recs {
		nScopes += len(recs[i].Scopes)
	}
	// Every scope's key (creating new ones); a record row lists its
	// scopes as their keys, in order (uvarints).
	keys, fresh, err := s.scopeKeys(ctx, w, recs, nScopes)
	if err != nil {
		return err
	}
	keyBuf := make([]byte, 0, nScopes*3)
	recKeys := make([][]byte, len(recs))
	k := 0
	for i := range recs {
		lo := len(keyBuf)
		for range recs[i].Scopes {
			keyBuf = binary.AppendUvarint(keyBuf, uint64(keys[k]))
			k++
		}
		recKeys[i] = keyBuf[lo:len(keyBuf):len(keyBuf)]
	}
	err = chunks(len(recs), func(lo, k int) error {
		args := w.args[:0]
		for i := lo; i < lo+k; i++ {
			r := &recs[i]
			var content any
			if r.Content != nil {
				content = r.Content
			}
			args = append(args, r.Index, r.Kind, r.Ref, us(r.At), us(r.Logged), content, r.ContentSHA256[:], b2i(r.Redacted), recKeys[i], perRecord[i])
		}
		w.args = args
		st, err := w.stmt(multiKey{`INSERT INTO evidence_records (idx, kind, ref, at_us, logged_us, content, sha, redacted, scopes, scope_keys, hashes) VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)", "", k})
		if err != nil {
			return err
		}
		_, err = st.ExecContext(ctx, args...)
		return err
	})
	if err != nil {
		return err
	}
	// The scope index: one (era, key, idx) row per distinct scope of a
	// record, in key order so that the index pages are visited in order.
	rows := make([]scopeRow, 0, nScopes)
	k = 0
	for i := range recs {
		era := recs[i].Index >> scopeEraBits
		for range recs[i].Scopes {
			rows = append(rows, scopeRow{era, keys[k], recs[i].Index})
			k++
		}
	}
	slices.SortFunc(rows, func(a, b scopeRow) int {
		if c := cmp.Compare(a.era, b.era); c != 0 {
			return c
		}
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	// Without duplicates (a record listing a scope twice), a plain INSERT
	// does: ON CONFLICT would probe the index once more for every row.
	rows = slices.Compact(rows)
	err = chunks(len(rows), func(lo, k int) error {
		args := w.args[:0]
		for _, r := range rows[lo : lo+k] {
			args = append(args, r.era, r.key, r.idx)
		}
		w.args = args
		st, err := w.stmt(multiKey{`INSERT INTO evidence_scope_index (era, skey, idx) VALUES `, "(?, ?, ?)", "", k})
		if err != nil {
			return err
		}
		_, err = st.ExecContext(ctx, args...)
		return err
	})
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.scopeKeys.add(fresh)
	w.share()
	return nil
}

// evidenceLockClass is the first key of the PostgreSQL advisory lock that
// serialises evidence appends (the second is the schema's hash).
const evidenceLockClass = "1718445430" // "fmev"

// scopeEraBits: the scope index is keyed by (idx >> scopeEraBits, scope
// key, idx), so that appends only touch the index pages of the current era
// of 4,096 records (store/migrations/*/00007_evidence_scope_keys.sql).
const scopeEraBits = 12

type scopeRow struct{ era, key, idx int64 }

// scopeKeyCache maps scopes to their keys in evidence_scope_keys. Keys
// never change once committed, so the cache holds only committed ones and
// stays valid when other processes write the same database.
type scopeKeyCache struct {
	mu    sync.Mutex
	m     map[evidence.Scope]int64
	byKey map[int64]evidence.Scope
}

// maxScopeKeys bounds the cache (about 200 bytes an entry with both
// maps); when full it starts over.
const maxScopeKeys = 1 << 17

func (c *scopeKeyCache) add(m map[evidence.Scope]int64) {
	if len(m) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m)+len(m) > maxScopeKeys {
		c.m = make(map[evidence.Scope]int64, len(m))
		c.byKey = make(map[int64]evidence.Scope, len(m))
	}
	for sc, k := range m {
		c.m[sc] = k
		c.byKey[k] = sc
	}
}

// scopes resolves the scope keys of records read from the store: each
// record's scope_keys (uvarints) become its Scopes, from the cache or the
// evidence_scope_keys table.
func (s *EvidenceStorage) scopes(ctx context.Context, recs []evidence.Record, keys [][]byte) error {
	c := &s.db.scopeKeys
	var missing []any
	// Every key's scope, copied from the cache at once (another goroutine
	// may reset the cache meanwhile) or read from the table.
	byKey := map[int64]evidence.Scope{}
	asked := map[int64]bool{}
	decoded := make([][]int64, len(recs))
	c.mu.Lock()
	for i, b := range keys {
		for len(b) > 0 {
			k, n := binary.Uvarint(b)
			if n <= 0 {
				c.mu.Unlock()
				return fmt.Errorf("record %d: bad scope keys", recs[i].Index)
			}
			b = b[n:]
			decoded[i] = append(decoded[i], int64(k))
			if _, ok := byKey[int64(k)]; ok || asked[int64(k)] {
				continue
			}
			if sc, ok := c.byKey[int64(k)]; ok {
				byKey[int64(k)] = sc
			} else {
				asked[int64(k)] = true
				missing = append(missing, int64(k))
			}
		}
	}
	c.mu.Unlock()
	found := map[evidence.Scope]int64{}
	for lo := 0; lo < len(missing); lo += maxChunk {
		part := missing[lo:min(lo+maxChunk, len(missing))]
		q := `SELECT skey, type, id FROM evidence_scope_keys WHERE skey IN (?` + strings.Repeat(", ?", len(part)-1) + `)`
		rows, err := s.db.r.QueryContext(ctx, s.db.q(q), part...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k int64
			var sc evidence.Scope
			if err := rows.Scan(&k, &sc.Type, &sc.ID); err != nil {
				rows.Close()
				return err
			}
			found[sc] = k
			byKey[k] = sc
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for i, ks := range decoded {
		if ks == nil {
			continue
		}
		recs[i].Scopes = make([]evidence.Scope, len(ks))
		for j, k := range ks {
			sc, ok := byKey[k]
			if !ok {
				return fmt.Errorf("record %d: scope key %d not found", recs[i].Index, k)
			}
			recs[i].Scopes[j] = sc
		}
	}
	c.add(found)
	return nil
}

// scopeKeys returns the key of every scope of recs, record after record
// in their listed order, looking up or creating (in w's transaction) those
// the cache does not hold; fresh holds these, for the cache once the
// transaction has committed.
func (s *EvidenceStorage) scopeKeys(ctx context.Context, w *txWriter, recs []evidence.Record, n int) (keys []int64, fresh map[evidence.Scope]int64, err error) {
	c := &s.db.scopeKeys
	keys = make([]int64, 0, n)
	c.mu.Lock()
	for i := range recs {
		for _, sc := range recs[i].Scopes {
			k, ok := c.m[sc]
			if !ok {
				if fresh == nil {
					fresh = map[evidence.Scope]int64{}
				}
				fresh[sc], k = 0, -1
			}
			keys = append(keys, k)
		}
	}
	c.mu.Unlock()
	if len(fresh) == 0 {
		return keys, nil, nil
	}
	missing := make([]evidence.Scope, 0, len(fresh))
	for sc := range fresh {
		missing = append(missing, sc)
	}
	slices.SortFunc(missing, func(a, b evidence.Scope) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.ID, b.ID))
	})
	// Scopes the table holds (not cached: after a restart, or once the
	// cache started over) are read, the others inserted, both in
	// multi-row statements.
	query := func(prefix, row, suffix string, scopes []evidence.Scope) error {
		return chunks(len(scopes), func(lo, k int) error {
			args := w.args[:0]
			for _, sc := range scopes[lo : lo+k] {
				args = append(args, sc.Type, sc.ID)
			}
			w.args = args
			st, err := w.stmt(multiKey{prefix, row, suffix, k})
			if err != nil {
				return err
			}
			rows, err := st.QueryContext(ctx, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k int64
				var sc evidence.Scope
				if err := rows.Scan(&k, &sc.Type, &sc.ID); err != nil {
					return err
				}
				fresh[sc] = k
			}
			return rows.Err()
		})
	}
	// An empty table (a new log, the first append of an import) holds
	// none of them: no need to ask. The transaction holds the write lock,
	// so it stays empty until the insert below.
	var stored bool
	if err := w.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM evidence_scope_keys)`).Scan(&stored); err != nil {
		return nil, nil, err
	}
	if stored {
		if err := query(`SELECT skey, type, id FROM evidence_scope_keys WHERE (type, id) IN (VALUES `, "(?, ?)", `)`, missing); err != nil {
			return nil, nil, err
		}
		missing = slices.DeleteFunc(missing, func(sc evidence.Scope) bool { return fresh[sc] != 0 })
	}
	if err := query(`INSERT INTO evidence_scope_keys (type, id) VALUES `, "(?, ?)", ` ON CONFLICT (type, id) DO NOTHING RETURNING skey, type, id`, missing); err != nil {
		return nil, nil, err
	}
	for _, sc := range missing {
		if fresh[sc] != 0 {
			continue
		}
		// Inserted by another writer since the SELECT above.
		var k int64
		if err := w.tx.QueryRowContext(ctx, s.db.q(`SELECT skey FROM evidence_scope_keys WHERE type = ? AND id = ?`), sc.Type, sc.ID).Scan(&k); err != nil {
			return nil, nil, err
		}
		fresh[sc] = k
	}
	j := 0
	for i := range recs {
		for _, sc := range recs[i].Scopes {
			if keys[j] < 0 {
				keys[j] = fresh[sc]
			}
			j++
		}
	}
	return keys, fresh, nil
}

// Size implements evidence.Storage.
func (s *EvidenceStorage) Size(ctx context.Context) (int64, error) {
	var n int64
	// The indexes are contiguous from 0 (see Append).
	err := s.db.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx), -1) + 1 FROM evidence_records`).Scan(&n)
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

const recordCols = `idx, kind, ref, at_us, logged_us, content, sha, redacted, scopes, scope_keys`

// scanRecord reads a row of recordCols. A record written since migration
// 00007 lists its scopes as keys (returned, for EvidenceStorage.scopes to
// resolve), an older one as JSON.
func scanRecord(sc interface{ Scan(...any) error }) (evidence.Record, []byte, error) {
	var r evidence.Record
	var at, logged int64
	var content, sha, keys []byte
	var redacted int
	var scopes string
	if err := sc.Scan(&r.Index, &r.Kind, &r.Ref, &at, &logged, &content, &sha, &redacted, &scopes, &keys); err != nil {
		return r, nil, err
	}
	r.At, r.Logged = time.UnixMicro(at).UTC(), time.UnixMicro(logged).UTC()
	if content != nil {
		r.Content = append([]byte{}, content...)
	}
	copy(r.ContentSHA256[:], sha)
	r.Redacted = redacted != 0
	if scopes == "" {
		return r, keys, nil
	}
	if err := json.Unmarshal([]byte(scopes), &r.Scopes); err != nil {
		return r, nil, fmt.Errorf("record %d scopes: %w", r.Index, err)
	}
	return r, nil, nil
}

// queryRecords returns the records the query selects (columns recordCols).
func (s *EvidenceStorage) queryRecords(ctx context.Context, query string, args ...any) ([]evidence.Record, error) {
	rows, err := s.db.r.QueryContext(ctx, s.db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evidence.Record
	var keys [][]byte
	for rows.Next() {
		r, k, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.scopes(ctx, out, keys); err != nil {
		return nil, err
	}
	return out, nil
}

// Records implements evidence.Storage.
func (s *EvidenceStorage) Records(ctx context.Context, scope evidence.Scope) ([]evidence.Record, error) {
	// One index seek per era (4,096 records) of the log.
	out, err := s.queryRecords(ctx, `WITH RECURSIVE eras (n) AS (
			SELECT 0 UNION ALL SELECT n + 1 FROM eras
			WHERE n < (SELECT COALESCE(MAX(idx), 0) FROM evidence_records) >> `+strconv.Itoa(scopeEraBits)+`)
		SELECT `+recordCols+` FROM evidence_records WHERE idx IN
		(SELECT s.idx FROM eras JOIN evidence_scope_index s ON s.era = eras.n
			AND s.skey = (SELECT skey FROM evidence_scope_keys WHERE type = ? AND id = ?))
		ORDER BY idx`, scope.Type, scope.ID)
	if out == nil && err == nil {
		out = []evidence.Record{}
	}
	return out, err
}

// Record implements evidence.Storage.
func (s *EvidenceStorage) Record(ctx context.Context, index int64) (evidence.Record, error) {
	r, keys, err := scanRecord(s.db.r.QueryRowContext(ctx, s.db.q(`SELECT `+recordCols+` FROM evidence_records WHERE idx = ?`), index))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: record %d", evidence.ErrNotFound, index)
	}
	if err != nil {
		return r, err
	}
	recs := []evidence.Record{r}
	if err := s.scopes(ctx, recs, [][]byte{keys}); err != nil {
		return r, err
	}
	return recs[0], nil
}

// RecordsByRef returns the records of kind with ref, in index order: how
// the server finds whether an event is already logged.
func (s *EvidenceStorage) RecordsByRef(ctx context.Context, kind, ref string) ([]evidence.Record, error) {
	return s.queryRecords(ctx, `SELECT `+recordCols+` FROM evidence_records WHERE kind = ? AND ref = ? ORDER BY idx`, kind, ref)
}

// Logged implements evidence.RefIndex, on the (kind, ref) index, a few
// hundred refs a query.
func (s *EvidenceStorage) Logged(ctx context.Context, kind string, refs []string) (map[string]bool, error) {
	const chunk = 500
	got := map[string]bool{}
	var q strings.Builder
	args := make([]any, 0, chunk+1)
	for lo := 0; lo < len(refs); lo += chunk {
		part := refs[lo:min(lo+chunk, len(refs))]
		q.Reset()
		q.WriteString(`SELECT ref FROM evidence_records WHERE kind = ? AND ref IN (`)
		args = append(args[:0], kind)
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('?')
			args = append(args, r)
		}
		q.WriteByte(')')
		rows, err := s.db.r.QueryContext(ctx, s.db.q(q.String()), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ref string
			if err := rows.Scan(&ref); err != nil {
				rows.Close()
				return nil, err
			}
			got[ref] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return got, nil
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
	return s.queryRecords(ctx, `SELECT `+recordCols+` FROM evidence_records WHERE kind = ? ORDER BY idx`, kind)
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
