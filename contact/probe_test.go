package contact

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// span is a contact as a probe file lists it: kind, value and byte
// offsets.
type span struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// TestProbe7 checks the probe lines of session 7 one by one: disguised
// contacts written to get past a chat filter (not taken from the
// corpus), and honest lines full of numbers. Each line must give exactly
// the contacts listed, with their kind, value and offsets; an honest line
// (no contacts listed) must give none.
func TestProbe7(t *testing.T) {
	f, err := os.Open("testdata/probe7.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	withContacts, honest := 0, 0
	for n := 1; sc.Scan(); n++ {
		var l struct {
			Text     string `json:"text"`
			Contacts []span `json:"contacts"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("probe7.jsonl:%d: %v", n, err)
		}
		if len(l.Contacts) > 0 {
			withContacts++
		} else {
			honest++
		}
		found := Find(l.Text)
		checkOffsets(t, l.Text, found)
		got := []span{}
		for _, c := range found {
			got = append(got, span{c.Kind, c.Value, c.Start, c.End})
		}
		want := l.Contacts
		if want == nil {
			want = []span{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("probe7.jsonl:%d: Find(%q) mismatch (-want +got):\n%s", n, l.Text, diff)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if withContacts < 60 || honest < 40 {
		t.Fatalf("probe7.jsonl has %d lines with contacts and %d honest lines, want at least 60 and 40", withContacts, honest)
	}
}
