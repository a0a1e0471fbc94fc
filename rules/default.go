package rules

import (
	_ "embed"
)

//go:embed default.rules
var defaultRules []byte

// DefaultSource returns the text of the embedded default rule file.
func DefaultSource() []byte { return append([]byte(nil), defaultRules...) }

// Default compiles the embedded default rules (rules/default.rules) against
// vars with the default Options. The default rules refer to the engine's
// feature vocabulary (negatives_7d, consensus_agreement, risk...; see
// docs/RULES.md); Default returns an ErrorList naming each missing or
// mistyped variable if vars does not declare them, and an error that is not
// an ErrorList if vars is invalid.
func Default(vars []Var) (*Set, error) {
	return Parse("default.rules", defaultRules, vars, Options{})
}
