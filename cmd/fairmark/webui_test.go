package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a stderr the server writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemoLogins: `serve --demo` prints the demo logins, and the demo
// seller signs in to a reputation with held remarks; a second start keeps
// the users.
func TestServeDemoLogins(t *testing.T) {
	data := t.TempDir()
	for start := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		var stderr syncBuffer
		ready := make(chan string, 1)
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
			Getenv: func(string) string { return "" }, Ready: func(addr string) { ready <- addr }}
		done := make(chan error, 1)
		go func() {
			done <- m.Run(ctx, []string{"serve", "--demo", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "warn", "--checkpoint-every", "0"})
		}()
		var addr string
		select {
		case addr = <-ready:
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
		case <-time.After(2 * time.Minute):
			t.Fatal("serve did not start")
		}
		out := stderr.String()
		for _, want := range []string{"demo: sign in at http://" + addr + "/", "demo-seller", "demo-seller-pass", "demo-agent-pass", "demo-lead-pass"} {
			if !strings.Contains(out, want) {
				t.Fatalf("start %d: output lacks %q:\n%s", start, want, out)
			}
		}
		if start == 1 && !strings.Contains(out, "kept from an earlier start") {
			t.Fatalf("second start: users not kept:\n%s", out)
		}

		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		res, err := c.PostForm("http://"+addr+"/login", url.Values{"user": {"demo-seller"}, "password": {"demo-seller-pass"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "Remarks held out of your protected score") || !strings.Contains(string(body), `<table class="held">`) {
			t.Fatalf("demo seller's reputation: status %d\n%.2000s", res.StatusCode, body)
		}
		// The JSON API takes the UI session too: the seller's own alerts.
		seller := strings.Fields(out[strings.Index(out, "demo-seller "):])[4]
		res, err = c.Get("http://" + addr + "/v1/sellers/" + seller + "/alerts?limit=1")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET /v1/sellers/%s/alerts with the demo seller's session: status %d", seller, res.StatusCode)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
