// Package web serves fairmark over HTTP: the v1 JSON API of
// ../shared/spec/http.md (and its extensions, described by the OpenAPI
// document at /v1/openapi.json), health and Prometheus metrics.
package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/webhook"
)

// MaxBody is the largest request body POST /v1/events accepts.
const MaxBody = 64 << 20

// Server is the HTTP face of a Service.
type Server struct {
	Service *service.Service
	// APIKey is the operator key machine clients send as a Bearer token.
	APIKey string
	Logger *slog.Logger
	// Sessions resolves a signed-in UI user (nil: API key only).
	Sessions func(*http.Request) (fairmark.Principal, bool)
	// Webhooks is the outbox of webhooks to the marketplace, for the
	// operator's delivery endpoints (nil: they answer 404).
	Webhooks webhook.Outbox

	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	events   *prometheus.CounterVec
	mux      *http.ServeMux
	table    []Route
	csrf     *http.CrossOriginProtection
}

// New returns a Server with its own metrics registry.
func New(svc *service.Service, apiKey string, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{Service: svc, APIKey: apiKey, Logger: logger, reg: prometheus.NewRegistry(), csrf: http.NewCrossOriginProtection()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairmark_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fairmark_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"})
	s.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairmark_events_total", Help: "Events received over HTTP by outcome."}, []string{"outcome"})
	s.reg.MustRegister(s.requests, s.latency, s.events,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}),
		newServiceCollector(svc))
	s.routes()
	return s
}

// Registry returns the server's metrics registry.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

func (s *Server) routes() {
	mux := http.NewServeMux()
	s.mux = mux
	s.handle("GET /healthz", s.healthz, false)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	s.handle("GET /v1/openapi.json", s.openapi, false)
	s.handleFor("POST /v1/events", s.postEvents, operatorOnly)
	s.handleFor("GET /v1/me", s.me, opStaffOwner)
	s.handleFor("GET /v1/accounts/{id}", s.getAccount, opStaff)
	s.handleFor("GET /v1/sellers/{id}/reputation", s.getReputation, opStaffOwner)
	s.handleFor("GET /v1/sellers/{id}/alerts", s.getAlerts, opStaffOwner)
	s.handleFor("GET /v1/feedback/{id}", s.getFeedback, opStaffOwner)
	s.handleFor("GET /v1/decisions", s.getDecisions, opStaff)
	s.evidenceRoutes()
	s.caseRoutes()
	s.webhookRoutes()
}

// handle registers h for pattern: public, or (auth) for the operator only.
func (s *Server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error, auth bool) {
	if auth {
		s.handleFor(pattern, h, operatorOnly)
	} else {
		s.handleFor(pattern, h, public)
	}
}

// handleFor registers h for pattern, with metrics, open to roles (nil:
// public).
func (s *Server) handleFor(pattern string, h func(w http.ResponseWriter, r *http.Request) error, roles []fairmark.UserRole) {
	route := pattern
	s.table = append(s.table, Route{Pattern: pattern, Roles: roles})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		if r2, err := s.admit(r, roles); err != nil {
			s.writeError(sw, r, err)
		} else if err := h(sw, r2); err != nil {
			s.writeError(sw, r2, err)
		}
		s.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// ServeHTTP implements http.Handler. Requests no route matches get the
// mux's 404 or 405 as a JSON error, like every other error.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &headerRecorder{h: http.Header{}}
	h.ServeHTTP(rec, r)
	if allow := rec.h.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	code, msg := fairmark.ENOTFOUND, "no such endpoint: "+r.Method+" "+r.URL.Path+" (see /v1/openapi.json)"
	if rec.status == http.StatusMethodNotAllowed {
		code, msg = fairmark.EINVALID, "method "+r.Method+" not allowed for "+r.URL.Path+" (allowed: "+rec.h.Get("Allow")+")"
	} else if rec.status != http.StatusNotFound {
		s.mux.ServeHTTP(w, r) // not a plain miss: let the mux answer
		return
	}
	status := rec.status
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// headerRecorder records the status and headers of the mux's own 404 and
// 405 answers and drops their plain-text bodies.
type headerRecorder struct {
	h      http.Header
	status int
}

func (rr *headerRecorder) Header() http.Header { return rr.h }
func (rr *headerRecorder) WriteHeader(code int) {
	if rr.status == 0 {
		rr.status = code
	}
}
func (rr *headerRecorder) Write(b []byte) (int, error) {
	rr.WriteHeader(http.StatusOK)
	return len(b), nil
}

// Handle adds a handler to the server's mux (for the UI).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// StatusOf maps application error codes to HTTP statuses, in one place
// (the API and the UI both use it).
func StatusOf(code string) int {
	switch code {
	case fairmark.EINVALID:
		return http.StatusBadRequest
	case fairmark.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case fairmark.EFORBIDDEN:
		return http.StatusForbidden
	case fairmark.ENOTFOUND:
		return http.StatusNotFound
	case fairmark.ECONFLICT:
		return http.StatusConflict
	case fairmark.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := fairmark.ErrorCode(err)
	if code == fairmark.EINTERNAL {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, StatusOf(code), map[string]any{"error": map[string]string{"code": code, "message": fairmark.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.Service.Ping(ctx); err != nil {
		s.Logger.Error("health check failed", "err", err)
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": err.Error()})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// postEvents accepts NDJSON or a JSON array of events.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fairmark.Errorf(fairmark.ETOOLARGE, "body larger than %d bytes; send fewer events per request", MaxBody)
		}
		return fairmark.Errorf(fairmark.EINVALID, "read body: %v", err)
	}
	raws, err := splitEvents(body, r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	res, err := s.Service.Ingest(r.Context(), raws)
	s.events.WithLabelValues("accepted").Add(float64(res.Accepted))
	s.events.WithLabelValues("duplicate").Add(float64(res.Duplicates))
	s.events.WithLabelValues("rejected").Add(float64(len(res.Rejected)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// splitEvents splits a body into one raw event each: a JSON array when the
// body starts with '[' (or the content type says JSON), NDJSON otherwise.
func splitEvents(body []byte, contentType string) ([][]byte, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fairmark.Errorf(fairmark.EINVALID, "empty body: send NDJSON or a JSON array of events")
	}
	if trimmed[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(trimmed, &arr); err != nil {
			return nil, fairmark.Errorf(fairmark.EINVALID, "body is not a valid JSON array of events: %v", err)
		}
		out := make([][]byte, len(arr))
		for i, a := range arr {
			out[i] = a
		}
		return out, nil
	}
	if strings.HasPrefix(contentType, "application/json") && trimmed[0] != '{' {
		return nil, fairmark.Errorf(fairmark.EINVALID, "body must be a JSON array or NDJSON of event objects")
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), event.MaxLine+2)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		out = append(out, append([]byte(nil), line...))
	}
	if err := sc.Err(); err != nil {
		return nil, fairmark.Errorf(fairmark.EINVALID, "NDJSON line %d: %v (an event line is at most 1 MiB)", len(out)+1, err)
	}
	return out, nil
}

// accountJSON is an account's answer: the engine's view and its reasons
// in Chinese beside the English ones (an extension of http.md).
type accountJSON struct {
	engine.AccountView
	ReasonsZH []string `json:"reasons_zh"`
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Service.Account(fairmark.AccountID(r.PathValue("id")))
	if err != nil {
		return err
	}
	zh := make([]string, len(v.Reasons))
	for i, why := range v.Reasons {
		zh[i] = engine.ReasonZH(why)
	}
	return writeJSON(w, http.StatusOK, accountJSON{v, zh})
}

func (s *Server) getReputation(w http.ResponseWriter, r *http.Request) error {
	if err := ownSeller(r, fairmark.AccountID(r.PathValue("id"))); err != nil {
		return err
	}
	v, err := s.Service.Reputation(fairmark.AccountID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) getFeedback(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Service.Feedback(fairmark.FeedbackID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if err := ownSeller(r, v.Seller); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func limitParam(r *http.Request) (int, error) {
	q := r.URL.Query().Get("limit")
	if q == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > 1000 {
		return 0, fairmark.Errorf(fairmark.EINVALID, "limit must be a number from 1 to 1000")
	}
	return n, nil
}

func (s *Server) getAlerts(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	seller := fairmark.AccountID(r.PathValue("id"))
	if err := ownSeller(r, seller); err != nil {
		return err
	}
	if _, err := s.Service.Reputation(seller); err != nil {
		return err
	}
	as, err := s.Service.Alerts(r.Context(), seller, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"seller": seller, "alerts": as})
}

func (s *Server) getDecisions(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" {
		switch engine.DecisionKind(kind) {
		case engine.FlagAccount, engine.ClearAccount, engine.HoldFeedback, engine.ReleaseHold, engine.AlertSeller,
			engine.BanAccount, engine.UnbanAccount, engine.RemoveFeedback, engine.RestoreFeedback:
		default:
			return fairmark.Errorf(fairmark.EINVALID, "unknown decision kind %q", kind)
		}
	}
	ds, err := s.Service.Decisions(r.Context(), storeFilter(kind, q.Get("seller"), q.Get("account"), limit))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"decisions": ds})
}
