package evidence

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// MemStorage is an in-memory [Storage] for tests and tools. The zero value
// is ready to use. It is safe for concurrent use.
type MemStorage struct {
	mu         sync.RWMutex
	recs       []Record
	hashes     []tlog.Hash
	byScope    map[Scope][]int64
	cpSize     int64
	cpNote     []byte
	blobs      map[[32]byte]memBlob
	failMidway error
}

type memBlob struct {
	contentType string
	data        []byte
}

var (
	_ Storage  = (*MemStorage)(nil)
	_ RefIndex = (*MemStorage)(nil)
)

// Logged implements [RefIndex].
func (m *MemStorage) Logged(ctx context.Context, kind string, refs []string) (map[string]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(refs))
	for _, r := range refs {
		want[r] = true
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	got := map[string]bool{}
	for _, r := range m.recs {
		if r.Kind == kind && want[r.Ref] {
			got[r.Ref] = true
		}
	}
	return got, nil
}

// FailNextAppendMidway makes the next Append fail with err after it has
// staged its records but before it stages their hashes, simulating a crash
// inside the transaction. It implements evidencetest.MidwayFailer.
func (m *MemStorage) FailNextAppendMidway(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failMidway = err
}

// Append implements [Storage.Append]. Changes are staged and made visible
// in one step under the lock, so a failure leaves nothing behind.
func (m *MemStorage) Append(ctx context.Context, recs []Record, hashes []tlog.Hash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(recs) == 0 {
		return fmt.Errorf("%w: empty append", ErrInvalid)
	}
	size := int64(len(m.recs))
	if recs[0].Index != size {
		return fmt.Errorf("%w: append at %d, size is %d", ErrConflict, recs[0].Index, size)
	}
	// Stage records.
	staged := make([]Record, 0, len(recs))
	for i, r := range recs {
		if r.Index != size+int64(i) {
			return fmt.Errorf("%w: record %d has index %d, want %d", ErrInvalid, i, r.Index, size+int64(i))
		}
		staged = append(staged, cloneRecord(r))
	}
	if err := m.failMidway; err != nil {
		m.failMidway = nil
		return err
	}
	// Stage hashes.
	last := recs[len(recs)-1].Index
	want := tlog.StoredHashCount(last+1) - tlog.StoredHashCount(size)
	if int64(len(hashes)) != want || int64(len(m.hashes)) != tlog.StoredHashCount(size) {
		return fmt.Errorf("%w: %d hashes for records %d..%d, want %d", ErrInvalid, len(hashes), size, last, want)
	}
	// Commit.
	m.recs = append(m.recs, staged...)
	m.hashes = append(m.hashes, hashes...)
	if m.byScope == nil {
		m.byScope = make(map[Scope][]int64)
	}
	for _, r := range staged {
		for _, s := range r.Scopes {
			m.byScope[s] = append(m.byScope[s], r.Index)
		}
	}
	return nil
}

// Size implements [Storage.Size].
func (m *MemStorage) Size(ctx context.Context) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.recs)), nil
}

// ReadHashes implements [Storage.ReadHashes].
func (m *MemStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("%w: stored hash %d (have %d)", ErrNotFound, x, len(m.hashes))
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// Records implements [Storage.Records].
func (m *MemStorage) Records(ctx context.Context, scope Scope) ([]Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := m.byScope[scope]
	out := make([]Record, len(idx))
	for i, x := range idx {
		out[i] = cloneRecord(m.recs[x])
	}
	return out, nil
}

// Record implements [Storage.Record].
func (m *MemStorage) Record(ctx context.Context, index int64) (Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if index < 0 || index >= int64(len(m.recs)) {
		return Record{}, fmt.Errorf("%w: record %d", ErrNotFound, index)
	}
	return cloneRecord(m.recs[index]), nil
}

// Redact implements [Storage.Redact].
func (m *MemStorage) Redact(ctx context.Context, index int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if index < 0 || index >= int64(len(m.recs)) {
		return fmt.Errorf("%w: record %d", ErrNotFound, index)
	}
	m.recs[index].Content = nil
	m.recs[index].Redacted = true
	return nil
}

// SaveCheckpoint implements [Storage.SaveCheckpoint].
func (m *MemStorage) SaveCheckpoint(ctx context.Context, size int64, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cpSize, m.cpNote = size, slices.Clone(note)
	return nil
}

// LatestCheckpoint implements [Storage.LatestCheckpoint].
func (m *MemStorage) LatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.cpNote == nil {
		return 0, nil, fmt.Errorf("%w: no checkpoint", ErrNotFound)
	}
	return m.cpSize, slices.Clone(m.cpNote), nil
}

// PutBlob implements [Storage.PutBlob].
func (m *MemStorage) PutBlob(ctx context.Context, sha [32]byte, contentType string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.blobs == nil {
		m.blobs = make(map[[32]byte]memBlob)
	}
	if _, ok := m.blobs[sha]; ok {
		return nil
	}
	m.blobs[sha] = memBlob{contentType, slices.Clone(data)}
	return nil
}

// Blob implements [Storage.Blob].
func (m *MemStorage) Blob(ctx context.Context, sha [32]byte) (string, []byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.blobs[sha]
	if !ok {
		return "", nil, fmt.Errorf("%w: blob %x", ErrNotFound, sha)
	}
	return b.contentType, slices.Clone(b.data), nil
}
