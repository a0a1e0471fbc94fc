package sim

import (
	"io"
	"runtime"
	"sync"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

// encoder turns events into NDJSON off the generating goroutine: batches go
// to a few workers, and one writer goroutine writes the encoded batches in
// the order they were added, so the output is the same as a sequential
// encoding.
type encoder struct {
	w     io.Writer
	batch []*fairmark.Event
	jobs  chan encJob
	order chan chan encResult
	done  chan error
	wg    sync.WaitGroup

	mu     sync.Mutex
	failed error // first write or encode error, seen by add
}

type encJob struct {
	evs []*fairmark.Event
	res chan encResult
}

type encResult struct {
	b   *[]byte // from bufPool
	err error
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, encBatch*256); return &b }}

const encBatch = 2048

func newEncoder(w io.Writer) *encoder {
	e := &encoder{
		w:     w,
		jobs:  make(chan encJob, 8),
		order: make(chan chan encResult, 16),
		done:  make(chan error, 1),
	}
	workers := min(runtime.GOMAXPROCS(0), 4)
	for range workers {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for j := range e.jobs {
				var err error
				bp := bufPool.Get().(*[]byte)
				buf := (*bp)[:0]
				for _, ev := range j.evs {
					var b []byte
					if b, err = event.Encode(ev); err != nil {
						break
					}
					buf = append(buf, b...)
					buf = append(buf, '\n')
				}
				*bp = buf
				j.res <- encResult{bp, err}
			}
		}()
	}
	go func() {
		var err error
		for res := range e.order {
			r := <-res
			if err != nil {
				continue
			}
			if r.err != nil {
				err = r.err
			} else if _, werr := e.w.Write(*r.b); werr != nil {
				err = werr
			}
			bufPool.Put(r.b)
			if err != nil {
				e.mu.Lock()
				e.failed = err
				e.mu.Unlock()
			}
		}
		e.done <- err
	}()
	return e
}

// add queues one event. It returns the first error the writer met, so the
// simulation stops early when the output is gone.
func (e *encoder) add(ev *fairmark.Event) error {
	e.batch = append(e.batch, ev)
	if len(e.batch) < encBatch {
		return nil
	}
	e.send()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}

func (e *encoder) send() {
	if len(e.batch) == 0 {
		return
	}
	res := make(chan encResult, 1)
	e.order <- res
	e.jobs <- encJob{e.batch, res}
	e.batch = make([]*fairmark.Event, 0, encBatch)
}

// close writes what is left and returns the first error.
func (e *encoder) close() error {
	e.send()
	close(e.jobs)
	close(e.order)
	err := <-e.done
	e.wg.Wait()
	return err
}

// abort stops the goroutines after a failed run.
func (e *encoder) abort() {
	e.batch = nil
	_ = e.close()
}
