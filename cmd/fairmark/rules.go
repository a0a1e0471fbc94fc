package main

import (
	"context"
	"fmt"
	"os"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/rules"
)

// loadRules compiles the rules file at path, or the built-in rules for "";
// "none" means no rules (the risk model alone).
func loadRules(path string) (*engine.Rules, error) {
	if path == "none" {
		return nil, nil
	}
	if path == "" {
		set, err := rules.Default(engine.FeatureVars())
		if err != nil {
			return nil, fmt.Errorf("built-in rules: %w", err)
		}
		return engine.NewRules(set), nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	set, err := rules.Parse(path, src, engine.FeatureVars(), rules.Options{})
	if err != nil {
		return nil, err
	}
	return engine.NewRules(set), nil
}

func (m *Main) rules(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErr("rules needs a subcommand: check, test or show")
	}
	switch args[0] {
	case "check":
		fs := m.newFlags("rules check", "rules check --rules FILE")
		path := fs.String("rules", "", "rules file")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *path == "" {
			return usageErr("rules check needs --rules FILE")
		}
		r, err := loadRules(*path)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "ok: %d rules, version %s, %s\n", len(r.Set.Rules), r.Set.Version, r.Set.Hash)
		return nil
	case "show":
		fs := m.newFlags("rules show", "rules show [--rules FILE]")
		path := fs.String("rules", "", "rules file (default: built-in)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		r, err := loadRules(*path)
		if err != nil {
			return err
		}
		fmt.Fprint(m.Stdout, r.Set.Explain())
		return nil
	case "test":
		return m.rulesTest(ctx, args[1:])
	}
	return usageErr("unknown rules subcommand %q (want check, test or show)", args[0])
}
