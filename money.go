package fairmark

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Decimal is an exact decimal amount in units of 1/10000 (four decimal
// places), enough for every currency's minor unit. Amounts are never floats.
type Decimal int64

// DecimalScale is the number of Decimal units in one whole currency unit.
const DecimalScale = 10000

// ParseDecimal parses a non-negative decimal string such as "50", "50.5" or
// "50.00". It returns EINVALID for anything else (signs, exponents, more than
// four decimal places, values too large).
func ParseDecimal(s string) (Decimal, error) {
	if s == "" {
		return 0, Errorf(EINVALID, "empty amount")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
	}
	if len(frac) > 4 {
		return 0, Errorf(EINVALID, "%q has more than 4 decimal places", s)
	}
	if len(whole) > 14 {
		return 0, Errorf(EINVALID, "%q is too large", s)
	}
	var v int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
		}
		v = v*10 + int64(c-'0')
	}
	var f int64
	for i := 0; i < 4; i++ {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
			}
			f += int64(c - '0')
		}
	}
	return Decimal(v*DecimalScale + f), nil
}

// String formats d with two decimal places, or more when needed ("50.00",
// "0.125").
func (d Decimal) String() string {
	neg := d < 0
	u := uint64(d) // magnitude in uint64: -d overflows for the smallest Decimal
	if neg {
		u = -u
	}
	whole, frac := u/DecimalScale, u%DecimalScale
	fs := fmt.Sprintf("%04d", frac)
	fs = strings.TrimRight(fs, "0")
	for len(fs) < 2 {
		fs += "0"
	}
	s := strconv.FormatUint(whole, 10) + "." + fs
	if neg {
		s = "-" + s
	}
	return s
}

// Float returns d as a float64, for scoring only — never for money.
func (d Decimal) Float() float64 { return float64(d) / DecimalScale }

// MarshalJSON writes d as a decimal string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a decimal string; a JSON number is rejected because
// amounts are never floats.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "must be a decimal string such as \"50.00\"")
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Money is an amount in a currency (ISO 4217 code, e.g. CNY).
type Money struct {
	Value    Decimal `json:"value"`
	Currency string  `json:"currency"`
}

func (m Money) String() string { return m.Value.String() + " " + m.Currency }
