package replay

import "hash/maphash"

// idSet is a set of event ids, for deduplication. It holds no pointer per
// id, so it costs the collector nothing to scan, and makes no allocation
// per id: the ids are copied end to end into large byte chunks (never moved
// or reused), and an open-addressing table of their 64-bit hashes (linear
// probing) finds them. A lookup of a new id, the common case, reads about
// one cache line of the table; the id's bytes are compared only when a hash
// matches, so two different ids with the same hash are still told apart.
type idSet struct {
	seed   maphash.Seed
	hashes []uint64 // 0: empty slot (a hash of 0 is stored as 1)
	refs   []idRef  // where the id of each slot is
	n      int      // ids in the set
	chunks [][]byte
}

// idRef locates an id: chunks[chunk][off:off+n].
type idRef struct {
	chunk  int32
	off, n uint32
}

const idChunk = 256 << 10

func newIDSet() *idSet {
	const size = 1 << 14
	return &idSet{seed: maphash.MakeSeed(), hashes: make([]uint64, size), refs: make([]idRef, size)}
}

// add adds id to the set and reports whether it was new.
func (s *idSet) add(id string) bool { return s.addHashed(maphash.String(s.seed, id), id) }

// addHashed is add with the hash h of id.
func (s *idSet) addHashed(h uint64, id string) bool {
	if h == 0 {
		h = 1
	}
	mask := uint64(len(s.hashes) - 1)
	i := h & mask
	for {
		switch s.hashes[i] {
		case 0:
			s.hashes[i] = h
			s.refs[i] = s.store(id)
			s.n++
			if s.n > len(s.hashes)/4*3 {
				s.grow()
			}
			return true
		case h:
			if r := s.refs[i]; string(s.chunks[r.chunk][r.off:r.off+r.n]) == id {
				return false
			}
		}
		i = (i + 1) & mask
	}
}

// grow doubles the table.
func (s *idSet) grow() {
	hashes, refs := s.hashes, s.refs
	s.hashes = make([]uint64, 2*len(hashes))
	s.refs = make([]idRef, 2*len(refs))
	mask := uint64(len(s.hashes) - 1)
	for k, h := range hashes {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.hashes[i] != 0 {
			i = (i + 1) & mask
		}
		s.hashes[i], s.refs[i] = h, refs[k]
	}
}

// store copies id into the last chunk, or a new one when it does not fit.
func (s *idSet) store(id string) idRef {
	last := len(s.chunks) - 1
	if last < 0 || cap(s.chunks[last])-len(s.chunks[last]) < len(id) {
		s.chunks = append(s.chunks, make([]byte, 0, max(idChunk, len(id))))
		last++
	}
	c := s.chunks[last]
	off := len(c)
	s.chunks[last] = append(c, id...)
	return idRef{chunk: int32(last), off: uint32(off), n: uint32(len(id))}
}
