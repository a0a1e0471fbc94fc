package rules

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
)

// Rule is one compiled rule. The fields describe it; changing them does not
// change what the Set evaluates.
type Rule struct {
	Name    string
	Expr    string   // the condition as written; continuation lines joined by "\n"
	Actions []Action // what to do when it fires, in file order, at least one
	Score   float64  // additive evidence 0..1 contributed when it fires
	Reason  string   // reason template, "{var}" placeholders
	Doc     string   // free text for operators
	Line    int      // line of the [rule NAME] header
	Cost    uint64   // upper bound of CEL's static cost estimate
	// CostTracked reports whether evaluation counts the actual cost against
	// Options.RuntimeCostLimit. It is false only when the static estimate
	// proves the limit unreachable (see docs/RULES.md, "Cost limits").
	CostTracked bool
	Hash        string // first 16 hex digits of the SHA-256 of the rule's canonical content
}

// Set is a compiled rule file. It is immutable and safe for concurrent use
// by multiple goroutines, each with its own [Values].
type Set struct {
	// Name is the file name given to Parse.
	Name string
	// Version is the file's version string.
	Version string
	// Hash is "sha256:" and the hex SHA-256 of the canonical content: the
	// version and each rule's name, condition, actions, score and reason in
	// file order. Comments, layout and doc text do not change it. Decisions
	// record it with the rule name to say exactly which rule fired.
	Hash  string
	Rules []Rule

	sc    *schema
	opt   Options
	progs []cel.Program
	// natives[i] evaluates rule i without CEL, or is nil when the rule
	// is outside the native subset (see native.go).
	natives []nfn[bool]
	tmpls   []template
}

// Parse compiles the rule file src (name is used in error positions)
// against the declared variables.
//
// If the file has problems Parse returns a nil Set and an [ErrorList] with
// every problem found, each as "NAME:LINE:COL: message": syntax errors,
// a missing version, duplicate rule names or keys, unknown actions, CEL
// parse and type errors (mapped back to the file's line and column), a
// condition that is not bool, a static cost estimate over opt.MaxCost, and
// reason placeholders that are not declared variables. A file with a version
// and no rules is valid and never fires.
//
// If vars itself is invalid (bad or duplicate names, invalid types) Parse
// returns an error that is not an ErrorList.
func Parse(name string, src []byte, vars []Var, opt Options) (*Set, error) {
	sc, err := newSchema(vars)
	if err != nil {
		return nil, err
	}
	return compile(name, src, sc, opt)
}

// Validate reports the problems Parse would find in src, for a UI to show
// in place; it returns nil when the file compiles. Invalid vars are reported
// as one Error at 1:1.
func Validate(name string, src []byte, vars []Var, opt Options) ErrorList {
	_, err := Parse(name, src, vars, opt)
	if err == nil {
		return nil
	}
	var list ErrorList
	if errors.As(err, &list) {
		return list
	}
	return ErrorList{{File: name, Line: 1, Col: 1, Msg: err.Error()}}
}

func newEnv(sc *schema) (*cel.Env, error) {
	opts := []cel.EnvOption{cel.CrossTypeNumericComparisons(true)}
	for _, v := range sc.vars {
		var t *cel.Type
		switch v.Type {
		case Int:
			t = cel.IntType
		case Double:
			t = cel.DoubleType
		case Bool:
			t = cel.BoolType
		case String:
			t = cel.StringType
		}
		opts = append(opts, cel.Variable(v.Name, t))
	}
	return cel.NewEnv(opts...)
}

func compile(name string, src []byte, sc *schema, opt Options) (*Set, error) {
	opt = opt.withDefaults()
	errs := &errorSink{file: name}
	f := scanFile(src, errs)
	env, err := newEnv(sc)
	if err != nil {
		return nil, fmt.Errorf("rules: building CEL environment: %w", err)
	}
	s := &Set{Name: name, Version: f.version, sc: sc, opt: opt}
	for _, r := range f.rules {
		rule := Rule{Name: r.name, Score: r.score, Reason: r.reason, Doc: r.doc, Line: r.header.line}
		ok := true
		if len(r.when) == 0 {
			if _, seen := r.seen["when"]; !seen {
				errs.add(r.header.line, r.header.col, fmt.Sprintf("rule %s has no when = CONDITION", r.name))
			}
			ok = false
		}
		if _, seen := r.seen["then"]; !seen {
			errs.add(r.header.line, r.header.col, fmt.Sprintf("rule %s has no then = ACTION, ...", r.name))
			ok = false
		} else if acts, good := parseActions(r.then, r.thenPos, errs); good {
			rule.Actions = acts
		} else {
			ok = false
		}
		tmpl, good := compileReason(r, sc, errs)
		ok = ok && good
		var prg cel.Program
		var native nfn[bool]
		if len(r.when) > 0 {
			rule.Expr, rule.Cost, prg, native, rule.CostTracked = compileCond(env, r, sc, opt, errs)
			ok = ok && prg != nil
		}
		if !ok {
			continue
		}
		rule.Hash = ruleHash(&rule)[:16]
		s.Rules = append(s.Rules, rule)
		s.progs = append(s.progs, prg)
		s.natives = append(s.natives, native)
		s.tmpls = append(s.tmpls, tmpl)
	}
	if len(errs.list) > 0 {
		errs.list.sort()
		return nil, errs.list
	}
	s.Hash = setHash(s)
	return s, nil
}

func parseActions(list string, p pos, errs *errorSink) ([]Action, bool) {
	if strings.TrimSpace(list) == "" {
		errs.add(p.line, p.col, "then: want at least one action (flag, hold, alert, review)")
		return nil, false
	}
	var acts []Action
	ok := true
	off := 0
	for _, item := range strings.Split(list, ",") {
		lead := len(item) - len(strings.TrimLeft(item, " \t"))
		a := Action(strings.TrimSpace(item))
		col := p.col + len([]rune(list[:off+lead]))
		off += len(item) + 1
		switch {
		case a == "":
			errs.add(p.line, col, "then: empty action in list")
			ok = false
		case !knownAction(a):
			errs.add(p.line, col, fmt.Sprintf("then: unknown action %q; want flag, hold, alert or review", string(a)))
			ok = false
		case containsAction(acts, a):
			errs.add(p.line, col, fmt.Sprintf("then: action %s listed twice", a))
			ok = false
		default:
			acts = append(acts, a)
		}
	}
	return acts, ok
}

func containsAction(acts []Action, a Action) bool {
	for _, x := range acts {
		if x == a {
			return true
		}
	}
	return false
}

func compileReason(r *rawRule, sc *schema, errs *errorSink) (template, bool) {
	if r.reason == "" {
		return nil, true
	}
	tmpl, perrs := parseTemplate(r.reason, sc)
	if len(perrs) == 0 {
		return tmpl, true
	}
	// The quoted source text, to place errors exactly.
	quoted := ""
	if q, err := strconv.QuotedPrefix(r.reasonSrc); err == nil {
		quoted = q
	}
	for _, e := range perrs {
		p := placeholderPos(quoted, r.reason, e, r.reasonPos)
		errs.add(p.line, p.col, e.msg)
	}
	return nil, false
}

// compileCond parses, type-checks and cost-checks a rule's condition. It
// returns a nil program if there were errors, and a native form of the
// condition when it has one and its cost is not tracked.
func compileCond(env *cel.Env, r *rawRule, sc *schema, opt Options, errs *errorSink) (expr string, estMax uint64, prg cel.Program, native nfn[bool], tracked bool) {
	est := sizeEstimator{sc: sc, maxLen: opt.MaxStringLen}
	texts := make([]string, len(r.when))
	for i, sg := range r.when {
		texts[i] = sg.text
	}
	expr = strings.Join(texts, "\n")
	start := r.when[0].pos
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		for _, e := range iss.Errors() {
			p := mapPos(r.when, e.Location.Line(), e.Location.Column())
			errs.add(p.line, p.col, "when: "+e.Message)
		}
		return expr, 0, nil, nil, false
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) {
		errs.add(start.line, start.col, fmt.Sprintf("when: condition has type %s, want bool", t))
		return expr, 0, nil, nil, false
	}
	ce, err := env.EstimateCost(ast, est)
	if err != nil {
		errs.add(start.line, start.col, "when: estimating cost: "+err.Error())
		return expr, 0, nil, nil, false
	}
	if ce.Max > opt.MaxCost {
		errs.add(start.line, start.col, fmt.Sprintf("when: estimated cost %d exceeds the limit %d (estimate range %d..%d)", ce.Max, opt.MaxCost, ce.Min, ce.Max))
		return expr, ce.Max, nil, nil, false
	}
	// CEL's static estimate is an upper bound of the actual cost whenever
	// the sizes it assumed hold. Only String variables have assumed sizes
	// (Options.MaxStringLen). A rule that reads no String variable and whose
	// estimate is within the runtime limit therefore cannot reach the limit,
	// and is run without per-operation cost accounting, which costs an
	// allocation per operator. Every other rule runs with the limit.
	popts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if ce.Max > opt.RuntimeCostLimit || readsString(ast, sc) {
		popts = append(popts, cel.CostLimit(opt.RuntimeCostLimit))
		tracked = true
	}
	prg, err = env.Program(ast, popts...)
	if err != nil {
		errs.add(start.line, start.col, "when: "+err.Error())
		return expr, ce.Max, nil, nil, false
	}
	if !tracked {
		// A rule whose cost is tracked may meet the runtime limit; only
		// the others, whose cost is proven under it, run natively.
		native = compileNative(ast, sc)
	}
	return expr, ce.Max, prg, native, tracked
}

// mapPos maps a CEL location (1-based line, 0-based column in characters of
// the joined condition) to the file.
func mapPos(segs []segment, line, col int) pos {
	if line < 1 || len(segs) == 0 {
		return segs[0].pos
	}
	if line > len(segs) {
		last := segs[len(segs)-1]
		return pos{last.line, last.col + len([]rune(last.text))}
	}
	sg := segs[line-1]
	if col < 0 {
		col = 0
	}
	return pos{sg.line, sg.col + col}
}

// readsString reports whether the checked condition refers to a String
// variable.
func readsString(a *cel.Ast, sc *schema) bool {
	found := false
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.IdentKind {
			return
		}
		if i, ok := sc.index[e.AsIdent()]; ok && sc.vars[i].Type == String {
			found = true
		}
	}))
	return found
}

// sizeEstimator tells CEL's cost estimator how long String variables may
// be; everything else uses the standard estimates.
type sizeEstimator struct {
	sc     *schema
	maxLen uint64
}

func (e sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	p := n.Path()
	if len(p) != 1 {
		return nil
	}
	if i, ok := e.sc.index[p[0]]; ok && e.sc.vars[i].Type == String {
		s := cost.RangedSizeEstimate(0, e.maxLen)
		return &s
	}
	return nil
}

func (sizeEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	return nil
}

func writeField(h interface{ Write([]byte) (int, error) }, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

func writeRule(h interface{ Write([]byte) (int, error) }, r *Rule) {
	writeField(h, r.Name)
	writeField(h, r.Expr)
	acts := make([]string, len(r.Actions))
	for i, a := range r.Actions {
		acts[i] = string(a)
	}
	writeField(h, strings.Join(acts, ","))
	writeField(h, strconv.FormatFloat(r.Score, 'g', -1, 64))
	writeField(h, r.Reason)
}

func ruleHash(r *Rule) string {
	h := sha256.New()
	writeRule(h, r)
	return hex.EncodeToString(h.Sum(nil))
}

func setHash(s *Set) string {
	h := sha256.New()
	writeField(h, "fairmark-rules/1")
	writeField(h, s.Version)
	for i := range s.Rules {
		writeRule(h, &s.Rules[i])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
