package reputation

import (
	"testing"

	"github.com/fairmark/fairmark"
)

func TestApply(t *testing.T) {
	var s Seller
	none := Entry{}
	pos := Entry{Rating: fairmark.Positive, Stands: true}
	neg := Entry{Rating: fairmark.Negative, Stands: true}
	heldNeg := Entry{Rating: fairmark.Negative, Stands: true, Held: true}
	for range 3 {
		s.Apply(none, pos)
	}
	s.Apply(none, neg)
	if got, want := s.Raw.Score(), 2; got != want {
		t.Fatalf("raw score: got %d, want %d", got, want)
	}
	s.Apply(neg, heldNeg) // held: protected score restored
	if got, want := s.Protected.Score(), 3; got != want {
		t.Fatalf("protected score after hold: got %d, want %d", got, want)
	}
	if got, want := s.Raw.Score(), 2; got != want {
		t.Fatalf("raw score after hold: got %d, want %d", got, want)
	}
	s.Apply(heldNeg, Entry{Rating: fairmark.Positive, Stands: true, Held: true}) // revised to positive while held
	if got, want := s.Raw.Score(), 4; got != want {
		t.Fatalf("raw after revision: got %d, want %d", got, want)
	}
	if got, want := s.Protected.Score(), 3; got != want {
		t.Fatalf("protected after revision: got %d, want %d", got, want)
	}
	s.Apply(Entry{Rating: fairmark.Positive, Stands: true, Held: true}, none) // withdrawn
	if s.Raw != s.Protected {
		t.Fatalf("after withdrawal raw %+v and protected %+v should agree", s.Raw, s.Protected)
	}
	if got, want := s.Raw.PositiveRate(), 1.0; got != want {
		t.Fatalf("positive rate: got %v, want %v", got, want)
	}
	var empty Tally
	if empty.PositiveRate() != 1 {
		t.Fatalf("empty positive rate: got %v, want 1", empty.PositiveRate())
	}
}
