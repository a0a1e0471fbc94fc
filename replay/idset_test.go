package replay

import (
	"fmt"
	"strings"
	"testing"
)

func TestIDSet(t *testing.T) {
	s := newIDSet()
	for i := range 5000 {
		if !s.add(fmt.Sprintf("evt-%d", i)) {
			t.Fatalf("evt-%d: not new", i)
		}
	}
	for i := range 5000 {
		if s.add(fmt.Sprintf("evt-%d", i)) {
			t.Fatalf("evt-%d: new twice", i)
		}
	}
	if !s.add("") || s.add("") {
		t.Fatal("empty id")
	}
	if s.n != 5001 {
		t.Fatalf("n = %d", s.n)
	}
}

// TestIDSetCollision forces every id onto one hash, and onto hash 0 (the
// empty slot's mark): the ids are still told apart by their bytes.
func TestIDSetCollision(t *testing.T) {
	for _, h := range []uint64{42, 0} {
		s := newIDSet()
		add := func(id string) bool { return s.addHashed(h, id) }
		for _, id := range []string{"a", "b", "c"} {
			if !add(id) {
				t.Fatalf("hash %d: %s: not new", h, id)
			}
		}
		for _, id := range []string{"a", "b", "c", "a"} {
			if add(id) {
				t.Fatalf("hash %d: %s: new again", h, id)
			}
		}
		if !add("d") {
			t.Fatalf("hash %d: d: not new", h)
		}
	}
}

// TestIDSetChunks fills more than one chunk, with an id longer than a chunk.
func TestIDSetChunks(t *testing.T) {
	s := newIDSet()
	long := strings.Repeat("x", idChunk+10)
	var ids []string
	for i := range 40000 {
		id := fmt.Sprintf("evt-%08d", i)
		if i == 20000 {
			id = long
		}
		ids = append(ids, id)
		if !s.add(id) {
			t.Fatalf("%.20s: not new", id)
		}
	}
	if len(s.chunks) < 3 || len(s.hashes) <= 40000 {
		t.Fatalf("%d chunks", len(s.chunks))
	}
	for _, id := range ids {
		if s.add(id) {
			t.Fatalf("%.20s: new twice", id)
		}
	}
}

// BenchmarkIDSet adds a million distinct ids, as Replay's deduplication
// does, to an idSet and, for comparison, to the map of cloned strings it
// replaced.
func BenchmarkIDSet(b *testing.B) {
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt-%016x", uint64(i)*0x9e3779b97f4a7c15)
	}
	b.Run("idSet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := newIDSet()
			for _, id := range ids {
				s.add(id)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := make(map[string]struct{})
			for _, id := range ids {
				if _, dup := m[id]; !dup {
					m[strings.Clone(id)] = struct{}{}
				}
			}
		}
	})
}
