package event

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/fairmark/fairmark"
)

// Line is one line of an NDJSON events file: the event, or the reason it
// was rejected.
type Line struct {
	Num   int             // 1-based line number
	Raw   []byte          // the line without its newline; valid until the next call to Next
	Event *fairmark.Event // nil when Err is set
	Err   error           // a *LineError when the line was rejected
}

// LineError is a rejected line: its number, the event id if one could be
// read, and the field error.
type LineError struct {
	Line int
	ID   string
	Err  error
}

func (e *LineError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("line %d (id %s): %v", e.Line, e.ID, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads NDJSON events line by line. Blank lines are skipped. A line
// longer than MaxLine is rejected without being held in memory whole.
type Reader struct {
	br  *bufio.Reader
	num int
	buf []byte
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256<<10)}
}

// Next returns the next non-blank line, decoded. It returns io.EOF after the
// last line, and any other read error as is.
func (r *Reader) Next() (Line, error) {
	for {
		raw, tooLong, err := r.readLine()
		if err != nil && (err != io.EOF || (len(raw) == 0 && !tooLong)) {
			return Line{}, err
		}
		r.num++
		if tooLong {
			return Line{Num: r.num, Err: &LineError{Line: r.num, Err: fieldErr("", "line longer than the 1 MiB limit")}}, nil
		}
		if len(trimSpace(raw)) == 0 {
			if err == io.EOF {
				return Line{}, io.EOF
			}
			continue
		}
		ln := Line{Num: r.num, Raw: raw}
		ev, derr := Decode(raw)
		if derr != nil {
			ln.Err = &LineError{Line: r.num, ID: PeekID(raw), Err: derr}
		} else {
			ln.Event = ev
		}
		return ln, nil
	}
}

// readLine reads one line without its newline. When the line exceeds
// MaxLine it discards the rest of it and reports tooLong.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(r.buf)+len(chunk) > MaxLine+2 {
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if len(r.buf) > 0 && r.buf[len(r.buf)-1] == '\n' {
			r.buf = r.buf[:len(r.buf)-1]
			if len(r.buf) > 0 && r.buf[len(r.buf)-1] == '\r' {
				r.buf = r.buf[:len(r.buf)-1]
			}
		}
		if err == io.EOF && len(r.buf) == 0 && !tooLong {
			return nil, false, io.EOF
		}
		if len(r.buf) > MaxLine {
			return nil, true, err
		}
		return r.buf, tooLong, err
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// RawReader splits NDJSON into lines without decoding them, for callers
// that decode in parallel. Blank lines are skipped.
type RawReader struct{ r Reader }

// NewRawReader returns a RawReader over r.
func NewRawReader(r io.Reader) *RawReader {
	return &RawReader{r: Reader{br: bufio.NewReaderSize(r, 256<<10)}}
}

// Next returns the next non-blank line (a copy the caller owns) and its
// 1-based number. tooLong reports a line over MaxLine, whose bytes are not
// returned. It returns io.EOF after the last line.
func (rr *RawReader) Next() (num int, raw []byte, tooLong bool, err error) {
	num, line, tooLong, err := rr.next()
	if err != nil || tooLong {
		return num, nil, tooLong, err
	}
	return num, append([]byte(nil), line...), false, nil
}

// NextAppend is Next, but appends the line to buf rather than returning a
// new copy: the line is out[len(buf):], and buf's memory is the caller's to
// manage (the reader does not keep it). When tooLong, out is buf.
func (rr *RawReader) NextAppend(buf []byte) (num int, out []byte, tooLong bool, err error) {
	num, line, tooLong, err := rr.next()
	if err != nil || tooLong {
		return num, buf, tooLong, err
	}
	return num, append(buf, line...), false, nil
}

// next returns the next non-blank line, which is valid until the next
// call, as Next does (with no line when tooLong).
func (rr *RawReader) next() (num int, line []byte, tooLong bool, err error) {
	r := &rr.r
	for {
		line, long, err := r.readLine()
		if err != nil && (err != io.EOF || (len(line) == 0 && !long)) {
			return 0, nil, false, err
		}
		r.num++
		if long {
			return r.num, nil, true, nil
		}
		if len(trimSpace(line)) == 0 {
			if err == io.EOF {
				return 0, nil, false, io.EOF
			}
			continue
		}
		return r.num, line, false, nil
	}
}
