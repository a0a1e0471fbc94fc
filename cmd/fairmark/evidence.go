package main

import (
	"context"
	"fmt"
	"os"

	"github.com/fairmark/fairmark/evidence"
)

func (m *Main) evidence(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return usageErr("evidence needs a subcommand: export")
	}
	fs := m.newFlags("evidence export", "evidence export [--data DIR | --postgres URL] (--conversation ID | --order ID | --report ID | --case ID | --account ID) --out FILE")
	var sf storeFlags
	m.addStoreFlags(fs, &sf)
	conv := fs.String("conversation", "", "conversation id")
	order := fs.String("order", "", "order id")
	report := fs.String("report", "", "report id")
	cs := fs.String("case", "", "case id")
	account := fs.String("account", "", "account id")
	out := fs.String("out", "", "bundle file to write")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var scopes []evidence.Scope
	for t, v := range map[string]string{evidence.ScopeConversation: *conv, evidence.ScopeOrder: *order, evidence.ScopeReport: *report, evidence.ScopeCase: *cs, evidence.ScopeAccount: *account} {
		if v != "" {
			scopes = append(scopes, evidence.Scope{Type: t, ID: v})
		}
	}
	if len(scopes) != 1 {
		return usageErr("evidence export needs exactly one of --conversation, --order, --report, --case or --account")
	}
	if *out == "" {
		return usageErr("evidence export needs --out FILE")
	}
	if sf.postgres == "" {
		if _, err := os.Stat(sf.data); err != nil {
			return fmt.Errorf("data folder %s: %w", sf.data, err)
		}
	}
	db, err := openStore(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	signer, err := evidence.LoadOrCreateKey(sf.data+"/keys", origin)
	if err != nil {
		return err
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		return err
	}
	if log.Size() == 0 {
		return fmt.Errorf("the evidence log is empty")
	}
	if _, err := log.Checkpoint(ctx); err != nil {
		return err
	}
	b, err := log.Bundle(ctx, scopes[0])
	if err != nil {
		return err
	}
	if len(b.Records) == 0 {
		return fmt.Errorf("no evidence for %s %s", scopes[0].Type, scopes[0].ID)
	}
	w, closeOut, err := m.createOut(*out)
	if err != nil {
		return err
	}
	if err := evidence.WriteBundle(w, b); err != nil {
		closeOut()
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "wrote %d records for %s %s to %s\n", len(b.Records), scopes[0].Type, scopes[0].ID, *out)
	return nil
}

func (m *Main) verify(ctx context.Context, args []string) error {
	fs := m.newFlags("verify", "verify [--key FILE] BUNDLE")
	keyFile := fs.String("key", "", "pin the log's verifier key (a file holding it); default: the key inside the bundle")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("verify needs exactly one BUNDLE file")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read bundle: %w", err)
	}
	pinned := ""
	if *keyFile != "" {
		k, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("read key: %w", err)
		}
		pinned = string(trimSpace(k))
	}
	sum, err := evidence.Verify(data, pinned)
	if err != nil {
		return &exitError{code: 1, msg: "verify failed: " + oneLine(err.Error())}
	}
	fmt.Fprintln(m.Stdout, sum.String())
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
