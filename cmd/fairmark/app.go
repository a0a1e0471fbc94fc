package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/webhook"
)

// origin names this fairmark's evidence log in its checkpoints.
const origin = "fairmark.local/evidence"

// storeFlags are the flags that choose the store.
type storeFlags struct {
	data     string
	postgres string
	rules    string
	// hooks are the webhook endpoints case decisions are queued for
	// (serve's --webhook-url); none for the other commands.
	hooks []webhook.Endpoint
	// cluster makes serve one of several workers on one PostgreSQL
	// database; nil for the other commands.
	cluster *service.Cluster
	// bulk opens the service with the store's bulk-load settings and
	// makes everything durable once it is open (import's engine run).
	bulk bool
}

func (m *Main) addStoreFlags(fs interface {
	StringVar(p *string, name, value, usage string)
}, sf *storeFlags) {
	fs.StringVar(&sf.data, "data", m.env("FAIRMARK_DATA", "./fairmark-data"), "data folder (embedded database, keys) [FAIRMARK_DATA]")
	fs.StringVar(&sf.postgres, "postgres", m.env("FAIRMARK_POSTGRES", ""), "PostgreSQL URL instead of the embedded database [FAIRMARK_POSTGRES]")
	fs.StringVar(&sf.rules, "rules", m.env("FAIRMARK_RULES", ""), "operator rules file (default: built-in rules) [FAIRMARK_RULES]")
}

func (m *Main) env(key, def string) string {
	if v := m.Getenv(key); v != "" {
		return v
	}
	return def
}

// openStore opens the store the flags name.
func openStore(ctx context.Context, sf *storeFlags) (*store.DB, error) {
	if sf.postgres != "" {
		return store.OpenPostgres(ctx, sf.postgres, "")
	}
	return store.OpenSQLite(ctx, sf.data)
}

// openService opens the store, the evidence log and the service.
func (m *Main) openService(ctx context.Context, sf *storeFlags, logger *slog.Logger) (*service.Service, *store.DB, error) {
	db, err := openStore(ctx, sf)
	if err != nil {
		return nil, nil, err
	}
	return m.startService(ctx, sf, db, logger, nil)
}

// startService opens the evidence log and the service on db, which it
// closes on an error. warm, when not nil, is the engine an import ran
// while it stored the events (service.Options.Warm); startService closes
// it.
func (m *Main) startService(ctx context.Context, sf *storeFlags, db *store.DB, logger *slog.Logger, warm *service.Warm) (*service.Service, *store.DB, error) {
	if warm != nil {
		defer warm.Close()
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		db.Close()
		return nil, nil, err
	}
	signer, err := evidence.LoadOrCreateKey(filepath.Join(sf.data, "keys"), origin)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("evidence key: %w", err)
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("evidence log: %w", err)
	}
	opt, err := m.serviceOptions(ctx, sf, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	opt.Evidence, opt.Logger, opt.Warm = log, logger, warm
	// An import's engine run writes decisions, evidence records and cases
	// for the whole log: commits need not wait for the disk one by one
	// (a crash loses none of the events, and the next start catches the
	// rest up); done makes all of it durable before the import reports.
	bulkDone := func(context.Context) error { return nil }
	if sf.bulk {
		if bulkDone, err = db.BulkLoad(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	svc, err := service.Open(ctx, opt)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if err := bulkDone(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("make the engine run durable: %w", err)
	}
	return svc, db, nil
}

// serviceOptions returns the service options the flags and the store
// choose (no evidence log, logger or warm engine): the engine's rules —
// --rules, else the rule set last published from the staff console, else
// the built-in ones —, webhooks and cluster.
func (m *Main) serviceOptions(ctx context.Context, sf *storeFlags, db *store.DB) (service.Options, error) {
	cfg, err := m.engineConfig(sf.rules)
	if err != nil {
		return service.Options{}, err
	}
	// Without --rules, the rule set last published from the staff console
	// is in force (else the built-in rules).
	if sf.rules == "" {
		pub, err := db.LatestRuleSet(ctx)
		if err != nil {
			return service.Options{}, fmt.Errorf("published rules: %w", err)
		}
		if pub != nil {
			set, err := rules.Parse("published", pub.Source, engine.FeatureVars(), rules.Options{})
			if err != nil {
				return service.Options{}, fmt.Errorf("published rule set %d (%s): %w", pub.Seq, pub.Hash, err)
			}
			cfg.Rules = engine.NewRules(set)
		}
	}
	return service.Options{DB: db, Config: cfg, Webhooks: sf.hooks, Cluster: sf.cluster, FollowPublishedRules: sf.rules == "",
		Engine: func(c engine.Config) *engine.Engine {
			// Each engine gets its own rule evaluator (it reuses buffers).
			if r, ok := c.Rules.(*engine.Rules); ok {
				c.Rules = engine.NewRules(r.Set)
			}
			return engine.New(c)
		}}, nil
}

// apiKey returns the operator key: FAIRMARK_API_KEY, else the one kept in
// the data folder, else a new one stored there. created reports a new key.
func (m *Main) apiKey(dir string) (key string, created bool, err error) {
	if k := m.Getenv("FAIRMARK_API_KEY"); k != "" {
		return k, false, nil
	}
	path := filepath.Join(dir, "api-key")
	b, err := os.ReadFile(path)
	if err == nil {
		if k := strings.TrimSpace(string(b)); k != "" {
			return k, false, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", false, err
	}
	key = "fm_" + hex.EncodeToString(raw[:])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", false, err
	}
	return key, true, nil
}
