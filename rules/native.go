package rules

import (
	"cmp"
	"math"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	celtypes "cel.dev/cel-go/common/types"
)

// The native path evaluates conditions written in a small subset of CEL
// directly from a Values, without cel-go's interpreter: identifiers of
// Int, Double and Bool variables; int, double, bool and string literals;
// the operators && || ! == != < <= > >= + - * / and unary minus; and the
// conditional ?:. Anything else (functions, macros, String variables, %,
// uint, lists...) stays on CEL.
//
// A native condition returns (result, true) when CEL would return that
// bool, and ok == false when CEL would return an error (integer overflow,
// integer division by zero). AppendEval then runs the rule's CEL program,
// so the error a caller sees is exactly the one CEL produces, and the
// native code only has to decide correctly *whether* the condition fails,
// never how to word it.
//
// Semantics follow cel-go as this package configures it:
//   - int arithmetic fails on overflow (also -MinInt64 and MinInt64 / -1)
//     and on division by zero; double arithmetic is IEEE 754;
//   - comparisons are strict (an operand error is the result), and any
//     ordering comparison with a NaN operand is false; int against double
//     compares float64(int) with the double (CrossTypeNumericComparisons),
//     which is what cel-go's range checks reduce to; the checker rejects
//     == and != between int and double, so they never reach here;
//   - false && x is false and true || x is true whatever x is, an error
//     included, in either order; otherwise an error operand is the result;
//   - ! and ?: are strict in their (condition) operand.
//
// Only rules whose cost is not tracked (Rule.CostTracked false: no String
// variable, static estimate within Options.RuntimeCostLimit) are compiled
// natively, so a rule that could meet the runtime cost limit keeps running
// on CEL with the limit enforced.

// nfn evaluates a subexpression; ok is false where CEL yields an error.
type nfn[T any] func(v *Values) (x T, ok bool)

// leafKind tells what a node is when it is a plain operand, so that
// comparisons against it can read the value directly.
type leafKind uint8

const (
	leafNone     leafKind = iota
	leafVar               // variable idx, of the node's type
	leafIntAsDbl          // Int variable idx read as a double
	leafConst             // constant ci, cd, cb or cs
)

// nnode is a compiled subexpression of type t (Int, Double, Bool or
// String); exactly the field for t is set.
type nnode struct {
	t  Type
	fi nfn[int64]
	fd nfn[float64]
	fb nfn[bool]
	fs nfn[string]

	leaf leafKind
	idx  int
	ci   int64
	cd   float64
	cb   bool
	cs   string
}

// nativeCompiler turns a checked CEL AST into closures.
type nativeCompiler struct {
	ast *celast.AST
	sc  *schema
}

// compileNative returns the native form of the checked condition a, or
// nil if it uses anything outside the subset.
func compileNative(a *cel.Ast, sc *schema) nfn[bool] {
	nc := nativeCompiler{ast: a.NativeRep(), sc: sc}
	n := nc.expr(nc.ast.Expr())
	if n == nil || n.t != Bool {
		return nil
	}
	return n.fb
}

// checkedType is the checker's type of e mapped to the package's Type, or
// 0 for any other type.
func (nc *nativeCompiler) checkedType(e celast.Expr) Type {
	switch nc.ast.GetType(e.ID()).Kind() {
	case celtypes.IntKind:
		return Int
	case celtypes.DoubleKind:
		return Double
	case celtypes.BoolKind:
		return Bool
	case celtypes.StringKind:
		return String
	}
	return 0
}

func (nc *nativeCompiler) expr(e celast.Expr) *nnode {
	n := nc.expr1(e)
	if n == nil || n.t != nc.checkedType(e) {
		return nil
	}
	return n
}

func (nc *nativeCompiler) expr1(e celast.Expr) *nnode {
	switch e.Kind() {
	case celast.IdentKind:
		return nc.ident(e)
	case celast.LiteralKind:
		return constNode(e.AsLiteral())
	case celast.CallKind:
		return nc.call(e)
	}
	return nil
}

func (nc *nativeCompiler) ident(e celast.Expr) *nnode {
	name := e.AsIdent()
	i, ok := nc.sc.index[name]
	if !ok {
		return nil
	}
	if r, ok := nc.ast.ReferenceMap()[e.ID()]; ok && (r.Name != name || r.Value != nil) {
		return nil
	}
	n := &nnode{t: nc.sc.vars[i].Type, leaf: leafVar, idx: i}
	switch n.t {
	case Int:
		n.fi = func(v *Values) (int64, bool) { return int64(v.raw[i]), true }
	case Double:
		n.fd = func(v *Values) (float64, bool) { return math.Float64frombits(v.raw[i]), true }
	case Bool:
		n.fb = func(v *Values) (bool, bool) { return v.raw[i] != 0, true }
	default:
		// String variables make a rule cost-tracked; they stay on CEL.
		return nil
	}
	return n
}

func constNode(val any) *nnode {
	switch c := val.(type) {
	case celtypes.Int:
		x := int64(c)
		return &nnode{t: Int, leaf: leafConst, ci: x, fi: func(*Values) (int64, bool) { return x, true }}
	case celtypes.Double:
		x := float64(c)
		return &nnode{t: Double, leaf: leafConst, cd: x, fd: func(*Values) (float64, bool) { return x, true }}
	case celtypes.Bool:
		x := bool(c)
		return &nnode{t: Bool, leaf: leafConst, cb: x, fb: func(*Values) (bool, bool) { return x, true }}
	case celtypes.String:
		x := string(c)
		return &nnode{t: String, leaf: leafConst, cs: x, fs: func(*Values) (string, bool) { return x, true }}
	}
	return nil
}

// overload reports whether the checker resolved call e to exactly the
// overload id.
func (nc *nativeCompiler) overload(e celast.Expr, id string) bool {
	ids := nc.ast.GetOverloadIDs(e.ID())
	return len(ids) == 1 && ids[0] == id
}

func (nc *nativeCompiler) call(e celast.Expr) *nnode {
	c := e.AsCall()
	if c.IsMemberFunction() {
		return nil
	}
	fn, args := c.FunctionName(), c.Args()
	switch fn {
	case operators.LogicalAnd, operators.LogicalOr:
		return nc.logical(e, fn == operators.LogicalAnd)
	case operators.LogicalNot:
		if len(args) != 1 || !nc.overload(e, overloads.LogicalNot) {
			return nil
		}
		x := nc.expr(args[0])
		if x == nil || x.t != Bool {
			return nil
		}
		f := x.fb
		return &nnode{t: Bool, fb: func(v *Values) (bool, bool) {
			b, ok := f(v)
			return !b, ok
		}}
	case operators.Negate:
		if len(args) != 1 {
			return nil
		}
		x := nc.expr(args[0])
		if x == nil {
			return nil
		}
		switch {
		case x.t == Int && nc.overload(e, overloads.NegateInt64):
			f := x.fi
			return &nnode{t: Int, fi: func(v *Values) (int64, bool) {
				a, ok := f(v)
				if !ok || a == math.MinInt64 {
					return 0, false
				}
				return -a, true
			}}
		case x.t == Double && nc.overload(e, overloads.NegateDouble):
			f := x.fd
			return &nnode{t: Double, fd: func(v *Values) (float64, bool) {
				a, ok := f(v)
				return -a, ok
			}}
		}
		return nil
	case operators.Conditional:
		return nc.conditional(e, args)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide:
		return nc.arith(e, fn, args)
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals,
		operators.Greater, operators.GreaterEquals:
		return nc.compare(e, fn, args)
	}
	return nil
}

// logical compiles a chain of && (or ||) into one node over all its terms:
// CEL's result does not depend on how the chain is grouped.
func (nc *nativeCompiler) logical(e celast.Expr, and bool) *nnode {
	fn, id := operators.LogicalOr, overloads.LogicalOr
	if and {
		fn, id = operators.LogicalAnd, overloads.LogicalAnd
	}
	var terms []nfn[bool]
	var walk func(e celast.Expr) bool
	walk = func(e celast.Expr) bool {
		if e.Kind() == celast.CallKind && !e.AsCall().IsMemberFunction() && e.AsCall().FunctionName() == fn {
			if !nc.overload(e, id) || nc.checkedType(e) != Bool || len(e.AsCall().Args()) != 2 {
				return false
			}
			return walk(e.AsCall().Args()[0]) && walk(e.AsCall().Args()[1])
		}
		x := nc.expr(e)
		if x == nil || x.t != Bool {
			return false
		}
		terms = append(terms, x.fb)
		return true
	}
	if !walk(e) {
		return nil
	}
	if and {
		return &nnode{t: Bool, fb: andTerms(terms)}
	}
	return &nnode{t: Bool, fb: orTerms(terms)}
}

// andTerms is false if any term is false, else an error if any term is
// one, else true: CEL's && over the terms in any grouping.
func andTerms(terms []nfn[bool]) nfn[bool] {
	if len(terms) == 2 {
		a, b := terms[0], terms[1]
		return func(v *Values) (bool, bool) {
			x, ok1 := a(v)
			if ok1 && !x {
				return false, true
			}
			y, ok2 := b(v)
			if ok2 && !y {
				return false, true
			}
			return true, ok1 && ok2
		}
	}
	return func(v *Values) (bool, bool) {
		ok := true
		for _, t := range terms {
			x, tok := t(v)
			if !tok {
				ok = false
			} else if !x {
				return false, true
			}
		}
		return true, ok
	}
}

// orTerms is true if any term is true, else an error if any term is one,
// else false.
func orTerms(terms []nfn[bool]) nfn[bool] {
	return func(v *Values) (bool, bool) {
		ok := true
		for _, t := range terms {
			x, tok := t(v)
			if !tok {
				ok = false
			} else if x {
				return true, true
			}
		}
		return false, ok
	}
}

func (nc *nativeCompiler) conditional(e celast.Expr, args []celast.Expr) *nnode {
	if len(args) != 3 || !nc.overload(e, overloads.Conditional) {
		return nil
	}
	c, t, f := nc.expr(args[0]), nc.expr(args[1]), nc.expr(args[2])
	if c == nil || t == nil || f == nil || c.t != Bool || t.t != f.t {
		return nil
	}
	n := &nnode{t: t.t}
	switch t.t {
	case Int:
		n.fi = condFn(c.fb, t.fi, f.fi)
	case Double:
		n.fd = condFn(c.fb, t.fd, f.fd)
	case Bool:
		n.fb = condFn(c.fb, t.fb, f.fb)
	case String:
		n.fs = condFn(c.fb, t.fs, f.fs)
	}
	return n
}

func condFn[T any](c nfn[bool], t, f nfn[T]) nfn[T] {
	return func(v *Values) (T, bool) {
		b, ok := c(v)
		if !ok {
			var zero T
			return zero, false
		}
		if b {
			return t(v)
		}
		return f(v)
	}
}

// arith compiles + - * / over two ints or two doubles.
func (nc *nativeCompiler) arith(e celast.Expr, fn string, args []celast.Expr) *nnode {
	if len(args) != 2 {
		return nil
	}
	l, r := nc.expr(args[0]), nc.expr(args[1])
	if l == nil || r == nil || l.t != r.t {
		return nil
	}
	type key struct {
		fn string
		t  Type
	}
	ids := map[key]string{
		{operators.Add, Int}: overloads.AddInt64, {operators.Add, Double}: overloads.AddDouble,
		{operators.Subtract, Int}: overloads.SubtractInt64, {operators.Subtract, Double}: overloads.SubtractDouble,
		{operators.Multiply, Int}: overloads.MultiplyInt64, {operators.Multiply, Double}: overloads.MultiplyDouble,
		{operators.Divide, Int}: overloads.DivideInt64, {operators.Divide, Double}: overloads.DivideDouble,
	}
	id, ok := ids[key{fn, l.t}]
	if !ok || !nc.overload(e, id) {
		return nil
	}
	if l.t == Int {
		var op func(a, b int64) (int64, bool)
		switch fn {
		case operators.Add:
			op = addInt
		case operators.Subtract:
			op = subInt
		case operators.Multiply:
			op = mulInt
		case operators.Divide:
			op = divInt
		}
		return &nnode{t: Int, fi: binFn(l.fi, r.fi, op)}
	}
	// float64(...) keeps each operation rounded on its own: Go may fuse
	// a*b+c into one instruction otherwise, CEL never does.
	var op func(a, b float64) (float64, bool)
	switch fn {
	case operators.Add:
		op = func(a, b float64) (float64, bool) { return float64(a + b), true }
	case operators.Subtract:
		op = func(a, b float64) (float64, bool) { return float64(a - b), true }
	case operators.Multiply:
		op = func(a, b float64) (float64, bool) { return float64(a * b), true }
	case operators.Divide:
		op = func(a, b float64) (float64, bool) { return float64(a / b), true }
	}
	return &nnode{t: Double, fd: binFn(l.fd, r.fd, op)}
}

func binFn[T, R any](l, r nfn[T], op func(a, b T) (R, bool)) nfn[R] {
	return func(v *Values) (R, bool) {
		a, ok := l(v)
		if ok {
			var b T
			if b, ok = r(v); ok {
				return op(a, b)
			}
		}
		var zero R
		return zero, false
	}
}

// addInt, subInt, mulInt and divInt return ok == false exactly when CEL's
// int64 arithmetic fails: the true result does not fit in an int64, or
// the divisor is zero.
func addInt(a, b int64) (int64, bool) {
	s := a + b
	// Overflow iff both operands have the sign the sum does not have.
	return s, (a^s)&(b^s) >= 0
}

func subInt(a, b int64) (int64, bool) {
	d := a - b
	// Overflow iff the operands' signs differ and the difference's sign
	// differs from a's.
	return d, (a^b)&(a^d) >= 0
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	p := a * b
	return p, p/b == a
}

func divInt(a, b int64) (int64, bool) {
	if b == 0 || (a == math.MinInt64 && b == -1) {
		return 0, false
	}
	return a / b, true
}

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

// flip is the operator with its operands swapped: a < b is b > a.
func (o cmpOp) flip() cmpOp {
	switch o {
	case opLt:
		return opGt
	case opLe:
		return opGe
	case opGt:
		return opLt
	case opGe:
		return opLe
	}
	return o
}

// compare compiles == != < <= > >=.
func (nc *nativeCompiler) compare(e celast.Expr, fn string, args []celast.Expr) *nnode {
	if len(args) != 2 {
		return nil
	}
	l, r := nc.expr(args[0]), nc.expr(args[1])
	if l == nil || r == nil {
		return nil
	}
	op := map[string]cmpOp{
		operators.Equals: opEq, operators.NotEquals: opNe, operators.Less: opLt,
		operators.LessEquals: opLe, operators.Greater: opGt, operators.GreaterEquals: opGe,
	}[fn]
	if op == opEq || op == opNe {
		// The checker only allows equality between operands of one type.
		id := overloads.Equals
		if op == opNe {
			id = overloads.NotEquals
		}
		if l.t != r.t || !nc.overload(e, id) {
			return nil
		}
	} else if !nc.overload(e, orderOverload(op, l.t, r.t)) {
		return nil
	}
	switch {
	case l.t == Int && r.t == Int:
		return &nnode{t: Bool, fb: cmpInts(op, l, r)}
	case l.t == Double && r.t == Double, l.t == Int && r.t == Double, l.t == Double && r.t == Int:
		return &nnode{t: Bool, fb: cmpDoubles(op, asDouble(l), asDouble(r))}
	case l.t == Bool && r.t == Bool:
		if op == opEq || op == opNe {
			return &nnode{t: Bool, fb: cmpFn(op, l.fb, r.fb, func(a, b bool) int {
				if a == b {
					return 0
				}
				return 1
			})}
		}
		// false < true.
		return &nnode{t: Bool, fb: cmpFn(op, l.fb, r.fb, func(a, b bool) int {
			return cmp.Compare(b2i(a), b2i(b))
		})}
	case l.t == String && r.t == String:
		return &nnode{t: Bool, fb: cmpFn(op, l.fs, r.fs, cmp.Compare[string])}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// orderOverload is the checker's overload id for an ordering comparison
// of operands of types lt and rt, or "" if there is none in the subset.
func orderOverload(op cmpOp, lt, rt Type) string {
	name := map[Type]string{Int: "int64", Double: "double", Bool: "bool", String: "string"}
	ln, rn := name[lt], name[rt]
	if ln == "" || rn == "" {
		return ""
	}
	prefix := map[cmpOp]string{opLt: "less_", opLe: "less_equals_", opGt: "greater_", opGe: "greater_equals_"}[op]
	switch {
	case lt == rt:
		return prefix + ln
	case (lt == Int && rt == Double) || (lt == Double && rt == Int):
		return prefix + ln + "_" + rn
	}
	return ""
}

// cmpFn compares with c, which returns a negative, zero or positive
// number; for equality it need only be zero exactly when a equals b.
func cmpFn[T any](op cmpOp, l, r nfn[T], c func(a, b T) int) nfn[bool] {
	test := map[cmpOp]func(int) bool{
		opEq: func(x int) bool { return x == 0 },
		opNe: func(x int) bool { return x != 0 },
		opLt: func(x int) bool { return x < 0 },
		opLe: func(x int) bool { return x <= 0 },
		opGt: func(x int) bool { return x > 0 },
		opGe: func(x int) bool { return x >= 0 },
	}[op]
	return binFn(l, r, func(a, b T) (bool, bool) { return test(c(a, b)), true })
}

// asDouble returns n as a double node; an int is converted with
// float64(), as CEL compares ints with doubles.
func asDouble(n *nnode) *nnode {
	if n.t == Double {
		return n
	}
	f := n.fi
	d := &nnode{t: Double, fd: func(v *Values) (float64, bool) {
		x, ok := f(v)
		return float64(x), ok
	}}
	switch n.leaf {
	case leafConst:
		d.leaf, d.cd = leafConst, float64(n.ci)
	case leafVar:
		d.leaf, d.idx = leafIntAsDbl, n.idx
	}
	return d
}

// cmpInts compares two int nodes, reading variables and constants
// directly when it can.
func cmpInts(op cmpOp, l, r *nnode) nfn[bool] {
	if l.leaf == leafConst && r.leaf == leafVar {
		l, r, op = r, l, op.flip()
	}
	if l.leaf == leafVar && r.leaf == leafConst {
		i, c := l.idx, r.ci
		switch op {
		case opEq:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) == c, true }
		case opNe:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) != c, true }
		case opLt:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) < c, true }
		case opLe:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) <= c, true }
		case opGt:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) > c, true }
		case opGe:
			return func(v *Values) (bool, bool) { return int64(v.raw[i]) >= c, true }
		}
	}
	return cmpOrdered(op, l.fi, r.fi)
}

// cmpDoubles compares two double nodes. Go's float64 operators are CEL's
// here: every ordering with a NaN is false, NaN != NaN, -0 == 0.
func cmpDoubles(op cmpOp, l, r *nnode) nfn[bool] {
	if l.leaf == leafConst && (r.leaf == leafVar || r.leaf == leafIntAsDbl) {
		l, r, op = r, l, op.flip()
	}
	if l.leaf == leafVar && r.leaf == leafConst {
		i, c := l.idx, r.cd
		switch op {
		case opEq:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) == c, true }
		case opNe:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) != c, true }
		case opLt:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) < c, true }
		case opLe:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) <= c, true }
		case opGt:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) > c, true }
		case opGe:
			return func(v *Values) (bool, bool) { return math.Float64frombits(v.raw[i]) >= c, true }
		}
	}
	if l.leaf == leafIntAsDbl && r.leaf == leafConst {
		i, c := l.idx, r.cd
		switch op {
		case opLt:
			return func(v *Values) (bool, bool) { return float64(int64(v.raw[i])) < c, true }
		case opLe:
			return func(v *Values) (bool, bool) { return float64(int64(v.raw[i])) <= c, true }
		case opGt:
			return func(v *Values) (bool, bool) { return float64(int64(v.raw[i])) > c, true }
		case opGe:
			return func(v *Values) (bool, bool) { return float64(int64(v.raw[i])) >= c, true }
		}
	}
	return cmpOrdered(op, l.fd, r.fd)
}

// cmpOrdered compares with Go's operators (IEEE for float64).
func cmpOrdered[T cmp.Ordered](op cmpOp, l, r nfn[T]) nfn[bool] {
	var test func(a, b T) bool
	switch op {
	case opEq:
		test = func(a, b T) bool { return a == b }
	case opNe:
		test = func(a, b T) bool { return a != b }
	case opLt:
		test = func(a, b T) bool { return a < b }
	case opLe:
		test = func(a, b T) bool { return a <= b }
	case opGt:
		test = func(a, b T) bool { return a > b }
	case opGe:
		test = func(a, b T) bool { return a >= b }
	}
	return binFn(l, r, func(a, b T) (bool, bool) { return test(a, b), true })
}
