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
	"github.com/fairmark/fairmark/store"
)

func (m *Main) importCmd(ctx context.Context, args []string) error {
	fs := m.newFlags("import", "import [--data DIR | --postgres URL] FILE")
	var sf storeFlags
	m.addStoreFlags(fs, &sf)
	batchSize := fs.Int("batch", 50000, "events per transaction")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import (store and engine phases) to this file")
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
	// On an error, what was committed is still made durable.
	closeDB := func() {
		done(context.WithoutCancel(ctx))
		db.Close()
	}
	start := time.Now()
	cr := &countingReader{r: r}
	rd := event.NewReader(cr)
	prog := newProgress(m.Stderr, size)
	var batch []store.Incoming
	var accepted, dups, rejected, lines int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		isNew, err := db.Append(ctx, batch)
		if err != nil {
			return err
		}
		for _, n := range isNew {
			if n {
				accepted++
			} else {
				dups++
			}
		}
		batch = batch[:0]
		prog.update(cr.n, lines)
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			closeDB()
			return err
		}
		ln, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			closeDB()
			return fmt.Errorf("read %s: %w", path, err)
		}
		lines++
		if ln.Err != nil {
			rejected++
			prog.clear()
			if rejected <= 100 {
				fmt.Fprintln(m.Stderr, "rejected:", ln.Err)
			} else if rejected == 101 {
				fmt.Fprintln(m.Stderr, "(more rejected lines not shown)")
			}
			continue
		}
		batch = append(batch, store.Incoming{Event: ln.Event, Raw: append([]byte(nil), ln.Raw...)})
		if len(batch) >= *batchSize {
			if err := flush(); err != nil {
				closeDB()
				return fmt.Errorf("store: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		closeDB()
		return fmt.Errorf("store: %w", err)
	}
	if err := done(ctx); err != nil {
		db.Close()
		return fmt.Errorf("store: %w", err)
	}
	prog.clear()
	storedIn := time.Since(start)
	db.Close()
	// Run the engine over the whole log: decisions and evidence catch up.
	svc, db2, err := m.openService(ctx, &sf, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("run engine: %w", err)
	}
	st := svc.Stats()
	db2.Close()
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
