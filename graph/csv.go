package graph

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
)

// maxLine bounds one input line; longer lines are an error, not a memory
// blow-up.
const maxLine = 1 << 16

// ReadCSV reads SNAP signed-network rows `source,target,rating,time` (no
// header) and builds a Graph. Blank lines and lines starting with '#' are
// skipped; fields may be surrounded by spaces; CRLF line ends are accepted.
// A first row whose rating and time are both not numbers is a header
// someone added ("source,target,rating,time") and is skipped too; any
// other row that does not parse is an error. Errors name the 1-based line,
// e.g. "line 17: rating: not a number".
func ReadCSV(r io.Reader) (*Graph, error) {
	b := NewBuilder()
	if err := readInto(b, r); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

func readInto(b *Builder, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var fields [4][]byte
	line, rows := 0, 0
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", line+1, err)
		}
		if len(raw) == 0 && err == io.EOF {
			return nil
		}
		line++
		s := bytes.TrimSpace(raw)
		if len(s) > 0 && s[0] != '#' {
			nf := 0
			for nf < 4 {
				i := bytes.IndexByte(s, ',')
				if i < 0 {
					fields[nf] = s
					nf++
					s = nil
					break
				}
				fields[nf] = s[:i]
				nf++
				s = s[i+1:]
			}
			if s != nil || nf != 4 {
				got := nf
				if s != nil {
					got = 4 + bytes.Count(s, []byte{','}) + 1
				}
				return fmt.Errorf("line %d: want 4 fields source,target,rating,time, got %d", line, got)
			}
			src := bytes.TrimSpace(fields[0])
			dst := bytes.TrimSpace(fields[1])
			if len(src) == 0 {
				return fmt.Errorf("line %d: source: empty", line)
			}
			if len(dst) == 0 {
				return fmt.Errorf("line %d: target: empty", line)
			}
			rows++
			rating, perr := parseNum(fields[2])
			t, terr := parseNum(fields[3])
			switch {
			case rows == 1 && perr == "not a number" && terr == "not a number":
				// a header row: skipped
			case perr != "":
				return fmt.Errorf("line %d: rating: %s", line, perr)
			case terr != "":
				return fmt.Errorf("line %d: time: %s", line, terr)
			default:
				if aerr := b.Add(string(src), string(dst), rating, t); aerr != nil {
					return fmt.Errorf("line %d: %w", line, aerr)
				}
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// parseNum parses a finite float and returns a short reason on failure.
func parseNum(f []byte) (float64, string) {
	f = bytes.TrimSpace(f)
	if len(f) == 0 {
		return 0, "empty"
	}
	v, err := strconv.ParseFloat(string(f), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, "out of range"
		}
		return 0, "not a number"
	}
	if v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308 {
		return 0, "not a finite number"
	}
	return v, ""
}

// WriteCSV writes scores with the header `node,fairness,goodness,risk`,
// numbers rounded to 6 decimals.
func WriteCSV(w io.Writer, scores []Score) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("node,fairness,goodness,risk\n")
	var buf []byte
	for _, s := range scores {
		buf = buf[:0]
		buf = appendField(buf, s.Node)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, round6(s.Fairness), 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, round6(s.Goodness), 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, round6(s.Risk), 'f', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendField quotes a node name if it contains CSV-special characters.
// ReadCSV never produces such names (commas split fields), but builders
// used from code might.
func appendField(buf []byte, s string) []byte {
	if !bytes.ContainsAny([]byte(s), ",\"\r\n") {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, s[i])
	}
	return append(buf, '"')
}

func round6(v float64) float64 {
	r := math.Round(v*1e6) / 1e6
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// Run is the `fairmark graph` pipeline: read SNAP CSV from in, score every
// node with Compute, write `node,fairness,goodness,risk` CSV to out.
func Run(in io.Reader, out io.Writer, opt Options) error {
	g, err := ReadCSV(in)
	if err != nil {
		return err
	}
	scores, err := Compute(g, opt)
	if err != nil {
		return err
	}
	return WriteCSV(out, scores)
}
