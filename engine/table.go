package engine

import (
	"hash/maphash"
	"math/bits"
)

// table is a hash table of *T keyed by a string id each T carries: open
// addressing with triangular probing (which visits every slot of a
// power-of-two table), at most 3/4 full, one pointer a slot. The engine keeps a
// table of each of a million accounts, orders and feedback, where a
// map[string]*T costs 16 bytes of key, 8 of value and one of control a
// slot, and right after doubling has two slots an entry (about 56 MB for a
// million); a table costs 9 bytes a slot: the pointer and 8 bits of the
// key's hash (tags), so that a probe reads an entry only when those match.
// Entries are never removed.
type table[K ~string, T any] struct {
	slots []*T
	tags  []uint8
	n     int
	seed  maphash.Seed
	key   func(*T) K
}

func newTable[K ~string, T any](key func(*T) K) *table[K, T] {
	return &table[K, T]{seed: maphash.MakeSeed(), key: key}
}

func (t *table[K, T]) len() int { return t.n }

// get returns the entry with key k, nil if none.
func (t *table[K, T]) get(k K) *T {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	h := maphash.String(t.seed, string(k))
	tag := uint8(h >> 56)
	i := h & mask
	for step := uint64(1); ; step++ {
		v := t.slots[i]
		if v == nil || (t.tags[i] == tag && t.key(v) == k) {
			return v
		}
		i = (i + step) & mask
	}
}

// put adds v, which must not be in the table yet (no entry with its key).
func (t *table[K, T]) put(v *T) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.resize(max(2*len(t.slots), 8))
	}
	t.insert(v)
	t.n++
}

func (t *table[K, T]) insert(v *T) {
	mask := uint64(len(t.slots) - 1)
	h := maphash.String(t.seed, string(t.key(v)))
	i := h & mask
	for step := uint64(1); t.slots[i] != nil; step++ {
		i = (i + step) & mask
	}
	t.slots[i] = v
	t.tags[i] = uint8(h >> 56)
}

// reserve makes room for n entries in all.
func (t *table[K, T]) reserve(n int) {
	if need := slotsFor(n); need > len(t.slots) {
		t.resize(need)
	}
}

// slotsFor is the power of two of slots that holds n entries at most 3/4
// full.
func slotsFor(n int) int {
	need := (n*4 + 2) / 3
	if need <= 8 {
		return 8
	}
	return 1 << bits.Len(uint(need-1))
}

func (t *table[K, T]) resize(size int) {
	old := t.slots
	t.slots = make([]*T, size)
	t.tags = make([]uint8, size)
	for _, v := range old {
		if v != nil {
			t.insert(v)
		}
	}
}

// each calls f on every entry, in no particular order.
func (t *table[K, T]) each(f func(*T)) {
	for _, v := range t.slots {
		if v != nil {
			f(v)
		}
	}
}
