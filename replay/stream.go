package replay

import (
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
)

// Replay reads every line of r and applies the valid events, deduplicated
// by id (the first in the file wins) and in engine order, to a new engine
// made with cfg: what Load then Run do, with the same result and Stats.
//
// Files are usually in engine order already (fairmark simulate writes them
// so, and the store exports its log so), so Replay applies events while the
// rest of the file is still being read, decoded and scanned by the
// detectors on the other cores: reading, decoding and detection overlap
// with the single-threaded apply. Should an event come out of order, it
// stops applying, reads the rest, sorts everything and replays it on a
// fresh engine. With cfg.OnDecision set it never applies early (decisions
// of an abandoned engine would escape) and behaves as Load then Run.
func Replay(r io.Reader, cfg engine.Config) (*engine.Engine, Stats, error) {
	if cfg.OnDecision != nil {
		evs, st, err := Load(r)
		if err != nil {
			return nil, st, err
		}
		en := engine.New(cfg)
		Run(en, evs)
		return en, st, nil
	}
	// A file that can be read again is read again should it be out of
	// order; otherwise the events are kept for that case.
	rs, seekable := r.(io.ReadSeeker)
	var start int64
	if seekable {
		var err error
		if start, err = rs.Seek(0, io.SeekCurrent); err != nil {
			seekable = false
		}
	}
	// The lines are read in batches of up to batchLines lines or
	// batchBytes bytes, each into one buffer. Decoding copies what the
	// events keep, so a batch's buffer is used again once its lines are
	// decoded: reading then writes to memory already in use rather than
	// to new memory, which costs page faults and collections.
	const (
		batchLines = 1024
		batchBytes = 256 << 10
	)
	type lines struct {
		data []byte
		ends []int // line i is data[ends[i-1]:ends[i]] (from 0 for i = 0)
		nums []int // line numbers
	}
	type batch struct {
		raw  *lines // nil once decoded
		ps   []engine.Prepared
		errs []error // nil when no line was rejected, else one per line
		done chan struct{}
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *batch, workers*2)
	ordered := make(chan *batch, 64) // bounds how far reading runs ahead of applying
	free := make(chan *lines, workers*2+2)
	var (
		st      Stats
		tooLong []error
		readErr error
	)
	newBatch := func() *batch {
		select {
		case l := <-free:
			l.data, l.ends, l.nums = l.data[:0], l.ends[:0], l.nums[:0]
			return &batch{raw: l, done: make(chan struct{})}
		default:
		}
		l := &lines{data: make([]byte, 0, batchBytes+batchBytes/4), ends: make([]int, 0, batchLines), nums: make([]int, 0, batchLines)}
		return &batch{raw: l, done: make(chan struct{})}
	}
	go func() {
		defer close(ordered)
		defer close(jobs)
		rd := event.NewRawReader(r)
		b := newBatch()
		for {
			l := b.raw
			num, data, long, err := rd.NextAppend(l.data)
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				break
			}
			st.Lines++
			if long {
				tooLong = append(tooLong, &event.LineError{Line: num, Err: &event.FieldError{Msg: "line longer than the 1 MiB limit"}})
				continue
			}
			l.data = data
			l.ends = append(l.ends, len(data))
			l.nums = append(l.nums, num)
			if len(l.nums) == batchLines || len(l.data) >= batchBytes {
				ordered <- b
				jobs <- b
				b = newBatch()
			}
		}
		if len(b.raw.nums) > 0 {
			ordered <- b
			jobs <- b
		}
	}()
	for range workers {
		go func() {
			detect := cachedDetector(cfg.Detect, 1<<16)
			// The events share blocks of memory, which are freed once
			// their events are applied: the engine copies what it keeps.
			var dec event.BatchDecoder
			for b := range jobs {
				l := b.raw
				b.ps = make([]engine.Prepared, len(l.nums))
				start := 0
				for i, end := range l.ends {
					ev, err := dec.Decode(l.data[start:end])
					start = end
					if err != nil {
						if b.errs == nil {
							b.errs = make([]error, len(l.nums))
						}
						b.errs[i] = &event.LineError{Line: l.nums[i], Err: err}
						continue
					}
					b.ps[i] = engine.Prepare(detect, ev)
				}
				// Neither the events nor the errors refer to the lines.
				b.raw = nil
				select {
				case free <- l:
				default:
				}
				close(b.done)
			}
		}()
	}

	// Deduplication runs in a stage of its own, off the applying
	// goroutine: it drops duplicates (and rejected lines) from each batch,
	// in file order.
	var (
		evs        []*fairmark.Event // valid, deduplicated, in file order (kept when not seekable)
		decodeErrs []error
	)
	deduped := make(chan *batch, 4)
	go func() {
		defer close(deduped)
		seen := newIDSet()
		for b := range ordered {
			<-b.done
			k := 0
			for i, p := range b.ps {
				if b.errs != nil && b.errs[i] != nil {
					decodeErrs = append(decodeErrs, b.errs[i])
					continue
				}
				e := p.Event
				// The set keeps a copy of the id: the id shares its
				// event's memory, which is freed once the event is applied.
				if !seen.add(string(e.ID)) {
					st.Duplicates++
					continue
				}
				st.Events++
				if !seekable {
					evs = append(evs, e)
				}
				b.ps[k] = p
				k++
			}
			clear(b.ps[k:])
			b.ps = b.ps[:k]
			deduped <- b
		}
	}()
	en := engine.New(cfg)
	var last *fairmark.Event
	inOrder := true
	for b := range deduped {
		for _, p := range b.ps {
			if !inOrder {
				break
			}
			e := p.Event
			if last != nil && engineLess(e, last) {
				inOrder = false
				break
			}
			applyPrepared(en, p)
			last = e
		}
		b.ps = nil
	}
	st.Rejected = append(tooLong, decodeErrs...)
	if readErr != nil {
		return nil, st, readErr
	}
	if inOrder {
		return en, st, nil
	}
	en = engine.New(cfg)
	if seekable {
		if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return nil, st, err
		}
		evs, st2, err := Load(rs)
		if err != nil {
			return nil, st2, err
		}
		Run(en, evs)
		return en, st2, nil
	}
	SortEvents(evs)
	Run(en, evs)
	return en, st, nil
}

// applyPrepared applies a prepared event in Replay; BenchmarkReplayPipeline
// replaces it to measure the rest of the pipeline alone.
var applyPrepared = (*engine.Engine).Apply

// engineLess reports whether a comes before b in engine order (SortEvents).
func engineLess(a, b *fairmark.Event) bool {
	if c := a.At.Compare(b.At); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

// cachedDetector returns detect with a cache of its readings: marketplaces
// repeat texts ("thanks, fast delivery"), and the detectors are pure, so a
// text read once is not read again. Each reading handed out is a copy, so
// no two events share its slices. The cache holds at most max texts (it
// starts over when full). Not safe for concurrent use: one per goroutine.
func cachedDetector(detect engine.Detector, max int) engine.Detector {
	if detect == nil {
		return nil
	}
	cache := make(map[string]engine.Text)
	return func(text string) engine.Text {
		t, ok := cache[text]
		if !ok {
			t = detect(text) // a panic propagates to Prepare, uncached
			if len(cache) >= max {
				clear(cache)
			}
			// The key and the reading's strings are copies: text shares
			// its event's memory (a block shared with other events), and
			// a detector may return parts of it.
			c := t
			c.Contacts = slices.Clone(t.Contacts)
			for i := range c.Contacts {
				c.Contacts[i].Kind = strings.Clone(c.Contacts[i].Kind)
				c.Contacts[i].Value = strings.Clone(c.Contacts[i].Value)
			}
			c.Intent.Reasons = slices.Clone(t.Intent.Reasons)
			for i := range c.Intent.Reasons {
				c.Intent.Reasons[i] = strings.Clone(c.Intent.Reasons[i])
			}
			cache[strings.Clone(text)] = c
			return t
		}
		t.Contacts = slices.Clone(t.Contacts)
		t.Intent.Reasons = slices.Clone(t.Intent.Reasons)
		return t
	}
}
