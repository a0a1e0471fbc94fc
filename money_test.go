package fairmark_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/fairmark/fairmark"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want fairmark.Decimal
	}{
		{"0", 0},
		{"0.0", 0},
		{"50", 500000},
		{"50.5", 505000},
		{"50.00", 500000},
		{"50.05", 500500},
		{"0.125", 1250},
		{"0.0001", 1},
		{"007.10", 71000},
		{"12345678901234", 12345678901234 * fairmark.DecimalScale},
		{"99999999999999.9999", 999999999999999999},
	}
	for _, tt := range tests {
		got, err := fairmark.ParseDecimal(tt.in)
		if err != nil {
			t.Fatalf("ParseDecimal(%q): got error %v, want %d", tt.in, err, tt.want)
		}
		if got != tt.want {
			t.Fatalf("ParseDecimal(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseDecimalErrors(t *testing.T) {
	for _, in := range []string{
		"", "-1", "+1", "-0.5", "1e3", "1E3", "1.", ".5", ".", "1.23456", "0.00001",
		"123456789012345", "1,000", "1 000", " 1", "1 ", "١٢", "１", "0x10", "NaN", "Inf",
		"1.2.3", "1..2", "abc", "5 yuan", "¥5", "1_000",
	} {
		got, err := fairmark.ParseDecimal(in)
		if err == nil {
			t.Fatalf("ParseDecimal(%q): got %d, want an error", in, got)
		}
		if code := fairmark.ErrorCode(err); code != fairmark.EINVALID {
			t.Fatalf("ParseDecimal(%q): got code %q, want %q", in, code, fairmark.EINVALID)
		}
		if fairmark.ErrorMessage(err) == "" {
			t.Fatalf("ParseDecimal(%q): got an empty message", in)
		}
	}
}

func TestDecimalString(t *testing.T) {
	tests := []struct {
		in   fairmark.Decimal
		want string
	}{
		{0, "0.00"},
		{1, "0.0001"},
		{10, "0.001"},
		{1250, "0.125"},
		{5000, "0.50"},
		{500000, "50.00"},
		{505000, "50.50"},
		{500500, "50.05"},
		{999999999999999999, "99999999999999.9999"},
		{-505000, "-50.50"},
		{-1, "-0.0001"},
		{math.MaxInt64, "922337203685477.5807"},
		{math.MinInt64, "-922337203685477.5808"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Fatalf("Decimal(%d).String(): got %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

// TestDecimalRoundTrip: String of a parsed amount parses back to itself.
func TestDecimalRoundTrip(t *testing.T) {
	for _, d := range []fairmark.Decimal{0, 1, 9, 10, 99, 100, 1234, 9999, 10000, 10001, 123456789, 999999999999999999} {
		got, err := fairmark.ParseDecimal(d.String())
		if err != nil || got != d {
			t.Fatalf("ParseDecimal(%q): got %d, %v, want %d", d.String(), got, err, d)
		}
	}
}

func TestDecimalFloat(t *testing.T) {
	if got := fairmark.Decimal(505000).Float(); got != 50.5 {
		t.Fatalf("got %v, want 50.5", got)
	}
}

func TestMoneyJSON(t *testing.T) {
	m := fairmark.Money{Value: 505000, Currency: "CNY"}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"value":"50.50","currency":"CNY"}`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	var back fairmark.Money
	if err := json.Unmarshal(b, &back); err != nil || back != m {
		t.Fatalf("got %+v, %v, want %+v", back, err, m)
	}
	if got := m.String(); got != "50.50 CNY" {
		t.Fatalf("got %q, want %q", got, "50.50 CNY")
	}

	good := []struct {
		in   string
		want fairmark.Money
	}{
		{`{"value":"0.0001","currency":"USD"}`, fairmark.Money{Value: 1, Currency: "USD"}},
		{`{"currency":"CNY","value":"7"}`, fairmark.Money{Value: 70000, Currency: "CNY"}},
	}
	for _, tt := range good {
		var got fairmark.Money
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || got != tt.want {
			t.Fatalf("Unmarshal(%s): got %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}

	// Amounts are decimal strings, never numbers.
	for _, in := range []string{
		`{"value":50.5,"currency":"CNY"}`, `{"value":50,"currency":"CNY"}`, `{"value":"-1","currency":"CNY"}`,
		`{"value":null,"currency":"CNY"}`, `{"value":true,"currency":"CNY"}`, `{"value":"","currency":"CNY"}`,
		`{"value":["1"],"currency":"CNY"}`, `{"value":"1e2","currency":"CNY"}`,
	} {
		var got fairmark.Money
		err := json.Unmarshal([]byte(in), &got)
		if err == nil {
			t.Fatalf("Unmarshal(%s): got %+v, want an error", in, got)
		}
		if code := fairmark.ErrorCode(err); code != fairmark.EINVALID {
			t.Fatalf("Unmarshal(%s): got code %q (%v), want %q", in, code, err, fairmark.EINVALID)
		}
	}
}
