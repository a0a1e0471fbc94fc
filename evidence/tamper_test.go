package evidence

import "golang.org/x/mod/sumdb/tlog"

// tamperRecord replaces the stored record at r.Index without touching the
// hashes, as an attacker with database access could.
func (m *MemStorage) tamperRecord(r Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[r.Index] = cloneRecord(r)
}

// tamperHashes overwrites stored hashes from storage index start.
func (m *MemStorage) tamperHashes(start int64, hashes []tlog.Hash) {
	m.mu.Lock()
	defer m.mu.Unlock()
	copy(m.hashes[start:], hashes)
}
