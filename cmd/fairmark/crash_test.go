package main

// The crash test: http.md promises that accepted events are durable when
// the answer is sent, so a server killed with SIGKILL in the middle of
// ingestion loses none of the events it acknowledged, and a client that
// re-sends everything after the restart ends with every event stored once.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
)

const crashKey = "crash-test-key"

// server is a fairmark serve process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
	errs *bytes.Buffer // stderr after the listening line
	mu   sync.Mutex
}

// startServer starts the binary on a free port with data dir and waits for
// its "fairmark listening on http://ADDR" line.
func startServer(t *testing.T, bin, data string) *server {
	t.Helper()
	return startServerArgs(t, bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "warn")
}

// startServerArgs starts the binary with args (a serve command listening
// on a free port) and waits for its listening line.
func startServerArgs(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "FAIRMARK_API_KEY="+crashKey)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{}), errs: &bytes.Buffer{}}
	t.Cleanup(func() { s.kill(t) })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "fairmark listening on http://"); ok && !found {
				found = true
				addr <- a
				continue
			}
			s.mu.Lock()
			s.errs.WriteString(line + "\n")
			s.mu.Unlock()
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(s.done)
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case <-s.done:
		t.Fatalf("fairmark serve exited before listening:\n%s", s.stderr())
	case <-time.After(60 * time.Second):
		t.Fatalf("fairmark serve did not print its listening line:\n%s", s.stderr())
	}
	return s
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errs.String()
}

// kill sends SIGKILL and waits for the process to go.
func (s *server) kill(t *testing.T) {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop asks the server to shut down (SIGTERM) and waits.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("fairmark serve did not stop on SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("fairmark serve after SIGTERM: got exit %d, want 0; stderr:\n%s", code, s.stderr())
	}
}

type ingestAnswer struct {
	Accepted   int               `json:"accepted"`
	Duplicates int               `json:"duplicates"`
	Rejected   []json.RawMessage `json:"rejected"`
}

// post sends one batch; ok is false when no 200 answer came back.
func post(client *http.Client, url string, batch []string) (ans ingestAnswer, status int, err error) {
	req, err := http.NewRequest("POST", url+"/v1/events", strings.NewReader(strings.Join(batch, "\n")))
	if err != nil {
		return ans, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+crashKey)
	req.Header.Set("Content-Type", "application/x-ndjson")
	res, err := client.Do(req)
	if err != nil {
		return ans, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return ans, res.StatusCode, err
	}
	if res.StatusCode != 200 {
		return ans, res.StatusCode, fmt.Errorf("status %d: %s", res.StatusCode, body)
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return ans, res.StatusCode, fmt.Errorf("answer %s: %v", body, err)
	}
	return ans, 200, nil
}

func eventID(t *testing.T, line string) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.ID == "" {
		t.Fatalf("event without id: %s", line)
	}
	return v.ID
}

// buildFairmark builds the fairmark binary into a new temporary folder
// and returns the binary and the folder; it skips the test without the go
// command.
func buildFairmark(t *testing.T) (bin, tmp string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command on PATH to build the binary")
	}
	tmp = t.TempDir()
	bin = filepath.Join(tmp, "fairmark")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, tmp
}

func TestCrashDuringIngestion(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds the fairmark binary and SIGKILLs it; skipped under -short")
	}
	bin, tmp := buildFairmark(t)

	// A simulated marketplace, out of order and with repeats, so late
	// events make the server rebuild its engine while it ingests.
	evFile := filepath.Join(tmp, "events.ndjson")
	mustRun(t, "", "simulate", "--out", evFile, "--seed", "13", "--sellers", "40", "--buyers", "1200",
		"--days", "21", "--complainers", "5", "--shuffle", "0.1", "--duplicates", "0.05")
	lines := strings.Split(strings.TrimSpace(mustRead(t, evFile)), "\n")
	const batchSize = 40
	var batches [][]string
	for i := 0; i < len(lines); i += batchSize {
		batches = append(batches, lines[i:min(i+batchSize, len(lines))])
	}
	ids := map[string]string{} // id -> line (first copy)
	for _, l := range lines {
		if id := eventID(t, l); ids[id] == "" {
			ids[id] = l
		}
	}
	t.Logf("%d lines, %d distinct events, %d batches", len(lines), len(ids), len(batches))

	data := filepath.Join(tmp, "data")
	srv := startServer(t, bin, data)

	// Four clients post batches until the server dies; the test kills it
	// with SIGKILL once a third of the batches are acknowledged, while
	// the others are in flight.
	var (
		mu    sync.Mutex
		acked = make([]bool, len(batches))
		nAck  int
		nLost int // requests that got no answer: in flight at the kill, or after it
	)
	killAt := len(batches) / 3
	reachedKill := make(chan struct{})
	next := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ans, _, err := post(client, srv.url, batches[i])
				if err != nil {
					mu.Lock()
					nLost++ // the server is gone (or going): not acknowledged
					mu.Unlock()
					continue
				}
				if ans.Accepted+ans.Duplicates != len(batches[i]) || len(ans.Rejected) != 0 {
					t.Errorf("batch %d: got %+v, want %d accepted or duplicate", i, ans, len(batches[i]))
				}
				mu.Lock()
				acked[i] = true
				nAck++
				if nAck == killAt {
					close(reachedKill)
				}
				mu.Unlock()
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range batches {
			select {
			case next <- i:
			case <-srv.done:
				return
			}
		}
	}()
	select {
	case <-reachedKill:
	case <-srv.done:
		t.Fatalf("server exited during ingestion:\n%s", srv.stderr())
	}
	srv.kill(t)
	wg.Wait()

	var ackedIDs []string
	seen := map[string]bool{}
	mu.Lock()
	nAcked := nAck
	for i, ok := range acked {
		if !ok {
			continue
		}
		for _, l := range batches[i] {
			if id := eventID(t, l); !seen[id] {
				seen[id] = true
				ackedIDs = append(ackedIDs, id)
			}
		}
	}
	mu.Unlock()
	if nAcked < killAt || nAcked == len(batches) {
		t.Fatalf("acknowledged %d of %d batches; want the kill to land mid-ingestion (at %d)", nAcked, len(batches), killAt)
	}
	t.Logf("killed after %d of %d batches were acknowledged (%d events); %d requests got no answer", nAcked, len(batches), len(ackedIDs), nLost)

	// Before any re-send: every acknowledged event survived the kill,
	// byte for byte as sent.
	checkStored := func(wantCount int64) {
		t.Helper()
		db, err := store.OpenSQLite(context.Background(), data)
		if err != nil {
			t.Fatalf("open the store after the kill: %v", err)
		}
		defer db.Close()
		missing := 0
		for _, id := range ackedIDs {
			raw, err := db.EventByID(context.Background(), fairmark.EventID(id))
			if err != nil {
				if missing++; missing <= 5 {
					t.Errorf("acknowledged event %s: %v", id, err)
				}
				continue
			}
			if !bytes.Equal(raw, []byte(ids[id])) {
				t.Errorf("acknowledged event %s: stored %s, sent %s", id, raw, ids[id])
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d acknowledged events lost", missing, len(ackedIDs))
		}
		n, err := db.EventCount(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if wantCount >= 0 && n != wantCount {
			t.Errorf("stored events: got %d, want %d (the distinct ids sent)", n, wantCount)
		}
		if n < int64(len(ackedIDs)) {
			t.Errorf("stored events: got %d, fewer than the %d acknowledged", n, len(ackedIDs))
		}
	}
	checkStored(-1)

	// Restart on the same data and re-send everything: acknowledged
	// batches come back as duplicates only; at the end every event is
	// stored exactly once.
	srv = startServer(t, bin, data)
	accepted, dups := 0, 0
	for i, b := range batches {
		ans, _, err := post(client, srv.url, b)
		if err != nil {
			t.Fatalf("re-send batch %d after restart: %v\n%s", i, err, srv.stderr())
		}
		if len(ans.Rejected) != 0 || ans.Accepted+ans.Duplicates != len(b) {
			t.Errorf("re-send batch %d: got %+v, want %d accepted or duplicate", i, ans, len(b))
		}
		if acked[i] && ans.Accepted != 0 {
			t.Errorf("re-send of acknowledged batch %d: got %d accepted, want 0 (all duplicates)", i, ans.Accepted)
		}
		accepted += ans.Accepted
		dups += ans.Duplicates
	}
	if accepted > len(ids)-len(ackedIDs) {
		t.Errorf("re-send accepted %d events, more than the %d never acknowledged", accepted, len(ids)-len(ackedIDs))
	}
	// The restarted server answers for the data it had before the crash.
	res, err := client.Get(srv.url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Errorf("/healthz after restart: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	srv.stop(t)
	checkStored(int64(len(ids)))

	// The evidence log caught up too: a conversation's bundle verifies.
	var conv string
	for _, l := range lines {
		var v struct {
			Message *struct{ Conversation string } `json:"message"`
		}
		if json.Unmarshal([]byte(l), &v) == nil && v.Message != nil {
			conv = v.Message.Conversation
			break
		}
	}
	if conv == "" {
		t.Fatal("no message in the simulated events")
	}
	bundle := filepath.Join(tmp, "bundle.json")
	mustRun(t, "", "evidence", "export", "--data", data, "--conversation", conv, "--out", bundle)
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.Verify(raw, ""); err != nil {
		t.Errorf("bundle of conversation %s after the crash: %v", conv, err)
	}
}

// TestCrashDuringImport: an import into an empty store killed with
// SIGKILL in the middle of its transaction (a rollback journal, see
// store.BeginImport) leaves a store that opens with nothing of it, and
// the import run again stores every event.
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds the fairmark binary and SIGKILLs it; skipped under -short")
	}
	bin, tmp := buildFairmark(t)
	evFile := filepath.Join(tmp, "events.ndjson")
	// Big enough (about 100k events) that the import's transaction
	// lasts a second or more.
	mustRun(t, "", "simulate", "--out", evFile, "--seed", "21", "--sellers", "600", "--buyers", "30000",
		"--days", "30", "--complainers", "10")
	lines := strings.Count(mustRead(t, evFile), "\n")
	t.Logf("%d events", lines)

	data := filepath.Join(tmp, "data")
	db := filepath.Join(data, "fairmark.db")
	cmd := exec.Command(bin, "import", "--data", data, evFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// Kill it once the import's transaction is under way: its journal
	// exists (the first batch is in).
	deadline := time.Now().Add(60 * time.Second)
	var since time.Time
	for {
		if _, err := os.Stat(db + "-journal"); err == nil && since.IsZero() {
			since = time.Now()
		}
		if !since.IsZero() && time.Since(since) > 100*time.Millisecond {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the import ended before it could be killed in its transaction (journal seen: %v):\n%s", !since.IsZero(), out.String())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no import transaction seen within a minute")
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	if _, err := os.Stat(db + "-journal"); err != nil {
		t.Fatalf("after SIGKILL mid-import: no hot journal (%v); output:\n%s", err, out.String())
	}

	// The store opens sound and empty: the journal rolled the import back.
	st, err := store.OpenSQLite(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.EventCount(context.Background())
	st.Close()
	if err != nil || n != 0 {
		t.Fatalf("after the crash: %d events stored (%v), want 0", n, err)
	}

	// The import again stores everything.
	again, err := exec.Command(bin, "import", "--data", data, evFile).CombinedOutput()
	if err != nil {
		t.Fatalf("import after the crash: %v\n%s", err, again)
	}
	if want := fmt.Sprintf("%d lines, %d accepted, 0 duplicates, 0 rejected", lines, lines); !strings.Contains(string(again), want) {
		t.Errorf("import after the crash: %s\nwant %q", again, want)
	}
	if got := eventCount(t, data); got != int64(lines) {
		t.Errorf("after the second import: %d events, want %d", got, lines)
	}
}
