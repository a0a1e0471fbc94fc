package web

import (
	"strconv"

	"github.com/fairmark/fairmark"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
)

// serviceCollector exports the service's counters at scrape time.
type serviceCollector struct {
	svc                                        *service.Service
	ingested, applied, rebuilds, decisions, dp *prometheus.Desc
	held, followed                             *prometheus.Desc
}

func newServiceCollector(svc *service.Service) *serviceCollector {
	return &serviceCollector{
		svc:       svc,
		ingested:  prometheus.NewDesc("fairmark_events_ingested_total", "New events stored since start.", nil, nil),
		applied:   prometheus.NewDesc("fairmark_engine_events_applied", "Events applied by the current engine.", nil, nil),
		rebuilds:  prometheus.NewDesc("fairmark_engine_rebuilds_total", "Engine rebuilds from the event log (start and late events).", nil, nil),
		decisions: prometheus.NewDesc("fairmark_decisions_total", "Decisions made since start, by kind.", []string{"kind"}, nil),
		dp:        prometheus.NewDesc("fairmark_detector_panics_total", "Text detector panics survived.", nil, nil),
		held:      prometheus.NewDesc("fairmark_partitions_held", "Buyer partitions this worker holds (workers on PostgreSQL only).", []string{"of"}, nil),
		followed:  prometheus.NewDesc("fairmark_event_log_followed", "Position in the shared event log this worker's engine has applied (workers on PostgreSQL only).", nil, nil),
	}
}

func (c *serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ingested
	ch <- c.applied
	ch <- c.rebuilds
	ch <- c.decisions
	ch <- c.dp
	ch <- c.held
	ch <- c.followed
}

func (c *serviceCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.svc.Stats()
	ch <- prometheus.MustNewConstMetric(c.ingested, prometheus.CounterValue, float64(st.Ingested))
	ch <- prometheus.MustNewConstMetric(c.applied, prometheus.GaugeValue, float64(st.Applied))
	ch <- prometheus.MustNewConstMetric(c.rebuilds, prometheus.CounterValue, float64(st.Rebuilds))
	for _, k := range []engine.DecisionKind{engine.FlagAccount, engine.ClearAccount, engine.HoldFeedback, engine.ReleaseHold, engine.AlertSeller} {
		ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(st.Decisions[k]), string(k))
	}
	ch <- prometheus.MustNewConstMetric(c.dp, prometheus.CounterValue, float64(engine.DetectorPanics.Load()))
	if st.Partitions > 0 {
		ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, float64(st.Held), strconv.Itoa(st.Partitions))
		ch <- prometheus.MustNewConstMetric(c.followed, prometheus.GaugeValue, float64(st.Followed))
	}
}

func storeFilter(kind, seller, account string, limit int) store.DecisionFilter {
	return store.DecisionFilter{Kind: kind, Seller: fairmark.AccountID(seller), Account: fairmark.AccountID(account), Limit: limit}
}
