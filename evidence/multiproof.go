package evidence

import (
	"fmt"
	"math/bits"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// A span is the subtree of an RFC 6962 tree over the leaves [lo, hi).
// Spans are the nodes MTH(D[lo:hi]) that the recursive definition of the
// Merkle tree hash produces.
type span struct{ lo, hi int64 }

// splitAt returns lo+k, where k is the largest power of two smaller than
// hi-lo (hi-lo >= 2): where RFC 6962 splits [lo, hi).
func splitAt(lo, hi int64) int64 {
	n := uint64(hi - lo)
	return lo + int64(1)<<(bits.Len64(n-1)-1)
}

// pathSpans returns the spans whose hashes make up the RFC 6962 inclusion
// proof of leaf in a tree of size leaves (0 <= leaf < size), in proof
// order: the sibling of the leaf first, the child of the root last. This is
// the order of tlog.ProveRecord.
func pathSpans(leaf, size int64) []span {
	var out []span
	lo, hi := int64(0), size
	for hi-lo > 1 {
		m := splitAt(lo, hi)
		if leaf < m {
			out = append(out, span{m, hi})
			hi = m
		} else {
			out = append(out, span{lo, m})
			lo = m
		}
	}
	// Root first so far; the proof lists the leaf's sibling first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// proofSpans returns the proof nodes of a v2 bundle: every span that
// appears in the inclusion proof of at least one of leaves, once, ordered
// by first leaf ascending and, for the same first leaf, larger spans first
// (a pre-order walk of the tree). leaves must be strictly increasing and
// within [0, size) (see [checkProofLeaves]).
func proofSpans(leaves []int64, size int64) []span {
	var out []span
	var walk func(lo, hi int64, ls []int64)
	walk = func(lo, hi int64, ls []int64) {
		if hi-lo == 1 {
			return
		}
		m := splitAt(lo, hi)
		j := sort.Search(len(ls), func(i int) bool { return ls[i] >= m })
		left, right := ls[:j], ls[j:]
		switch {
		case len(left) > 0 && len(right) > 0:
			out = append(out, span{lo, m})
			walk(lo, m, left)
			out = append(out, span{m, hi})
			walk(m, hi, right)
		case len(left) > 0:
			walk(lo, m, left)
			out = append(out, span{m, hi})
		default:
			out = append(out, span{lo, m})
			walk(m, hi, right)
		}
	}
	if len(leaves) > 0 {
		walk(0, size, leaves)
	}
	return out
}

// checkProofLeaves reports whether leaves can define the proof nodes of a
// tree of size: strictly increasing and within [0, size).
func checkProofLeaves(leaves []int64, size int64) error {
	for i, x := range leaves {
		if x < 0 || x >= size {
			return fmt.Errorf("leaf %d (position %d) is outside the tree of size %d", x, i+1, size)
		}
		if i > 0 && x <= leaves[i-1] {
			return fmt.Errorf("leaves are not strictly increasing at position %d", i+1)
		}
	}
	return nil
}

// multiRoot computes the root of the tree of size from the leaf hashes of
// leaves (strictly increasing, within the tree) and the proof nodes (in
// the order of proofSpans, len(nodes) == len(proofSpans(leaves, size))).
// It reports false when the nodes are inconsistent with the leaves: a node
// given for a subtree that contains leaves differs from the hash those
// leaves and the other nodes produce. When it returns (root, true) and root
// is the checkpoint root, every leaf's own inclusion proof (its path nodes
// taken from nodes) verifies against root: each path folds to the same
// values as the walk. When it returns false, or a different root, at least
// one leaf's proof fails.
func multiRoot(leaves []int64, hashes []tlog.Hash, nodes []byte, size int64) (tlog.Hash, bool) {
	w := &multiWalk{leaves: leaves, hashes: hashes, nodes: nodes}
	par := 0
	if runtime.GOMAXPROCS(0) > 1 && len(leaves) >= 2048 {
		par = 2 // fork at the top two levels: up to 4 goroutines
	}
	h, _, ok := w.root(0, size, 0, len(leaves), 0, par)
	return h, ok
}

type multiWalk struct {
	leaves []int64
	hashes []tlog.Hash
	nodes  []byte // the node table: hashes of 32 bytes, concatenated
}

func (w *multiWalk) node(i int) tlog.Hash { return tlog.Hash(w.nodes[i*tlog.HashSize:]) }

// root returns the hash of [lo, hi), which contains leaves[a:b] (a < b),
// reading proof nodes from pos on; it returns the next unread position.
// par > 0 hashes the two halves in parallel (par-1 levels further down).
func (w *multiWalk) root(lo, hi int64, a, b, pos, par int) (tlog.Hash, int, bool) {
	if hi-lo == 1 {
		return w.hashes[a], pos, true
	}
	m := splitAt(lo, hi)
	j := a + sort.Search(b-a, func(i int) bool { return w.leaves[a+i] >= m })
	switch {
	case j > a && j < b:
		tl := w.node(pos)
		var vl, vr, tr tlog.Hash
		var okl, okr bool
		end := 0
		if par > 0 {
			posR := pos + 1 + countSpans(w.leaves[a:j], lo, m)
			tr = w.node(posR)
			var wg sync.WaitGroup
			wg.Go(func() { vl, _, okl = w.root(lo, m, a, j, pos+1, par-1) })
			vr, end, okr = w.root(m, hi, j, b, posR+1, par-1)
			wg.Wait()
		} else {
			var p int
			vl, p, okl = w.root(lo, m, a, j, pos+1, 0)
			tr = w.node(p)
			vr, end, okr = w.root(m, hi, j, b, p+1, 0)
		}
		if !okl || !okr || vl != tl || vr != tr {
			return tlog.Hash{}, end, false
		}
		return tlog.NodeHash(tl, tr), end, true
	case j > a:
		vl, p, ok := w.root(lo, m, a, j, pos, par)
		if !ok {
			return tlog.Hash{}, p, false
		}
		return tlog.NodeHash(vl, w.node(p)), p + 1, true
	default:
		vr, p, ok := w.root(m, hi, j, b, pos+1, par)
		if !ok {
			return tlog.Hash{}, p, false
		}
		return tlog.NodeHash(w.node(pos), vr), p, true
	}
}

// countSpans returns len(proofSpans) for the subtree [lo, hi) containing
// ls (not empty), without the subtree itself.
func countSpans(ls []int64, lo, hi int64) int {
	if hi-lo == 1 {
		return 0
	}
	m := splitAt(lo, hi)
	j := sort.Search(len(ls), func(i int) bool { return ls[i] >= m })
	switch {
	case j > 0 && j < len(ls):
		return 2 + countSpans(ls[:j], lo, m) + countSpans(ls[j:], m, hi)
	case j > 0:
		return 1 + countSpans(ls, lo, m)
	default:
		return 1 + countSpans(ls, m, hi)
	}
}

// findSpan returns the position of s in spans (ordered as by proofSpans:
// first leaf ascending, then larger first), or -1.
func findSpan(spans []span, s span) int {
	i := sort.Search(len(spans), func(i int) bool {
		t := spans[i]
		return t.lo > s.lo || t.lo == s.lo && t.hi <= s.hi
	})
	if i < len(spans) && spans[i] == s {
		return i
	}
	return -1
}

// proofFromNodes assembles the inclusion proof of leaf in a tree of size
// from a node table (spans[i] has hash nodes[i]), as the hashes
// concatenated. It returns nil when leaf is outside the tree or one of its
// path nodes is not in the table (a leaf the table was not made for).
func proofFromNodes(leaf, size int64, spans []span, nodes []byte) []byte {
	if leaf < 0 || leaf >= size {
		return nil
	}
	path := pathSpans(leaf, size)
	p := make([]byte, 0, len(path)*tlog.HashSize)
	for _, s := range path {
		i := findSpan(spans, s)
		if i < 0 {
			return nil
		}
		p = append(p, nodes[i*tlog.HashSize:(i+1)*tlog.HashSize]...)
	}
	return p
}

// storedSpanIndexes appends the storage indexes of the complete subtrees
// whose hashes make up the hash of span s (one for a complete, aligned
// subtree; a few for the right edge of a tree whose size is not a power
// of two).
func storedSpanIndexes(s span, out []int64) []int64 {
	n := s.hi - s.lo
	if n&(n-1) == 0 && s.lo%n == 0 {
		level := bits.TrailingZeros64(uint64(n))
		return append(out, tlog.StoredHashIndex(level, s.lo>>level))
	}
	m := splitAt(s.lo, s.hi)
	out = storedSpanIndexes(span{s.lo, m}, out)
	return storedSpanIndexes(span{m, s.hi}, out)
}

// spanHash computes the hash of s from stored hashes (get returns the hash
// at a storage index, as gathered with storedSpanIndexes).
func spanHash(s span, get func(int64) tlog.Hash) tlog.Hash {
	n := s.hi - s.lo
	if n&(n-1) == 0 && s.lo%n == 0 {
		level := bits.TrailingZeros64(uint64(n))
		return get(tlog.StoredHashIndex(level, s.lo>>level))
	}
	m := splitAt(s.lo, s.hi)
	return tlog.NodeHash(spanHash(span{s.lo, m}, get), spanHash(span{m, s.hi}, get))
}
