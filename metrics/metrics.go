// Package metrics exposes shipdeck's Prometheus series, /healthz and
// /readyz on the optional [metrics] listener, with the official client
// library. Counters and histograms follow the engine's events; gauges are
// read from the store and the engine at scrape time, so a scrape agrees
// with the store.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
)

// Source is what the scrape-time gauges read.
type Source interface {
	// Counts are the order counters (an error means the store is not usable).
	Counts(ctx context.Context) (store.Counts, error)
	// Quota is today's ledger.
	Quota(ctx context.Context) (store.QuotaStatus, error)
	// Snapshot is the engine's latest snapshot (worker state, circuits).
	Snapshot() store.Snapshot
	// Alerts are the firing alerts.
	Alerts(ctx context.Context) ([]store.Alert, error)
	// Sessions is the number of open SSH sessions (0 when not serving).
	Sessions() int
}

// Metrics holds the registry and the event-driven series.
type Metrics struct {
	reg        *prometheus.Registry
	src        Source
	pushes     *prometheus.CounterVec
	pushTime   *prometheus.HistogramVec
	writeBacks *prometheus.CounterVec
	webhooks   *prometheus.CounterVec
	detection  prometheus.Histogram
	polls      *prometheus.CounterVec
	circuits   *prometheus.CounterVec
}

// New registers every series. version labels shipdeck_build_info.
func New(src Source, version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		src: src,
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shipdeck_pushes_total", Help: "Pushes to 3PLs by carrier and outcome (pushed, failed, dead, unknown).",
		}, []string{"carrier", "outcome"}),
		pushTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shipdeck_push_duration_seconds", Help: "Latency of push calls to each 3PL.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"carrier"}),
		writeBacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shipdeck_write_backs_total", Help: "Tracking write-backs to TikTok by outcome (shipped, failed, dead).",
		}, []string{"outcome"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shipdeck_webhooks_total", Help: "TikTok webhook deliveries by outcome (accepted, duplicate, bad_signature, refused).",
		}, []string{"outcome"}),
		detection: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "shipdeck_order_detection_delay_seconds", Help: "Time from an order's creation on TikTok to shipdeck storing it.",
			Buckets: []float64{10, 30, 60, 120, 300, 600, 900, 1800, 3600, 4 * 3600, 24 * 3600},
		}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shipdeck_polls_total", Help: "Incremental TikTok polls by result (ok, failed).",
		}, []string{"result"}),
		circuits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shipdeck_circuit_transitions_total", Help: "Carrier circuit breakers opening and closing.",
		}, []string{"carrier", "state"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "shipdeck_build_info", Help: "Always 1; labels say which shipdeck runs.",
		ConstLabels: prometheus.Labels{"version": version, "schema": store.SchemaVersion()},
	})
	build.Set(1)
	reg.MustRegister(m.pushes, m.pushTime, m.writeBacks, m.webhooks, m.detection, m.polls, m.circuits, build,
		newScrapeCollector(src), newAccountCollector(src),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Observe is the engine observer feeding the event-driven series.
func (m *Metrics) Observe(ev shipsync.Event) {
	switch ev.Kind {
	case shipsync.EventPush:
		m.pushes.WithLabelValues(ev.Carrier, ev.Outcome).Inc()
		m.pushTime.WithLabelValues(ev.Carrier).Observe(ev.Latency.Seconds())
	case shipsync.EventWriteBack:
		m.writeBacks.WithLabelValues(ev.Outcome).Inc()
	case shipsync.EventDetected:
		m.detection.Observe(ev.Delay.Seconds())
	case shipsync.EventPoll:
		result := "ok"
		if ev.Err != nil {
			result = "failed"
		}
		m.polls.WithLabelValues(result).Inc()
	case shipsync.EventCircuit:
		m.circuits.WithLabelValues(ev.Carrier, string(ev.Circuit)).Inc()
	}
}

// Webhook outcomes.
const (
	WebhookAccepted     = "accepted"
	WebhookDuplicate    = "duplicate"
	WebhookBadSignature = "bad_signature"
	WebhookRefused      = "refused"
)

// Webhook counts one webhook delivery by outcome.
func (m *Metrics) Webhook(outcome string) {
	if m != nil {
		m.webhooks.WithLabelValues(outcome).Inc()
	}
}

// Readiness is the /readyz body.
type Readiness struct {
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
	Worker string `json:"worker,omitempty"`
}

// Ready says whether shipdeck can do its work: the store answers and the
// worker is neither degraded (whatever the cause: a failing poll, a full
// disk) nor stopped.
func (m *Metrics) Ready(ctx context.Context) Readiness {
	if _, err := m.src.Counts(ctx); err != nil {
		return Readiness{Reason: "store not readable: " + err.Error()}
	}
	w := m.src.Snapshot().Worker
	r := Readiness{Ready: true, Worker: string(w.State)}
	switch w.State {
	case store.WorkerDegraded:
		r.Ready, r.Reason = false, "worker degraded: "+w.Reason
	case store.WorkerStopped:
		r.Ready, r.Reason = false, "worker stopped"
	}
	return r
}

// Handler serves /metrics, /healthz and /readyz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		rd := m.Ready(ctx)
		w.Header().Set("Content-Type", "application/json")
		if !rd.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(rd)
	})
	return mux
}

// Serve listens on addr until ctx ends. ready, if not nil, receives the
// bound address once listening.
func (m *Metrics) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if ready != nil {
		ready(l.Addr())
	}
	err = srv.Serve(l)
	<-done
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics listener %s: %w", addr, err)
	}
	return nil
}
