package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a rule file. Line and Col are 1-based; Col counts
// Unicode characters, not bytes. A problem with the file as a whole (a
// missing version) is reported at 1:1.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

// Error formats the problem as "FILE:LINE:COL: message".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in a rule file, sorted by position.
// [Parse] returns a non-empty ErrorList as its error when the file does not
// compile.
type ErrorList []*Error

// Error lists the problems one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
}

// EvalError reports a rule that failed at run time: a runtime error such as
// a division by zero, or its actual cost exceeding
// [Options.RuntimeCostLimit].
type EvalError struct {
	Rule string // the rule's name
	Line int    // the line of the rule's header in its file
	Err  error  // the underlying CEL error
}

// Error names the rule and the cause.
func (e *EvalError) Error() string {
	return fmt.Sprintf("rule %s (line %d): %v", e.Rule, e.Line, e.Err)
}

// Unwrap returns the underlying CEL error.
func (e *EvalError) Unwrap() error { return e.Err }
