package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Explain describes the set for operators: version, hash, limits and each
// rule with its line, content hash, estimated cost, condition, actions,
// score, reason and doc.
func (s *Set) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: version %s, %s\n", s.Name, s.Version, s.Hash)
	fmt.Fprintf(&b, "%d rules; cost limits: static %d, runtime %d; string variables assumed at most %d characters\n",
		len(s.Rules), s.opt.MaxCost, s.opt.RuntimeCostLimit, s.opt.MaxStringLen)
	for _, r := range s.Rules {
		tracked := "proven under the runtime limit"
		if r.CostTracked {
			tracked = "runtime limit enforced"
		}
		fmt.Fprintf(&b, "\n[rule %s]  line %d, hash %s, estimated cost %d (%s)\n", r.Name, r.Line, r.Hash, r.Cost, tracked)
		fmt.Fprintf(&b, "  when   %s\n", strings.ReplaceAll(r.Expr, "\n", "\n         "))
		acts := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			acts[i] = string(a)
		}
		fmt.Fprintf(&b, "  then   %s\n", strings.Join(acts, ", "))
		fmt.Fprintf(&b, "  score  %s\n", strconv.FormatFloat(r.Score, 'g', -1, 64))
		if r.Reason != "" {
			fmt.Fprintf(&b, "  reason %s\n", r.Reason)
		}
		if r.Doc != "" {
			fmt.Fprintf(&b, "  doc    %s\n", r.Doc)
		}
	}
	return b.String()
}

// Vars returns the variables the set was compiled against (do not modify).
func (s *Set) Vars() []Var { return s.sc.vars }
