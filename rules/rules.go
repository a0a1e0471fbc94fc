// Package rules compiles and evaluates operator-written rules over buyer
// behaviour features.
//
// A rule file (see docs/RULES.md for the grammar) holds a version and named
// rules. Each rule has a CEL condition over the features the caller declares
// ([Var]), the actions it asks for when it fires ([Action]), an optional
// additive evidence score and a reason template such as
// "{negatives_7d} negative remarks in 7 days".
//
// [Parse] compiles a file: every condition must type-check to bool against
// the declared variables and its static cost estimate must stay under
// [Options.MaxCost]. All problems are reported at once, each positioned at
// its line and column in the rule file. [Set.Eval] evaluates the compiled
// rules against one [Values] with a runtime cost limit per rule; a rule that
// fails at run time yields an [*EvalError] naming it, never a panic.
//
// The package knows nothing about the engine's feature vocabulary: the
// caller declares the variables, and [Default] compiles the embedded default
// rules (default.rules) against them.
package rules

import (
	"fmt"
)

// Type is the type of a declared feature variable. Values are persisted in
// rule-set fingerprints, so the enum is append-only: never reorder or reuse
// a value. The zero Type is invalid.
type Type int

// The variable types a rule may use.
const (
	Int    Type = 1 // CEL int, Go int64
	Double Type = 2 // CEL double, Go float64
	Bool   Type = 3 // CEL bool
	String Type = 4 // CEL string
)

// String returns the CEL name of the type ("int", "double", "bool",
// "string"), or "Type(N)" for an invalid value.
func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Double:
		return "double"
	case Bool:
		return "bool"
	case String:
		return "string"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Var declares one feature variable rules may refer to. Name must be a CEL
// identifier (letters, digits, underscores, not starting with a digit) and
// not a CEL reserved word. Doc is shown by [Set.Explain] and UIs.
type Var struct {
	Name string
	Type Type
	Doc  string
}

// Action is what a rule asks the engine to do when it fires.
type Action string

// The known actions. Any other action in a rule file is a compile error.
const (
	ActionFlag   Action = "flag"   // flag the buyer account
	ActionHold   Action = "hold"   // hold the buyer's negative feedback from the seller's public rating
	ActionAlert  Action = "alert"  // alert the seller
	ActionReview Action = "review" // open a case for a trust-and-safety operator
)

// Actions lists the known actions in a fixed order.
var Actions = []Action{ActionFlag, ActionHold, ActionAlert, ActionReview}

func knownAction(a Action) bool {
	for _, k := range Actions {
		if a == k {
			return true
		}
	}
	return false
}

// Options bounds what a rule may cost. The zero Options is ready to use and
// means the defaults below.
type Options struct {
	// MaxCost is the largest static cost estimate (CEL cost units, upper
	// bound of the checker's estimate) a rule may have; rules over it are
	// rejected at compile time. Zero means DefaultMaxCost.
	MaxCost uint64
	// RuntimeCostLimit is the actual cost at which the evaluation of one
	// rule is cancelled with an error. Zero means MaxCost.
	RuntimeCostLimit uint64
	// MaxStringLen is the string length the static estimate assumes for
	// String variables (CEL cannot know it). Longer strings at run time are
	// still caught by RuntimeCostLimit. Zero means DefaultMaxStringLen.
	MaxStringLen uint64
}

// Defaults for [Options].
const (
	DefaultMaxCost      = 1000
	DefaultMaxStringLen = 1024
)

func (o Options) withDefaults() Options {
	if o.MaxCost == 0 {
		o.MaxCost = DefaultMaxCost
	}
	if o.RuntimeCostLimit == 0 {
		o.RuntimeCostLimit = o.MaxCost
	}
	if o.MaxStringLen == 0 {
		o.MaxStringLen = DefaultMaxStringLen
	}
	return o
}
