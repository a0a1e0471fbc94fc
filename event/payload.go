package event

import (
	"bytes"
	"encoding/json"
)

// SplitPayload returns the events of one stream message payload: the
// payload itself when it is a single JSON value (even pretty-printed over
// several lines), else its non-blank NDJSON lines. A payload with no event
// at all (empty or blank) is returned as is, so that ingestion rejects and
// counts it.
func SplitPayload(p []byte) [][]byte {
	t := bytes.TrimSpace(p)
	if len(t) == 0 || bytes.IndexByte(t, '\n') < 0 || json.Valid(t) {
		return [][]byte{t}
	}
	var out [][]byte
	for line := range bytes.SplitSeq(t, []byte{'\n'}) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}
