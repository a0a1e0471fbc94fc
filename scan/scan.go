// Package scan runs fairmark's text detectors — off-platform contacts
// (package contact) and extortion intent (package intent) — over one text,
// for `fairmark scan` and for the engine.
package scan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/fairmark/fairmark/contact"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/intent"
)

// Contact is one contact in `fairmark scan` output.
type Contact struct {
	Kind  contact.Kind `json:"kind"`
	Value string       `json:"value"`
	Start int          `json:"start"`
	End   int          `json:"end"`
}

// Result is what the detectors found in one text.
type Result struct {
	Contacts      []Contact `json:"contacts"`
	Extortion     float64   `json:"extortion"`
	ExtortionFlag bool      `json:"extortion_flag"`
	Reasons       []string  `json:"reasons"`
}

// Text runs both detectors over text.
func Text(text string) Result {
	cs := contact.Find(text)
	in := intent.Score(text)
	r := Result{Contacts: make([]Contact, 0, len(cs)), Extortion: in.Probability, ExtortionFlag: in.Flag, Reasons: []string{}}
	if in.Flag {
		r.Reasons = append(r.Reasons, in.Reasons...)
	}
	seen := map[contact.Kind]bool{}
	for _, c := range cs {
		r.Contacts = append(r.Contacts, Contact{Kind: c.Kind, Value: c.Value, Start: c.Start, End: c.End})
		if !seen[c.Kind] {
			seen[c.Kind] = true
			r.Reasons = append(r.Reasons, "off-platform contact: "+string(c.Kind))
		}
	}
	return r
}

// Detector adapts the detectors to the engine.
func Detector(text string) engine.Text {
	var t engine.Text
	for _, c := range contact.Find(text) {
		t.Contacts = append(t.Contacts, engine.Contact{Kind: string(c.Kind), Value: c.Value})
	}
	in := intent.Score(text)
	t.Intent = engine.Intent{Probability: in.Probability, Flag: in.Flag, Reasons: in.Reasons, Patterned: len(in.Signals) > 0}
	return t
}

// Stats counts what Run read.
type Stats struct {
	Lines  int
	Errors int
}

// Run reads JSON lines {"id":...,"text":...} from r and writes one JSON
// line per input to w, in input order. A line that is not valid JSON, or
// has no text, yields {"id":null,"error":"..."} and the next lines are still
// processed. Blank lines are skipped.
func Run(r io.Reader, w io.Writer) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 1<<20)
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			st.Lines++
			out, ok := scanLine(line)
			if !ok {
				st.Errors++
			}
			if err := enc.Encode(out); err != nil {
				return st, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
	}
	return st, bw.Flush()
}

type inLine struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

type outLine struct {
	ID json.RawMessage `json:"id"`
	Result
}

type errLine struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

func scanLine(line []byte) (any, bool) {
	var in inLine
	if err := json.Unmarshal(line, &in); err != nil {
		return errLine{ID: json.RawMessage("null"), Error: "not a JSON object: " + err.Error()}, false
	}
	id := in.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if in.Text == nil {
		return errLine{ID: id, Error: `missing "text"`}, false
	}
	return outLine{ID: id, Result: Text(*in.Text)}, true
}
