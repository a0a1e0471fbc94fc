// Package replay runs an events file through the engine offline, the way
// `fairmark replay` does: decode (in parallel), deduplicate by id, sort into
// engine order, run the detectors (in parallel) and apply every event to
// one engine. The engine is the one the server runs.
package replay

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
)

// Stats counts what a replay read.
type Stats struct {
	Lines      int
	Events     int // unique valid events applied
	Duplicates int
	Rejected   []error // one *event.LineError per bad line
}

// Load reads and decodes every line of r. Bad lines are returned in
// Stats.Rejected; valid events are kept. Decoding runs on all cores.
func Load(r io.Reader) ([]*fairmark.Event, Stats, error) {
	type job struct {
		num int
		raw []byte
	}
	type result struct {
		num int
		ev  *fairmark.Event
		err error
	}
	var st Stats
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan []job, workers*2)
	results := make(chan []result, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range jobs {
				out := make([]result, len(batch))
				for i, j := range batch {
					ev, err := event.Decode(j.raw)
					if err != nil {
						err = &event.LineError{Line: j.num, Err: err}
					}
					out[i] = result{j.num, ev, err}
				}
				results <- out
			}
		}()
	}
	var all [][]result
	done := make(chan struct{})
	go func() {
		for r := range results {
			all = append(all, r)
		}
		close(done)
	}()
	rd := event.NewRawReader(r)
	var batch []job
	var readErr error
	for {
		num, raw, tooLong, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		st.Lines++
		if tooLong {
			st.Rejected = append(st.Rejected, &event.LineError{Line: num, Err: &event.FieldError{Msg: "line longer than the 1 MiB limit"}})
			continue
		}
		batch = append(batch, job{num, raw})
		if len(batch) == 1024 {
			jobs <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		jobs <- batch
	}
	close(jobs)
	wg.Wait()
	close(results)
	<-done
	if readErr != nil {
		return nil, st, readErr
	}
	// Restore file order so that the first of two duplicate ids wins.
	n := 0
	for _, b := range all {
		n += len(b)
	}
	flat := make([]result, 0, n)
	for _, b := range all {
		flat = append(flat, b...)
	}
	slices.SortFunc(flat, func(a, b result) int { return a.num - b.num })
	evs := make([]*fairmark.Event, 0, len(flat))
	seen := make(map[fairmark.EventID]struct{}, len(flat))
	for _, r := range flat {
		if r.err != nil {
			st.Rejected = append(st.Rejected, r.err)
			continue
		}
		if _, dup := seen[r.ev.ID]; dup {
			st.Duplicates++
			continue
		}
		seen[r.ev.ID] = struct{}{}
		evs = append(evs, r.ev)
	}
	SortEvents(evs)
	st.Events = len(evs)
	return evs, st, nil
}

// SortEvents sorts events into engine order (time, then id).
func SortEvents(evs []*fairmark.Event) {
	slices.SortFunc(evs, func(a, b *fairmark.Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// Run applies evs (in engine order) to en, running the detectors on all
// cores ahead of the single-threaded apply. It clears evs as it goes so
// that applied events can be freed: evs is empty (all nil) afterwards.
func Run(en *engine.Engine, evs []*fairmark.Event) {
	reserve(en, evs)
	detect := en.Detector()
	if detect == nil {
		for i, e := range evs {
			en.Apply(engine.Prepared{Event: e})
			evs[i] = nil
		}
		return
	}
	const chunk = 4096
	workers := runtime.GOMAXPROCS(0)
	type part struct {
		ps    []engine.Prepared
		ready chan struct{}
	}
	parts := make([]*part, 0, len(evs)/chunk+1)
	for i := 0; i < len(evs); i += chunk {
		parts = append(parts, &part{ready: make(chan struct{})})
	}
	next := make(chan int, len(parts))
	for i := range parts {
		next <- i
	}
	close(next)
	for range workers {
		go func() {
			detect := cachedDetector(detect, 1<<16)
			for i := range next {
				lo, hi := i*chunk, min((i+1)*chunk, len(evs))
				ps := make([]engine.Prepared, hi-lo)
				for k := lo; k < hi; k++ {
					ps[k-lo] = engine.Prepare(detect, evs[k])
					evs[k] = nil
				}
				parts[i].ps = ps
				close(parts[i].ready)
			}
		}()
	}
	for _, p := range parts {
		<-p.ready
		for _, x := range p.ps {
			en.Apply(x)
		}
		p.ps = nil
	}
}

// reserve sizes en's tables for the accounts, orders and feedback evs open.
func reserve(en *engine.Engine, evs []*fairmark.Event) {
	var accounts, orders, feedback int
	for _, e := range evs {
		switch e.Type {
		case fairmark.AccountOpened:
			accounts++
		case fairmark.OrderPlaced:
			orders++
		case fairmark.FeedbackLeft:
			feedback++
		}
	}
	en.Reserve(accounts, orders, feedback)
}

// WriteCSVs writes accounts.csv, feedback.csv and sellers.csv into dir.
func WriteCSVs(en *engine.Engine, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"accounts.csv", en.WriteAccountsCSV},
		{"feedback.csv", en.WriteFeedbackCSV},
		{"sellers.csv", en.WriteSellersCSV},
	}
	// The three files are written concurrently.
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, file := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Create(filepath.Join(dir, file.name))
			if err != nil {
				errs[i] = err
				return
			}
			bw := bufio.NewWriterSize(f, 1<<16)
			err = file.write(bw)
			if err == nil {
				err = bw.Flush()
			}
			if err != nil {
				f.Close()
				errs[i] = fmt.Errorf("write %s: %w", file.name, err)
				return
			}
			errs[i] = f.Close()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
