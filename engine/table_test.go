package engine

import (
	"fmt"
	"testing"
)

type tabled struct{ id string }

func TestTable(t *testing.T) {
	tb := newTable(func(x *tabled) string { return x.id })
	if tb.get("a") != nil {
		t.Fatal("empty table found a")
	}
	const n = 10_000
	for i := range n {
		if i == n/2 {
			tb.reserve(3 * n)
		}
		tb.put(&tabled{fmt.Sprint("k", i)})
	}
	if tb.len() != n {
		t.Fatalf("len %d", tb.len())
	}
	for i := range n {
		k := fmt.Sprint("k", i)
		if v := tb.get(k); v == nil || v.id != k {
			t.Fatalf("get %s: %v", k, v)
		}
		if tb.get(fmt.Sprint("x", i)) != nil {
			t.Fatalf("found x%d", i)
		}
	}
	seen := 0
	tb.each(func(*tabled) { seen++ })
	if seen != n {
		t.Fatalf("each saw %d", seen)
	}
	if slotsFor(0) != 8 || slotsFor(6) != 8 || slotsFor(7) != 16 || slotsFor(1_020_000) != 1<<21 {
		t.Fatalf("slotsFor %d %d %d %d", slotsFor(0), slotsFor(6), slotsFor(7), slotsFor(1_020_000))
	}
}
