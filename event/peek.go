package event

import "encoding/json"

// PeekID returns the "id" of a line that failed validation when it can be
// read, so errors can name the event. It returns "" otherwise.
func PeekID(raw []byte) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	if s, ok := v.ID.(string); ok && len(s) <= 200 {
		return s
	}
	return ""
}
