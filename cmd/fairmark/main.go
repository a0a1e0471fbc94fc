// Command fairmark protects marketplace sellers from feedback extortion.
//
// Subcommands: serve, import, replay, simulate, scan, graph, eval, rules,
// evidence, verify. Run `fairmark help` for usage. This package holds flags
// and wiring only; end-to-end tests reuse Main.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "fairmark:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "fairmark:", oneLine(err.Error()))
		os.Exit(1)
	}
}

// Main is the program: its streams are fields so tests can run commands
// in-process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the server's address once it listens.
	Ready func(addr string)
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// exitError carries an exit code other than 1, or a message already
// printed (msg empty).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

const usage = `fairmark — protects marketplace sellers from feedback extortion

Usage: fairmark <command> [flags]

Commands:
  serve      run the HTTP API, seller portal and staff console
  import     load an events file (NDJSON) into the store and run the engine
  replay     run an events file through the engine, write accounts/feedback/sellers CSVs
  simulate   write a simulated marketplace as events (and its ground truth)
  scan       find off-platform contacts and extortion intent in JSON-lines texts
  graph      score raters of a rating graph (SNAP CSV)
  eval       measure the engine against labelled accounts
  rules      check or backtest operator rules
  evidence   export an evidence bundle
  verify     check an evidence bundle offline

Run 'fairmark <command> -h' for a command's flags.
`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return &exitError{code: 2, msg: "no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.serve(ctx, rest)
	case "import":
		return m.importCmd(ctx, rest)
	case "replay":
		return m.replay(ctx, rest)
	case "simulate":
		return m.simulate(ctx, rest)
	case "scan":
		return m.scan(ctx, rest)
	case "graph":
		return m.graph(ctx, rest)
	case "eval":
		return m.eval(ctx, rest)
	case "rules":
		return m.rules(ctx, rest)
	case "evidence":
		return m.evidence(ctx, rest)
	case "verify":
		return m.verify(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return &exitError{code: 2, msg: fmt.Sprintf("unknown command %q", cmd)}
}

func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
