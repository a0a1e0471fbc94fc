package event_test

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

// FuzzDecode: Decode never panics; an accepted event satisfies its
// invariants and survives Encode → Decode unchanged; a rejection is a
// *FieldError. Seeds: testdata/fuzz/FuzzDecode (events.md and docs/EVENTS.md
// examples and the lines of testdata/corpus, one line per seed).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{specAccount, specPlaced, specDelivered, specRefunded, specLeft, specRevised, specWithdrawn, specMessage, specReport, extBan, extRemove} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := event.Decode(data)
		if err != nil {
			if e != nil {
				t.Fatalf("got event %+v with error %v, want nil event", e, err)
			}
			var fe *event.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got error %T %v, want a *event.FieldError", err, err)
			}
			if err.Error() == "" {
				t.Fatalf("got an empty error message")
			}
			fuzzBatch.Lock()
			be, berr := fuzzBatch.bd.Decode(data)
			fuzzBatch.Unlock()
			if be != nil || berr == nil || berr.Error() != err.Error() {
				t.Fatalf("BatchDecoder: got %v, %v; want the error %v", be, berr, err)
			}
			return
		}
		checkEvent(t, e)
		checkRoundTrip(t, e)
		checkBatchDecode(t, data, e)
	})
}

// fuzzBatch is the BatchDecoder FuzzDecode shares between its inputs, so
// that their events share blocks.
var fuzzBatch struct {
	sync.Mutex
	bd   event.BatchDecoder
	last *fairmark.Event // the previous event it decoded, and its copy by Decode
	want *fairmark.Event
}

// checkBatchDecode checks that a BatchDecoder decodes data into want, as
// Decode did, and that neither overwriting data nor decoding data changed
// the previous event it decoded.
func checkBatchDecode(t *testing.T, data []byte, want *fairmark.Event) {
	fuzzBatch.Lock()
	defer fuzzBatch.Unlock()
	in := bytes.Clone(data)
	e, err := fuzzBatch.bd.Decode(in)
	if err != nil {
		t.Fatalf("BatchDecoder: %v; Decode accepted the event", err)
	}
	for i := range in {
		in[i] = 0
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Fatalf("BatchDecoder (-Decode +BatchDecoder):\n%s", diff)
	}
	if fuzzBatch.last != nil {
		if diff := cmp.Diff(fuzzBatch.want, fuzzBatch.last); diff != "" {
			t.Fatalf("previous BatchDecoder event changed (-want +got):\n%s", diff)
		}
	}
	fuzzBatch.last, fuzzBatch.want = e, want
}

// FuzzReader: over any multi-line input Reader never panics, returns one
// outcome per non-blank line with its number, agrees with RawReader+Decode,
// and every event it returns satisfies the invariants and round-trips.
// Seeds: testdata/fuzz/FuzzReader (the files of testdata/corpus).
func FuzzReader(f *testing.F) {
	f.Add([]byte(specLeft + "\n" + specMessage + "\r\n\n{\"id\":\"x\"}\n" + specReport))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := readAll(t, bytes.NewReader(data)) // checks events and LineErrors
		if diff := cmp.Diff(got, rawReadAll(t, bytes.NewReader(data))); diff != "" {
			t.Fatalf("Reader and RawReader+Decode differ (-Reader +Raw):\n%s", diff)
		}
		if diff := cmp.Diff(got, rawRead(t, bytes.NewReader(data), true)); diff != "" {
			t.Fatalf("Reader and RawReader.NextAppend+Decode differ (-Reader +Raw):\n%s", diff)
		}
		lines := physicalLines(data)
		i := 0
		for n, line := range lines {
			if isBlank(line) {
				continue
			}
			if i >= len(got) || got[i].Num != n+1 {
				t.Fatalf("line %d %q: no outcome for it (outcomes %v)", n+1, line, got)
			}
			if len(line) > event.MaxLine {
				i++
				continue
			}
			// The outcome is the one Decode gives for that line alone.
			e, err := event.Decode(line)
			if (err == nil) != got[i].OK {
				t.Fatalf("line %d: Reader says ok=%v, Decode says %v", n+1, got[i].OK, err)
			}
			if e != nil && string(e.ID) != got[i].ID {
				t.Fatalf("line %d: got id %q, want %q", n+1, got[i].ID, e.ID)
			}
			i++
		}
		if i != len(got) {
			t.Fatalf("got %d outcomes, want %d (one per non-blank line)", len(got), i)
		}
		// A source that returns data a byte at a time changes nothing.
		rd := event.NewReader(&oneByte{data})
		for k := 0; ; k++ {
			ln, err := rd.Next()
			if err == io.EOF {
				if k != len(got) {
					t.Fatalf("one-byte reads: got %d lines, want %d", k, len(got))
				}
				break
			}
			if err != nil || k >= len(got) || ln.Num != got[k].Num {
				t.Fatalf("one-byte reads: line %d, %v; want %v", ln.Num, err, got)
			}
		}
	})
}

type oneByte struct{ b []byte }

func (r *oneByte) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}
