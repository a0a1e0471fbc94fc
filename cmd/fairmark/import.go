package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
)

func (m *Main) importCmd(ctx context.Context, args []string) error {
	fs := m.newFlags("import", "import [--data DIR | --postgres URL] FILE")
	var sf storeFlags
	m.addStoreFlags(fs, &sf)
	batchSize := fs.Int("batch", 50000, "events per transaction")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import (store and engine phases) to this file")
	overlap := fs.Bool("overlap", true, "into an empty embedded store, run the engine over the events while they are stored (false: afterwards, over the stored log)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("import needs exactly one events FILE (NDJSON); - for stdin")
	}
	path := fs.Arg(0)
	r, closeIn, err := m.openIn(path)
	if err != nil {
		return err
	}
	defer closeIn()
	var size int64
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	db, err := openStore(ctx, &sf)
	if err != nil {
		return err
	}
	// Bulk settings for the load; done makes it durable before anything
	// is reported as stored.
	done, err := db.BulkLoad(ctx)
	if err != nil {
		db.Close()
		return err
	}
	// The service options read the store (published rules), so before
	// the import, which may hold the database exclusively (BeginImport).
	var opt service.Options
	if *overlap {
		if opt, err = m.serviceOptions(ctx, &sf, db); err != nil {
			done(ctx)
			db.Close()
			return err
		}
	}
	im, err := db.BeginImport(ctx)
	if err != nil {
		done(ctx)
		db.Close()
		return err
	}
	// Into an empty embedded store, the engine runs over the events while
	// they are stored (on another core) instead of over the stored log
	// afterwards; the service takes it only if it is the same engine (see
	// service.Warm).
	var warm *service.Warm
	if *overlap && im.OneTransaction() {
		warm = service.NewWarm(opt)
	}
	// On an error, what was committed is still made durable.
	closeDB := func() {
		if warm != nil {
			warm.Close()
		}
		im.Rollback()
		done(context.WithoutCancel(ctx))
		db.Close()
	}
	start := time.Now()
	cr := &countingReader{r: r}
	prog := newProgress(m.Stderr, size)
	// Lines are read and decoded on another goroutine (another core)
	// while the previous batch is stored.
	type readBatch struct {
		evs      []store.Incoming
		lines    int   // lines read so far
		read     int64 // bytes read so far
		rejected []error
		err      error // a read error; the last batch
	}
	batches := make(chan readBatch, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		rd := event.NewReader(cr)
		var b readBatch
		lines := 0
		send := func() bool {
			b.lines, b.read = lines, cr.n
			select {
			case batches <- b:
				b = readBatch{}
				return true
			case <-stop:
				return false
			}
		}
		for {
			ln, err := rd.Next()
			if err == io.EOF {
				send()
				return
			}
			if err != nil {
				b.err = fmt.Errorf("read %s: %w", path, err)
				send()
				return
			}
			lines++
			if ln.Err != nil {
				b.rejected = append(b.rejected, ln.Err)
				continue
			}
			b.evs = append(b.evs, store.Incoming{Event: ln.Event, Raw: append([]byte(nil), ln.Raw...)})
			if len(b.evs) >= *batchSize && !send() {
				return
			}
		}
	}()
	var accepted, dups, rejected, lines int
	for b := range batches {
		if err := ctx.Err(); err != nil {
			closeDB()
			return err
		}
		for _, e := range b.rejected {
			rejected++
			prog.clear()
			if rejected <= 100 {
				fmt.Fprintln(m.Stderr, "rejected:", e)
			} else if rejected == 101 {
				fmt.Fprintln(m.Stderr, "(more rejected lines not shown)")
			}
		}
		lines = b.lines
		if len(b.evs) > 0 {
			isNew, err := im.Append(ctx, b.evs)
			if err != nil {
				closeDB()
				return fmt.Errorf("store: %w", err)
			}
			if warm != nil {
				warm.Add(b.evs, isNew, im.Received())
			}
			for _, n := range isNew {
				if n {
					accepted++
				} else {
					dups++
				}
			}
			prog.update(b.read, lines)
		}
		if b.err != nil {
			closeDB()
			return b.err
		}
	}
	if err := ctx.Err(); err != nil {
		closeDB()
		return err
	}
	if err := im.Commit(ctx); err != nil {
		closeDB()
		return fmt.Errorf("store: %w", err)
	}
	if err := done(ctx); err != nil {
		if warm != nil {
			warm.Close()
		}
		db.Close()
		return fmt.Errorf("store: %w", err)
	}
	prog.clear()
	storedIn := time.Since(start)
	// The engine over the whole log (or the one run while storing):
	// decisions, evidence and cases catch up.
	sf.bulk = true
	svc, _, err := m.startService(ctx, &sf, db, slog.New(slog.DiscardHandler), warm)
	if err != nil {
		return fmt.Errorf("run engine: %w", err)
	}
	st := svc.Stats()
	db.Close()
	fmt.Fprintf(m.Stdout, "imported %s: %d lines, %d accepted, %d duplicates, %d rejected; stored in %s (%.0f events/s), engine ran over %d events in %s total\n",
		path, lines, accepted, dups, rejected, storedIn.Round(time.Millisecond), float64(accepted+dups)/storedIn.Seconds(), st.Applied, time.Since(start).Round(time.Millisecond))
	if rejected > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d line(s) rejected; the valid ones were stored", rejected)}
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// progress draws a one-line progress report when w is a terminal.
type progress struct {
	w     io.Writer
	tty   bool
	size  int64
	last  time.Time
	start time.Time
}

func newProgress(w io.Writer, size int64) *progress {
	p := &progress{w: w, size: size, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(read int64, lines int) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(lines) / time.Since(p.start).Seconds()
	if p.size > 0 {
		fmt.Fprintf(p.w, "\r%5.1f%%  %d lines  %.0f lines/s ", 100*float64(read)/float64(p.size), lines, rate)
	} else {
		fmt.Fprintf(p.w, "\r%d lines  %.0f lines/s ", lines, rate)
	}
}

func (p *progress) clear() {
	if p.tty && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
