package event_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

// batchLines are the lines the BatchDecoder tests decode: the spec
// examples, the differential seeds and the lines of testdata/corpus.
func batchLines(t *testing.T) [][]byte {
	var lines [][]byte
	for _, s := range []string{specAccount, specPlaced, specDelivered, specRefunded, specLeft, specRevised, specWithdrawn, specMessage, specReport, extBan, extRemove} {
		lines = append(lines, []byte(s))
	}
	for _, s := range diffSeeds {
		lines = append(lines, []byte(s))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.ndjson"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v %v", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 2*event.MaxLine)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	return lines
}

// TestBatchDecoder decodes many lines with one BatchDecoder, so that its
// events share blocks and fill many, keeps every event, and checks at the
// end that each still equals what Decode gives for its line (same event,
// or same error), after the input was overwritten: no event refers to its
// data, and none was written over by a later one.
func TestBatchDecoder(t *testing.T) {
	lines := batchLines(t)
	type outcome struct {
		e   *fairmark.Event
		err string
	}
	var bd event.BatchDecoder
	var got []outcome
	const rounds = 300 // enough to fill many blocks of each kind
	valid := 0
	for range rounds {
		for _, line := range lines {
			in := bytes.Clone(line)
			e, err := bd.Decode(in)
			o := outcome{e: e}
			if err != nil {
				o.err = err.Error()
				if e != nil {
					t.Fatalf("%s: event with error %v", line, err)
				}
			} else {
				valid++
			}
			for i := range in {
				in[i] = 'X'
			}
			got = append(got, o)
		}
	}
	if valid < rounds*10 {
		t.Fatalf("only %d valid events", valid)
	}
	for r := range rounds {
		for i, line := range lines {
			e, err := event.Decode(line)
			o := got[r*len(lines)+i]
			if err != nil {
				if o.err != err.Error() {
					t.Fatalf("%s: got error %q, want %q", line, o.err, err)
				}
				continue
			}
			if o.err != "" {
				t.Fatalf("%s: got error %q, want an event", line, o.err)
			}
			if diff := cmp.Diff(e, o.e); diff != "" {
				t.Fatalf("round %d, %s (-Decode +BatchDecoder):\n%s", r, line, diff)
			}
			if o.e == e || (o.e.Feedback != nil && o.e.Feedback == e.Feedback) {
				t.Fatal("events share structs")
			}
		}
	}
	// Events of one BatchDecoder are distinct structs.
	seen := map[*fairmark.Event]bool{}
	for _, o := range got {
		if o.e == nil {
			continue
		}
		if seen[o.e] {
			t.Fatalf("event %s returned twice", o.e.ID)
		}
		seen[o.e] = true
	}
}
