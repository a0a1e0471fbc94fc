package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	kafkasource "github.com/fairmark/fairmark/kafka"
	natssource "github.com/fairmark/fairmark/nats"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
	"github.com/fairmark/fairmark/webhook"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.newFlags("serve", "serve [--addr HOST:PORT] [--data DIR | --postgres URL] [--demo]")
	addr := fs.String("addr", m.env("FAIRMARK_ADDR", "127.0.0.1:8080"), "listen address [FAIRMARK_ADDR]")
	demo := fs.Bool("demo", false, "load a small simulated marketplace so the story shows at once")
	var sf storeFlags
	m.addStoreFlags(fs, &sf)
	natsURL := fs.String("nats", m.env("FAIRMARK_NATS", ""), "also consume events from this NATS server's JetStream [FAIRMARK_NATS]")
	natsStream := fs.String("nats-stream", m.env("FAIRMARK_NATS_STREAM", "MARKETPLACE"), "JetStream stream to read [FAIRMARK_NATS_STREAM]")
	natsSubject := fs.String("nats-subject", m.env("FAIRMARK_NATS_SUBJECT", ""), "subject filter within the stream [FAIRMARK_NATS_SUBJECT]")
	natsDurable := fs.String("nats-durable", m.env("FAIRMARK_NATS_DURABLE", "fairmark"), "durable consumer name, shared by the workers [FAIRMARK_NATS_DURABLE]")
	kafkaBrokers := fs.String("kafka", m.env("FAIRMARK_KAFKA", ""), "also consume events from these Kafka brokers, comma-separated [FAIRMARK_KAFKA]")
	kafkaTopic := fs.String("kafka-topic", m.env("FAIRMARK_KAFKA_TOPIC", "marketplace-events"), "Kafka topic [FAIRMARK_KAFKA_TOPIC]")
	kafkaGroup := fs.String("kafka-group", m.env("FAIRMARK_KAFKA_GROUP", "fairmark"), "Kafka consumer group [FAIRMARK_KAFKA_GROUP]")
	cpEvery := fs.Duration("checkpoint-every", time.Minute, "sign a new evidence checkpoint this often when the log grew")
	host, _ := os.Hostname()
	worker := fs.String("worker", m.env("FAIRMARK_WORKER", fmt.Sprintf("%s-%d", host, os.Getpid())), "this worker's id among the workers sharing one PostgreSQL database [FAIRMARK_WORKER]")
	partitionsS := fs.String("partitions", m.env("FAIRMARK_PARTITIONS", "16"), "buyer partitions shared out among the workers; the same on every worker [FAIRMARK_PARTITIONS]")
	leaseTTLS := fs.String("lease-ttl", m.env("FAIRMARK_LEASE_TTL", "10s"), "a worker that has not renewed its partitions' leases for this long loses them to the others [FAIRMARK_LEASE_TTL]")
	logLevel := fs.String("log-level", m.env("FAIRMARK_LOG_LEVEL", "info"), "debug, info, warn or error [FAIRMARK_LOG_LEVEL]")
	var hookURLs []string
	fs.Func("webhook-url", "POST case decisions to this marketplace URL; repeat or comma-separate [FAIRMARK_WEBHOOK_URL]", func(v string) error {
		hookURLs = append(hookURLs, strings.Split(v, ",")...)
		return nil
	})
	hookSecret := fs.String("webhook-secret", m.env("FAIRMARK_WEBHOOK_SECRET", ""), "whsec_ key signing the webhooks (default: made at first start, kept in the data folder) [FAIRMARK_WEBHOOK_SECRET]")
	if err := parse(fs, args); err != nil {
		return err
	}
	if hookURLs == nil {
		hookURLs = strings.Split(m.env("FAIRMARK_WEBHOOK_URL", ""), ",")
	}
	hooks, hookSecretCreated, err := webhookEndpoints(sf.data, hookURLs, *hookSecret)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageErr("bad --log-level %q", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))

	sf.hooks = hooks
	if sf.postgres != "" {
		// On PostgreSQL every serve is a worker: it follows the shared
		// event log and acts on the buyers of the partitions it leases.
		partitions, err := strconv.Atoi(*partitionsS)
		if err != nil || partitions < 1 {
			return usageErr("--partitions (FAIRMARK_PARTITIONS) must be a whole number of at least 1, not %q", *partitionsS)
		}
		leaseTTL, err := time.ParseDuration(*leaseTTLS)
		if err != nil || leaseTTL < 300*time.Millisecond {
			return usageErr("--lease-ttl (FAIRMARK_LEASE_TTL) must be a duration of at least 300ms, like 10s, not %q", *leaseTTLS)
		}
		if *worker == "" {
			return usageErr("--worker (FAIRMARK_WORKER) must not be empty")
		}
		sf.cluster = &service.Cluster{Worker: *worker, Partitions: partitions, LeaseTTL: leaseTTL}
	}
	svc, db, err := m.openService(ctx, &sf, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	clusterDone := make(chan struct{})
	if sf.cluster != nil {
		go func() {
			defer close(clusterDone)
			if err := svc.RunCluster(ctx); err != nil {
				logger.Error("cluster worker stopped", "err", err)
			}
		}()
		held, of := svc.Held()
		logger.Info("cluster worker", "worker", *worker, "partitions", held, "of", of)
	} else {
		close(clusterDone)
	}
	key, created, err := m.apiKey(sf.data)
	if err != nil {
		return fmt.Errorf("API key: %w", err)
	}
	if *demo {
		n, err := m.loadDemo(ctx, svc)
		if err != nil {
			return fmt.Errorf("demo marketplace: %w", err)
		}
		logger.Info("demo marketplace loaded", "events", n)
	}
	if err := m.logRules(ctx, svc, sf.rules); err != nil {
		return fmt.Errorf("log rule set: %w", err)
	}
	go checkpointEvery(ctx, svc, *cpEvery, logger)
	if *natsURL != "" {
		src, err := natssource.New(svc, natssource.Config{URL: *natsURL, Stream: *natsStream, Subject: *natsSubject, Durable: *natsDurable}, logger)
		if err != nil {
			return fmt.Errorf("NATS source: %w", err)
		}
		go func() {
			if err := src.Run(ctx); err != nil {
				logger.Error("NATS source stopped", "err", err)
			}
		}()
	}
	if *kafkaBrokers != "" {
		src, err := kafkasource.New(svc, kafkasource.Config{Brokers: strings.Split(*kafkaBrokers, ","), Topic: *kafkaTopic, Group: *kafkaGroup}, logger)
		if err != nil {
			return fmt.Errorf("Kafka source: %w", err)
		}
		go func() {
			if err := src.Run(ctx); err != nil {
				logger.Error("Kafka source stopped", "err", err)
			}
		}()
	}
	srv := web.New(svc, key, logger)
	if err := m.mountUI(srv, svc, db, sf.rules, logger); err != nil {
		return err
	}
	if len(hooks) > 0 {
		d, err := webhook.NewDispatcher(db.Outbox(), hooks, logger)
		if err != nil {
			return err
		}
		srv.Webhooks = db.Outbox()
		go d.Run(ctx, time.Second)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if created {
		fmt.Fprintf(m.Stderr, "operator API key (shown once, kept in %s/api-key): %s\n", sf.data, key)
	}
	if hookSecretCreated {
		fmt.Fprintf(m.Stderr, "webhook signing secret (shown once, kept in %s/webhook-secret): %s\n", sf.data, hooks[0].Secret)
	}
	fmt.Fprintf(m.Stderr, "evidence log public key: %s\n", svc.EvidenceLog().VerifierKey())
	fmt.Fprintf(m.Stderr, "fairmark listening on http://%s\n", ln.Addr())
	if *demo {
		m.demoTour(ctx, svc, ln.Addr().String())
		if err := m.demoLogins(ctx, svc, db, ln.Addr().String()); err != nil {
			return fmt.Errorf("demo logins: %w", err)
		}
	}
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-clusterDone // partitions given back
	return nil
}

// DemoConfig is the demo marketplace: small, fixed seed, so every newcomer
// sees the same story.
var DemoConfig = sim.Config{Seed: 7, Sellers: 40, Buyers: 600, Days: 21, Complainers: 4}

// loadDemo ingests the demo marketplace. Loading it twice adds nothing: the
// event ids repeat.
func (m *Main) loadDemo(ctx context.Context, svc *service.Service) (int, error) {
	evs, _, err := sim.Events(DemoConfig)
	if err != nil {
		return 0, err
	}
	var batch []store.Incoming
	n := 0
	flush := func() error {
		acc, _, err := svc.IngestValid(ctx, batch)
		n += acc
		batch = batch[:0]
		return err
	}
	for _, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			return n, err
		}
		batch = append(batch, store.Incoming{Event: e, Raw: raw})
		if len(batch) == 2000 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// logRules puts the rule set in force on the evidence record.
func (m *Main) logRules(ctx context.Context, svc *service.Service, path string) error {
	set := svc.RuleSet()
	if set == nil {
		return nil
	}
	src := rules.DefaultSource()
	if path != "" {
		var err error
		if src, err = os.ReadFile(path); err != nil {
			return err
		}
	} else if pub, err := svc.DB().LatestRuleSet(ctx); err != nil {
		return err
	} else if pub != nil && pub.Hash == set.Hash {
		src = pub.Source
	}
	return svc.LogRuleSet(ctx, set.Hash, set.Version, src)
}

// checkpointEvery signs a checkpoint every d while the log grows; each is
// checked against the previous one before it is published.
func checkpointEvery(ctx context.Context, svc *service.Service, d time.Duration, logger *slog.Logger) {
	if d <= 0 || svc.EvidenceLog() == nil {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l := svc.EvidenceLog()
			if l.Size() == 0 {
				continue
			}
			if _, err := l.Checkpoint(ctx); err != nil {
				logger.Error("evidence checkpoint refused", "err", err)
			}
		}
	}
}

// demoTour prints where to look first in the demo marketplace: a flagged
// buyer and a seller whose remark from them is held.
func (m *Main) demoTour(ctx context.Context, svc *service.Service, addr string) {
	ds, err := svc.Decisions(ctx, store.DecisionFilter{Kind: string(engine.HoldFeedback), Limit: 1})
	if err != nil || len(ds) == 0 {
		return
	}
	d := ds[0]
	fmt.Fprintf(m.Stderr, "demo: try\n  curl -H \"Authorization: Bearer $KEY\" http://%s/v1/accounts/%s\n  curl -H \"Authorization: Bearer $KEY\" http://%s/v1/sellers/%s/reputation\n  curl -H \"Authorization: Bearer $KEY\" http://%s/v1/sellers/%s/alerts\n",
		addr, d.Account, addr, d.Seller, addr, d.Seller)
}

// webhookEndpoints returns the marketplace endpoints of --webhook-url,
// signed with --webhook-secret or else with the secret kept in the data
// folder (made on first use; created reports that).
func webhookEndpoints(dir string, urls []string, secret string) (eps []webhook.Endpoint, created bool, err error) {
	for _, u := range urls {
		if u = strings.TrimSpace(u); u == "" || slices.ContainsFunc(eps, func(e webhook.Endpoint) bool { return e.URL == u }) {
			continue
		}
		if err := webhook.CheckEndpoint(u); err != nil {
			return nil, false, usageErr("bad --webhook-url %q: want an absolute http(s) URL", u)
		}
		eps = append(eps, webhook.Endpoint{URL: u})
	}
	if len(eps) == 0 {
		return nil, false, nil
	}
	if secret == "" {
		if secret, created, err = webhook.LoadOrCreateSecret(filepath.Join(dir, "webhook-secret")); err != nil {
			return nil, false, fmt.Errorf("webhook secret: %w", err)
		}
	} else if err := webhook.CheckSecret(secret); err != nil {
		return nil, false, usageErr("bad --webhook-secret: want whsec_ and a base64 key of 24 to 64 bytes")
	}
	for i := range eps {
		eps[i].Secret = secret
	}
	return eps, created, nil
}
