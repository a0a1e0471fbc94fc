package replay

import (
	"errors"
	"strings"
	"testing"

	"github.com/fairmark/fairmark/event"
)

func TestLoad(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"e2","type":"account.opened","at":"2026-03-01T09:00:00Z","account":{"id":"b1","role":"buyer"}}`,
		``,
		`{"id":"e1","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s1","role":"seller"}}`,
		`{"id":"e3","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"oops","role":"admin"}}`,
		`{"id":"e2","type":"account.opened","at":"2026-03-02T09:00:00Z","account":{"id":"b1","role":"buyer"}}`,
		`{"id":"e0","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s0","role":"seller"}}`,
		`not json`,
	}, "\n")
	evs, st, err := Load(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, string(e.ID))
	}
	// Engine order: time, then id; the first of two copies of e2 is kept.
	if got, want := strings.Join(ids, ","), "e0,e1,e2"; got != want {
		t.Fatalf("events: got %s, want %s", got, want)
	}
	if got := evs[2].At.Day(); got != 1 {
		t.Fatalf("duplicate e2: kept the copy of day %d, want the first (day 1)", got)
	}
	if st.Lines != 6 || st.Events != 3 || st.Duplicates != 1 || len(st.Rejected) != 2 {
		t.Fatalf("stats: got %+v, want 6 lines, 3 events, 1 duplicate, 2 rejected", st)
	}
	var le *event.LineError
	if !errors.As(st.Rejected[0], &le) || le.Line != 4 || !strings.Contains(le.Error(), "account.role") {
		t.Fatalf("first rejection: got %v, want line 4 naming account.role", st.Rejected[0])
	}
	if !errors.As(st.Rejected[1], &le) || le.Line != 7 {
		t.Fatalf("second rejection: got %v, want line 7", st.Rejected[1])
	}
}
