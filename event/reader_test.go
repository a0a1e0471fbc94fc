package event_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark/event"
)

// outcome is what a reader made of one line.
type outcome struct {
	Num   int
	OK    bool
	ID    string // event id, or LineError.ID
	Type  string // event type when OK
	Field string // FieldError.Field when rejected
	Msg   string // FieldError.Msg when rejected
}

func (o outcome) String() string {
	if o.OK {
		return fmt.Sprintf("%d ok id=%q type=%s", o.Num, o.ID, o.Type)
	}
	return fmt.Sprintf("%d error field=%q id=%q: %s", o.Num, o.Field, o.ID, o.Msg)
}

// readAll runs data through event.NewReader, checking each Line's shape.
func readAll(t testing.TB, r io.Reader) []outcome {
	t.Helper()
	rd := event.NewReader(r)
	var out []outcome
	prev := 0
	for {
		ln, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Reader.Next after line %d: %v", prev, err)
		}
		if ln.Num <= prev {
			t.Fatalf("got line number %d after %d, want increasing", ln.Num, prev)
		}
		prev = ln.Num
		if (ln.Event == nil) == (ln.Err == nil) {
			t.Fatalf("line %d: got event %v and error %v, want exactly one", ln.Num, ln.Event, ln.Err)
		}
		if ln.Event != nil {
			checkEvent(t, ln.Event)
			checkRoundTrip(t, ln.Event)
			out = append(out, outcome{Num: ln.Num, OK: true, ID: string(ln.Event.ID), Type: string(ln.Event.Type)})
			continue
		}
		le, ok := ln.Err.(*event.LineError)
		if !ok {
			t.Fatalf("line %d: got error %T %v, want *event.LineError", ln.Num, ln.Err, ln.Err)
		}
		if le.Line != ln.Num {
			t.Fatalf("got LineError.Line %d, want %d", le.Line, ln.Num)
		}
		if !strings.HasPrefix(le.Error(), fmt.Sprintf("line %d", ln.Num)) {
			t.Fatalf("got %q, want it to name line %d", le.Error(), ln.Num)
		}
		var fe *event.FieldError
		if !errors.As(le, &fe) {
			t.Fatalf("line %d: got %v, want a wrapped *event.FieldError", ln.Num, le)
		}
		out = append(out, outcome{Num: ln.Num, ID: le.ID, Field: fe.Field, Msg: fe.Msg})
	}
	// After EOF the reader stays at EOF.
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("Next after EOF: got %v, want io.EOF", err)
	}
	return out
}

// rawReadAll runs data through event.NewRawReader and event.Decode.
func rawReadAll(t testing.TB, r io.Reader) []outcome {
	return rawRead(t, r, false)
}

// rawRead is rawReadAll, with RawReader.NextAppend when appending: the
// lines are appended to a prefix in one buffer used again for every line,
// and the prefix must be left alone.
func rawRead(t testing.TB, r io.Reader, appending bool) []outcome {
	t.Helper()
	rr := event.NewRawReader(r)
	var out []outcome
	const prefix = "prefix"
	buf := []byte(prefix)
	for {
		var (
			num     int
			raw     []byte
			tooLong bool
			err     error
		)
		if appending {
			var got []byte
			num, got, tooLong, err = rr.NextAppend(buf)
			if string(got[:len(prefix)]) != prefix {
				t.Fatalf("NextAppend changed the buffer's prefix to %q", got[:len(prefix)])
			}
			raw, buf = got[len(prefix):], got[:len(prefix)]
			if tooLong && len(raw) > 0 {
				t.Fatalf("line %d: got %d bytes of a too-long line, want none", num, len(raw))
			}
			if tooLong || err != nil {
				raw = nil
			}
		} else {
			num, raw, tooLong, err = rr.Next()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("RawReader.Next: %v", err)
		}
		if tooLong {
			if raw != nil {
				t.Fatalf("line %d: got %d bytes of a too-long line, want nil", num, len(raw))
			}
			// What Reader reports for such a line.
			out = append(out, outcome{Num: num, Msg: "line longer than the 1 MiB limit"})
			continue
		}
		e, derr := event.Decode(raw)
		if derr != nil {
			var fe *event.FieldError
			if !errors.As(derr, &fe) {
				t.Fatalf("line %d: got %T %v, want *event.FieldError", num, derr, derr)
			}
			out = append(out, outcome{Num: num, ID: event.PeekID(raw), Field: fe.Field, Msg: fe.Msg})
			continue
		}
		out = append(out, outcome{Num: num, OK: true, ID: string(e.ID), Type: string(e.Type)})
	}
	return out
}

// physicalLines splits data into lines the way the contract defines them,
// independently of the reader: "\n" ends a line, a "\r" before it belongs to
// the line ending, a last line may lack its newline.
func physicalLines(data []byte) [][]byte {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return lines
}

func isBlank(line []byte) bool { return len(bytes.Trim(line, " \t\r")) == 0 }

// The corpus lines describe their own expected outcome through their id:
// "ok-…" must decode, "bad<N>:<field>" must be rejected naming <field>.
var badID = regexp.MustCompile(`^bad[0-9]+:(.*)$`)

// TestCorpus runs every file of testdata/corpus through Reader and through
// RawReader+Decode, checks that both agree, that every non-blank line has
// exactly one outcome with the right line number, that every line's
// outcome matches what its id says, and compares the outcomes with the
// golden file (go test ./event -run TestCorpus -update rewrites it).
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.ndjson")
	if err != nil || len(files) == 0 {
		t.Fatalf("got corpus files %v (%v), want some", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, bytes.NewReader(data))

			// RawReader + Decode (with Next and with NextAppend), and
			// Reader fed one byte at a time, agree.
			if diff := cmp.Diff(got, rawReadAll(t, bytes.NewReader(data))); diff != "" {
				t.Fatalf("Reader and RawReader+Decode differ (-Reader +Raw):\n%s", diff)
			}
			if diff := cmp.Diff(got, rawRead(t, bytes.NewReader(data), true)); diff != "" {
				t.Fatalf("Reader and RawReader.NextAppend+Decode differ (-Reader +Raw):\n%s", diff)
			}
			if diff := cmp.Diff(got, readAll(t, iotest.OneByteReader(bytes.NewReader(data)))); diff != "" {
				t.Fatalf("Reader differs on one-byte reads (-whole +bytewise):\n%s", diff)
			}

			lines := physicalLines(data)
			byNum := map[int]outcome{}
			for _, o := range got {
				byNum[o.Num] = o
			}
			if len(byNum) != len(got) {
				t.Fatalf("got duplicate line numbers in %v", got)
			}
			for i, line := range lines {
				num := i + 1
				o, ok := byNum[num]
				if isBlank(line) {
					if ok {
						t.Fatalf("blank line %d: got %v, want it skipped", num, o)
					}
					continue
				}
				if !ok {
					t.Fatalf("line %d %q: got no outcome, want one (a line was lost)", num, line)
				}
				id := event.PeekID(line)
				if o.ID != id {
					t.Fatalf("line %d: got id %q, want %q", num, o.ID, id)
				}
				switch m := badID.FindStringSubmatch(id); {
				case strings.HasPrefix(id, "ok-"):
					if !o.OK {
						t.Fatalf("line %d: got %v, want it accepted", num, o)
					}
				case m != nil:
					if o.OK || o.Field != m[1] {
						t.Fatalf("line %d: got %v, want rejected naming field %q", num, o, m[1])
					}
				}
			}
			if len(got) == 0 {
				t.Fatalf("got no outcomes")
			}

			var b strings.Builder
			for i, o := range got {
				if o.OK {
					fmt.Fprintln(&b, o)
					continue
				}
				// The golden file keeps the full LineError text.
				le := &event.LineError{Line: o.Num, ID: o.ID, Err: &event.FieldError{Field: o.Field, Msg: o.Msg}}
				fmt.Fprintf(&b, "%d error field=%q: %v\n", got[i].Num, o.Field, le)
			}
			golden := strings.TrimSuffix(file, ".ndjson") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Fatalf("outcomes differ from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestCorpusCounts guards the corpus itself: it must keep exercising both
// accepted and rejected lines of every kind it was written for.
func TestCorpusCounts(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/malformed.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	var ok, bad int
	for _, o := range readAll(t, bytes.NewReader(data)) {
		if o.OK {
			ok++
		} else {
			bad++
		}
	}
	if ok < 10 || bad < 90 {
		t.Fatalf("got %d accepted and %d rejected lines, want at least 10 and 90", ok, bad)
	}
}

// padded returns a valid feedback.left line of exactly n bytes, padding the
// text with ASCII.
func padded(t testing.TB, id string, n int) []byte {
	t.Helper()
	pre := `{"id":"` + id + `","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"f1","order":"o1","buyer":"b1","seller":"s9","rating":"negative","text":"`
	post := `"}}`
	if n < len(pre)+len(post) {
		t.Fatalf("padded: %d bytes is too short", n)
	}
	return []byte(pre + strings.Repeat("x", n-len(pre)-len(post)) + post)
}

// TestReaderHugeLines generates lines around and far over the 1 MiB limit:
// the long ones are rejected naming their line, the lines after them are
// still read.
func TestReaderHugeLines(t *testing.T) {
	var in bytes.Buffer
	in.WriteString(specLeft + "\n")                    // 1
	in.Write(padded(t, "max", event.MaxLine))          // 2: exactly 1 MiB, accepted
	in.WriteString("\n")                               //
	in.Write(padded(t, "over", event.MaxLine+1))       // 3: one byte over
	in.WriteString("\n")                               //
	in.WriteString(specMessage + "\r\n")               // 4
	in.Write(padded(t, "maxcrlf", event.MaxLine))      // 5: 1 MiB plus CRLF, accepted
	in.WriteString("\r\n")                             //
	in.Write(padded(t, "huge", 3*event.MaxLine+12345)) // 6: 3 MiB
	in.WriteString("\n\n")                             // 7 blank
	in.WriteString(specReport + "\n")                  // 8
	in.Write(padded(t, "overeof", event.MaxLine+1))    // 9: over, at EOF without newline
	data := in.Bytes()

	want := []outcome{
		{Num: 1, OK: true, ID: "e5", Type: "feedback.left"},
		{Num: 2, OK: true, ID: "max", Type: "feedback.left"},
		{Num: 3, Msg: "line longer than the 1 MiB limit"},
		{Num: 4, OK: true, ID: "e8", Type: "message.sent"},
		{Num: 5, OK: true, ID: "maxcrlf", Type: "feedback.left"},
		{Num: 6, Msg: "line longer than the 1 MiB limit"},
		{Num: 8, OK: true, ID: "e9", Type: "report.filed"},
		{Num: 9, Msg: "line longer than the 1 MiB limit"},
	}
	if diff := cmp.Diff(want, readAll(t, bytes.NewReader(data))); diff != "" {
		t.Fatalf("Reader (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, rawReadAll(t, bytes.NewReader(data))); diff != "" {
		t.Fatalf("RawReader (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, readAll(t, iotest.HalfReader(bytes.NewReader(data)))); diff != "" {
		t.Fatalf("Reader on short reads (-want +got):\n%s", diff)
	}
	// Decode applies the same limit to a single event.
	if _, err := event.Decode(padded(t, "over", event.MaxLine+1)); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("Decode of a line over 1 MiB: got %v, want a 1 MiB error", err)
	}
}

// TestReaderRaw checks Line.Raw (the line without its ending) and that
// RawReader returns copies the caller owns.
func TestReaderRaw(t *testing.T) {
	in := "  \r\n" + specDelivered + "\r\n" + "{bad\n" + specWithdrawn
	rd := event.NewReader(strings.NewReader(in))
	wantRaw := []struct {
		num int
		raw string
	}{{2, specDelivered}, {3, "{bad"}, {4, specWithdrawn}}
	for _, w := range wantRaw {
		ln, err := rd.Next()
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if ln.Num != w.num || string(ln.Raw) != w.raw {
			t.Fatalf("got line %d %q, want line %d %q", ln.Num, ln.Raw, w.num, w.raw)
		}
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}

	rr := event.NewRawReader(strings.NewReader(in))
	var kept [][]byte
	for {
		_, raw, _, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, raw)
	}
	var got []string
	for _, k := range kept {
		got = append(got, string(k))
	}
	if diff := cmp.Diff([]string{specDelivered, "{bad", specWithdrawn}, got); diff != "" {
		t.Fatalf("RawReader lines kept across calls (-want +got):\n%s", diff)
	}
}

// TestRawReaderShared checks that the lines RawReader returns are
// independent: appending to one changes no other, and many lines, short
// and long, come out whole.
func TestRawReaderShared(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 3000 {
		line := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", i%300))
		if i%1000 == 999 {
			line = fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("y", 100<<10))
		}
		want = append(want, line)
		in.WriteString(line + "\n")
	}
	rr := event.NewRawReader(strings.NewReader(in.String()))
	var kept [][]byte
	for {
		_, raw, _, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) > 0 {
			prev := kept[len(kept)-1]
			_ = append(prev, "!!!!"...) // must not write into raw
		}
		kept = append(kept, raw)
	}
	if len(kept) != len(want) {
		t.Fatalf("got %d lines, want %d", len(kept), len(want))
	}
	for i, k := range kept {
		if string(k) != want[i] {
			t.Fatalf("line %d: got %.40q, want %.40q", i+1, k, want[i])
		}
	}
}

// TestReaderEmpty covers inputs without any event.
func TestReaderEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "\r\n", "\n\n\n", "  \t ", " \r\n\t\n"} {
		if got := readAll(t, strings.NewReader(in)); len(got) != 0 {
			t.Fatalf("Reader(%q): got %v, want nothing", in, got)
		}
		if got := rawReadAll(t, strings.NewReader(in)); len(got) != 0 {
			t.Fatalf("RawReader(%q): got %v, want nothing", in, got)
		}
	}
}

// TestReaderReadError checks that a failing source's error is returned as
// is, after the lines read before it.
func TestReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	src := io.MultiReader(strings.NewReader(specLeft+"\n"+specMessage+"\n"+`{"id":"part`), iotest.ErrReader(boom))

	rd := event.NewReader(src)
	for _, want := range []string{"e5", "e8"} {
		ln, err := rd.Next()
		if err != nil || ln.Event == nil || string(ln.Event.ID) != want {
			t.Fatalf("got %+v, %v, want event %s", ln, err, want)
		}
	}
	if _, err := rd.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}

	rr := event.NewRawReader(io.MultiReader(strings.NewReader(specLeft+"\n"), iotest.ErrReader(boom)))
	if num, raw, _, err := rr.Next(); err != nil || num != 1 || string(raw) != specLeft {
		t.Fatalf("got %d %q %v, want line 1", num, raw, err)
	}
	if _, _, _, err := rr.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
}

func TestLineError(t *testing.T) {
	fe := &event.FieldError{Field: "feedback.rating", Msg: "required"}
	tests := []struct {
		err  *event.LineError
		want string
	}{
		{&event.LineError{Line: 7, ID: "e5", Err: fe}, "line 7 (id e5): feedback.rating: required"},
		{&event.LineError{Line: 12, Err: fe}, "line 12: feedback.rating: required"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Fatalf("got %q, want %q", got, tt.want)
		}
		var got *event.FieldError
		if !errors.As(tt.err, &got) || got != fe {
			t.Fatalf("errors.As: got %v, want the wrapped FieldError", got)
		}
	}
}

func TestPeekID(t *testing.T) {
	long := strings.Repeat("x", 201)
	tests := []struct {
		raw  string
		want string
	}{
		{specLeft, "e5"},
		{`{"id":"a","type":"nope"}`, "a"},
		{`{"id":5}`, ""},
		{`{"id":null}`, ""},
		{`{"id":["a"]}`, ""},
		{`{"type":"x"}`, ""},
		{`{"id":"a"`, ""},
		{`[1]`, ""},
		{`{"id":"` + long + `"}`, ""},
		{`{"id":"` + long[:200] + `"}`, long[:200]},
		{``, ""},
	}
	for _, tt := range tests {
		if got := event.PeekID([]byte(tt.raw)); got != tt.want {
			t.Fatalf("PeekID(%.40q): got %q, want %q", tt.raw, got, tt.want)
		}
	}
}
