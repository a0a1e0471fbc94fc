package replay

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/sim"
)

// onlyReader hides a reader's Seek, as a pipe would.
type onlyReader struct{ io.Reader }

// TestReplayMatchesLoadRun checks that Replay gives Load then Run's
// engine and Stats on a file in engine order and on a shuffled one with
// duplicates and bad lines, from a file (read again when out of order) and
// from a pipe.
func TestReplayMatchesLoadRun(t *testing.T) {
	evs, _, err := sim.Events(sim.Config{Seed: 3, Sellers: 60, Buyers: 1500, Days: 20, Complainers: 12})
	if err != nil {
		t.Fatal(err)
	}
	SortEvents(evs)
	encode := func(evs []*fairmark.Event, extra func(i int) string) []byte {
		var buf bytes.Buffer
		for i, e := range evs {
			b, err := event.Encode(e)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
			if extra != nil {
				buf.WriteString(extra(i))
			}
		}
		return buf.Bytes()
	}
	sorted := encode(evs, nil)
	shuffled := append([]*fairmark.Event(nil), evs...)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	messy := encode(shuffled, func(i int) string {
		switch i % 97 {
		case 5:
			b, _ := event.Encode(shuffled[i/2]) // a duplicate
			return string(b) + "\n"
		case 9:
			return "not json\n"
		}
		return ""
	})
	// In engine order but with duplicates that come later and bad lines.
	sortedDup := encode(evs, func(i int) string {
		if i%101 == 7 {
			b, _ := event.Encode(evs[i/3])
			return string(b) + "\nnot json\n"
		}
		return ""
	})
	// In engine order with long lines: over a batch's 256 KiB of lines,
	// and over the 1 MiB limit.
	long := encode(evs, func(i int) string {
		switch i % 500 {
		case 3:
			return `{"id":"long","pad":"` + strings.Repeat("x", 300<<10) + "\"}\n"
		case 7:
			return `{"id":"too-long","pad":"` + strings.Repeat("y", event.MaxLine) + "\"}\n"
		}
		return ""
	})
	dir := t.TempDir()
	for name, data := range map[string][]byte{"sorted": sorted, "messy": messy, "sorted-dup": sortedDup, "long": long} {
		want, wantSt := loadRun(t, data)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, seekable := range []bool{true, false} {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var in io.Reader = f
			if !seekable {
				in = onlyReader{f}
			}
			en, st, err := Replay(in, engine.Config{Detect: scan.Detector})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got := csvs(t, en); got != want {
				t.Errorf("%s (seekable %v): CSVs differ from Load then Run", name, seekable)
			}
			if fmt.Sprint(st) != fmt.Sprint(wantSt) {
				t.Errorf("%s (seekable %v): stats %v, want %v", name, seekable, st, wantSt)
			}
		}
	}
}

func loadRun(t *testing.T, data []byte) (string, Stats) {
	evs, st, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	en := engine.New(engine.Config{Detect: scan.Detector})
	Run(en, evs)
	return csvs(t, en), st
}

func csvs(t *testing.T, en *engine.Engine) string {
	var buf bytes.Buffer
	for _, w := range []func(io.Writer) error{en.WriteAccountsCSV, en.WriteFeedbackCSV, en.WriteSellersCSV} {
		if err := w(&buf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

func TestCachedDetector(t *testing.T) {
	calls := 0
	detect := cachedDetector(func(text string) engine.Text {
		calls++
		return engine.Text{Contacts: []engine.Contact{{Kind: "qq", Value: text}}, Intent: engine.Intent{Reasons: []string{"r"}}}
	}, 2)
	a := detect("x")
	a.Contacts[0].Value = "changed" // a reading is the caller's own
	if b := detect("x"); b.Contacts[0].Value != "x" || calls != 1 {
		t.Fatalf("second reading %+v after %d calls, want the first reading from 1 call", b, calls)
	}
	detect("y")
	detect("z") // full: starts over
	detect("x")
	if calls != 4 {
		t.Fatalf("%d calls, want 4", calls)
	}
	if cachedDetector(nil, 1) != nil {
		t.Fatal("no detector should stay no detector")
	}
}

// TestCachedDetectorCopies checks that the cache keeps copies of the
// strings of a reading, not parts of the text it read (whose memory is
// shared with other events): the text's bytes are overwritten after the
// first reading, and the cached reading is unchanged.
func TestCachedDetectorCopies(t *testing.T) {
	detect := cachedDetector(func(text string) engine.Text {
		return engine.Text{Contacts: []engine.Contact{{Kind: text[:2], Value: text[2:]}}, Intent: engine.Intent{Reasons: []string{text[1:]}}}
	}, 4)
	buf := []byte("qq12345")
	detect(unsafe.String(&buf[0], len(buf)))
	for i := range buf {
		buf[i] = 'X'
	}
	got := detect("qq12345")
	want := engine.Text{Contacts: []engine.Contact{{Kind: "qq", Value: "12345"}}, Intent: engine.Intent{Reasons: []string{"q12345"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cached reading %+v, want %+v", got, want)
	}
}
