package fairmark_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fairmark/fairmark"
)

func TestErrorCodeAndMessage(t *testing.T) {
	notFound := fairmark.Errorf(fairmark.ENOTFOUND, "case %s not found", "c1")
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
	}{
		{"nil", nil, "", ""},
		{"application error", notFound, fairmark.ENOTFOUND, "case c1 not found"},
		{"wrapped", fmt.Errorf("store: %w", notFound), fairmark.ENOTFOUND, "case c1 not found"},
		{"wrapped twice", fmt.Errorf("web: %w", fmt.Errorf("store: %w", fairmark.Errorf(fairmark.ECONFLICT, "exists"))), fairmark.ECONFLICT, "exists"},
		{"joined, first *Error wins", errors.Join(errors.New("io"), fairmark.Errorf(fairmark.ETOOLARGE, "big"), notFound), fairmark.ETOOLARGE, "big"},
		{"plain error", errors.New("pq: connection refused at 10.0.0.3"), fairmark.EINTERNAL, "internal error"},
		{"wrapped plain error", fmt.Errorf("x: %w", errors.New("secret")), fairmark.EINTERNAL, "internal error"},
		{"explicit internal", fairmark.Errorf(fairmark.EINTERNAL, "boom"), fairmark.EINTERNAL, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fairmark.ErrorCode(tt.err); got != tt.wantCode {
				t.Fatalf("ErrorCode: got %q, want %q", got, tt.wantCode)
			}
			if got := fairmark.ErrorMessage(tt.err); got != tt.wantMsg {
				t.Fatalf("ErrorMessage: got %q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	err := fairmark.Errorf(fairmark.EINVALID, "stars must be %d to %d", 1, 5)
	if got, want := err.Error(), "invalid: stars must be 1 to 5"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err.Code != fairmark.EINVALID || err.Message != "stars must be 1 to 5" {
		t.Fatalf("got %+v, want code invalid and the formatted message", err)
	}
}

// The codes are persisted and sent to clients: they must not change.
func TestErrorCodeValues(t *testing.T) {
	for got, want := range map[string]string{
		fairmark.ECONFLICT: "conflict", fairmark.EINTERNAL: "internal", fairmark.EINVALID: "invalid",
		fairmark.ENOTFOUND: "not_found", fairmark.EUNAUTHORIZED: "unauthorized",
		fairmark.EFORBIDDEN: "forbidden", fairmark.ETOOLARGE: "too_large",
	} {
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
