package rules

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unsafe"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// schema is a validated list of declared variables.
type schema struct {
	vars  []Var
	index map[string]int
	// key identifies the declaration (names and types in order), so Values
	// made for one Set can be used with another Set over the same vars.
	key string
}

// celReserved are the CEL keywords and reserved words that cannot name a
// variable.
var celReserved = map[string]bool{
	"true": true, "false": true, "null": true, "in": true,
	"as": true, "break": true, "const": true, "continue": true, "else": true,
	"for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true,
	"var": true, "void": true, "while": true,
}

func newSchema(vars []Var) (*schema, error) {
	sc := &schema{vars: append([]Var(nil), vars...), index: make(map[string]int, len(vars))}
	var key strings.Builder
	var errs []error
	for i, v := range vars {
		switch {
		case !validIdent(v.Name):
			errs = append(errs, fmt.Errorf("var %d: invalid name %q", i, v.Name))
		case celReserved[v.Name]:
			errs = append(errs, fmt.Errorf("var %d: %q is a CEL reserved word", i, v.Name))
		case v.Type < Int || v.Type > String:
			errs = append(errs, fmt.Errorf("var %s: invalid type %v", v.Name, v.Type))
		}
		if _, dup := sc.index[v.Name]; dup {
			errs = append(errs, fmt.Errorf("var %s declared twice", v.Name))
		}
		sc.index[v.Name] = i
		fmt.Fprintf(&key, "%s:%d;", v.Name, v.Type)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("rules: invalid variable declarations: %w", errors.Join(errs...))
	}
	sc.key = key.String()
	return sc, nil
}

func validIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// Values holds one value per declared variable, indexed by the variable's
// position in the []Var given to [Parse]. It implements CEL's
// interpreter.Activation without allocating, so one Values can be refilled
// and evaluated for every event. Variables not set hold their zero value
// (0, 0.0, false, "").
//
// A Values is not safe for concurrent use; use one per goroutine.
type Values struct {
	sc *schema
	// raw holds the value of each Int, Double and Bool variable: its
	// int64 bits, float64 bits or 0/1 (0 for a String). The native path
	// (native.go) and reasons read it.
	raw []uint64
	// vals holds each variable boxed for CEL. A String is set here
	// directly; the box of any other variable is made from raw when CEL
	// asks for it (ResolveName) after stale[i] was set by a change, so a
	// Values used only by native rules never boxes.
	vals  []ref.Val
	stale []bool
	buf   []byte // scratch for rendering reasons
	// reasons holds the last reason rendered for each rule index, handed
	// out again when a rule renders the same text (see Set.hit).
	reasons []string
	// names caches ResolveName lookups by the address of the name's bytes:
	// cel-go passes the same name strings, held by the compiled programs,
	// on every evaluation. Holding the pointer keeps those bytes alive, so
	// an address and length seen here always denote the same text.
	names [64]nameSlot
}

type nameSlot struct {
	p   *byte
	n   int
	idx int
}

var _ interpreter.Activation = (*Values)(nil)

// NewValues returns a Values for s's variables, all zero.
func (s *Set) NewValues() *Values {
	n := len(s.sc.vars)
	v := &Values{sc: s.sc, raw: make([]uint64, n), vals: make([]ref.Val, n), stale: make([]bool, n)}
	v.Reset()
	return v
}

// Reset sets every variable to its zero value.
func (v *Values) Reset() {
	clear(v.raw)
	clear(v.stale)
	for i, d := range v.sc.vars {
		switch d.Type {
		case Int:
			v.vals[i] = types.IntZero
		case Double:
			v.vals[i] = types.Double(0)
		case Bool:
			v.vals[i] = types.False
		case String:
			v.vals[i] = types.String("")
		}
	}
}

// Index returns the position of the variable name, or -1 if it is not
// declared.
func (v *Values) Index(name string) int {
	if i, ok := v.sc.index[name]; ok {
		return i
	}
	return -1
}

// Vars returns the declared variables (do not modify).
func (v *Values) Vars() []Var { return v.sc.vars }

func (v *Values) check(i int, t Type) {
	if i < 0 || i >= len(v.vals) {
		panic(fmt.Sprintf("rules: variable index %d out of range [0,%d)", i, len(v.vals)))
	}
	if d := v.sc.vars[i]; d.Type != t {
		panic(fmt.Sprintf("rules: variable %s is %v, set as %v", d.Name, d.Type, t))
	}
}

// SetInt sets the Int variable at index i. It panics if i is out of range
// or the variable is not an Int (a programming error, like a bad slice
// index).
func (v *Values) SetInt(i int, x int64) {
	v.check(i, Int)
	if int64(v.raw[i]) == x {
		return // keep the boxed value
	}
	v.raw[i] = uint64(x)
	v.stale[i] = true
}

// SetDouble sets the Double variable at index i. It panics if i is out of
// range or the variable is not a Double.
func (v *Values) SetDouble(i int, x float64) {
	v.check(i, Double)
	// As ever, a value equal to the old one (-0 for 0) keeps the old.
	if math.Float64frombits(v.raw[i]) == x {
		return
	}
	v.raw[i] = math.Float64bits(x)
	v.stale[i] = true
}

// SetBool sets the Bool variable at index i. It panics if i is out of
// range or the variable is not a Bool.
func (v *Values) SetBool(i int, x bool) {
	v.check(i, Bool)
	var r uint64
	if x {
		r = 1
	}
	if v.raw[i] != r {
		v.raw[i] = r
		v.stale[i] = true
	}
}

// SetString sets the String variable at index i. It panics if i is out of
// range or the variable is not a String.
func (v *Values) SetString(i int, x string) {
	v.check(i, String)
	if old, ok := v.vals[i].(types.String); ok && string(old) == x {
		return
	}
	v.vals[i] = types.String(x)
}

// IntAt returns the Int variable at index i; it panics like SetInt.
func (v *Values) IntAt(i int) int64 { v.check(i, Int); return int64(v.raw[i]) }

// DoubleAt returns the Double variable at index i; it panics like SetDouble.
func (v *Values) DoubleAt(i int) float64 {
	v.check(i, Double)
	return math.Float64frombits(v.raw[i])
}

// BoolAt returns the Bool variable at index i; it panics like SetBool.
func (v *Values) BoolAt(i int) bool { v.check(i, Bool); return v.raw[i] != 0 }

// StringAt returns the String variable at index i; it panics like SetString.
func (v *Values) StringAt(i int) string { v.check(i, String); return string(v.vals[i].(types.String)) }

// ResolveName implements interpreter.Activation: it returns the value of a
// declared variable. It allocates only to box a value set since the last
// lookup (as the setters used to do).
func (v *Values) ResolveName(name string) (any, bool) {
	p := unsafe.StringData(name)
	slot := &v.names[(uintptr(unsafe.Pointer(p))>>3)%uintptr(len(v.names))]
	if slot.p == p && slot.n == len(name) && p != nil {
		return v.val(slot.idx), true
	}
	i, ok := v.sc.index[name]
	if !ok {
		return nil, false
	}
	*slot = nameSlot{p: p, n: len(name), idx: i}
	return v.val(i), true
}

// val returns variable i boxed for CEL.
func (v *Values) val(i int) ref.Val {
	if v.stale[i] {
		switch v.sc.vars[i].Type {
		case Int:
			v.vals[i] = types.Int(int64(v.raw[i]))
		case Double:
			v.vals[i] = types.Double(math.Float64frombits(v.raw[i]))
		case Bool:
			v.vals[i] = types.Bool(v.raw[i] != 0)
		}
		v.stale[i] = false
	}
	return v.vals[i]
}

// Parent implements interpreter.Activation; a Values has no parent.
func (v *Values) Parent() interpreter.Activation { return nil }
