package engine

import (
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
)

// TestStampExact checks that every time reads back exactly as stored:
// UTC times in the Unix-nanosecond range, and the others (zero, far past
// and future, other zones, monotonic readings) through the odd table.
func TestStampExact(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	times := []time.Time{
		{},
		time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC),
		time.Unix(0, 0).UTC(),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 0, shanghai),
		time.Date(2026, 3, 1, 12, 0, 0, 0, time.Local),
		time.Now(),
		time.Date(1678, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2261, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, x := range times {
		s := mkStamp(x)
		if got := s.time(); got != x {
			t.Errorf("%v: read back %v", x, got)
		}
		if s.isZero() != (x == time.Time{}) {
			t.Errorf("%v: isZero %v", x, s.isZero())
		}
		if mkStamp(x) != s {
			t.Errorf("%v: stamped twice differently", x)
		}
	}
	a, b := mkStamp(times[1]), mkStamp(times[1].Add(90*time.Second))
	if d := b.time().Sub(a.time()); d != 90*time.Second {
		t.Errorf("difference %v", d)
	}
}

func TestCodeExact(t *testing.T) {
	for _, s := range []string{"", "buyer", "seller", "positive", "neutral", "negative", "moderator", "Negative", "moderator"} {
		if got := mkCode(s).String(); got != s {
			t.Errorf("%q: read back %q", s, got)
		}
	}
	if mkCode(string(fairmark.Negative)) != codeNegative || mkCode(string(fairmark.Seller)) != codeSeller {
		t.Error("fixed codes moved")
	}
}

func TestItemExact(t *testing.T) {
	en := New(Config{})
	pairs := []item{{"", ""}, {"phone_case", "CNY"}, {"", "USD"}, {"card", ""}, {"phone_case", "CNY"}}
	for _, p := range pairs {
		if got := en.item(en.itemOf(p.category, p.currency)); got != p {
			t.Errorf("%v: read back %v", p, got)
		}
	}
	if len(en.items) != 4 {
		t.Errorf("%d items, want 4", len(en.items))
	}
}

// TestMain checks, after every test of the package, that the empty parts
// read in place of unallocated ones were never written.
func TestMain(m *testing.M) {
	code := m.Run()
	if !reflect.ValueOf(noBuyer).IsZero() || !reflect.ValueOf(noSeller).IsZero() || !reflect.ValueOf(noMore).IsZero() {
		fmt.Println("engine: an empty buyer, seller or feedback part was written")
		code = 1
	}
	os.Exit(code)
}
