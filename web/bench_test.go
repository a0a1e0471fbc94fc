package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
)

// BenchmarkPostEvents posts 1,000-event NDJSON bodies of a simulated
// marketplace, in time order, to a server on an embedded store, and reports
// events/s and the 99th-percentile request latency.
func BenchmarkPostEvents(b *testing.B) {
	ctx := context.Background()
	evs, _, err := sim.Events(sim.Config{Seed: 3, Sellers: 500, Buyers: 20000, Days: 20, Complainers: 50})
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	var buf bytes.Buffer
	for i, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(raw)
		buf.WriteByte('\n')
		if (i+1)%1000 == 0 || i == len(evs)-1 {
			bodies = append(bodies, bytes.Clone(buf.Bytes()))
			buf.Reset()
		}
	}
	b.ResetTimer()
	var lat []time.Duration
	posted := 0
	for b.Loop() {
		b.StopTimer()
		db, err := store.OpenSQLite(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		signer, _ := evidence.LoadOrCreateKey(b.TempDir(), "bench/log")
		log, _ := evidence.Open(ctx, db.Evidence(), signer)
		svc, err := service.Open(ctx, service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(web.New(svc, "k", nil))
		b.StartTimer()
		for _, body := range bodies {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/events", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer k")
			req.Header.Set("Content-Type", "application/x-ndjson")
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			lat = append(lat, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Fatal(fmt.Sprint("status ", resp.StatusCode))
			}
		}
		posted += len(evs)
		b.StopTimer()
		srv.Close()
		db.Close()
		b.StartTimer()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(posted)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
}
