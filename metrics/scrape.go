package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shipdeck/shipdeck/store"
)

// scrapeCollector reads the gauges from the store and the engine at
// scrape time.
type scrapeCollector struct {
	src                                                                 Source
	orders, byStatus, circuit, quota, rateLim, sessions, alerts, worker *prometheus.Desc
}

func newScrapeCollector(src Source) *scrapeCollector {
	return &scrapeCollector{
		src:      src,
		orders:   prometheus.NewDesc("shipdeck_orders", "Orders by local fulfillment state.", []string{"state"}, nil),
		byStatus: prometheus.NewDesc("shipdeck_orders_by_status", "Orders by TikTok order status.", []string{"status"}, nil),
		circuit:  prometheus.NewDesc("shipdeck_circuit_state", "Carrier circuit breaker state: 1 for the current state.", []string{"carrier", "state"}, nil),
		quota:    prometheus.NewDesc("shipdeck_quota_calls", "Today's TikTok API quota in calls, by kind (used, remaining, reserve, limit).", []string{"kind"}, nil),
		rateLim:  prometheus.NewDesc("shipdeck_quota_rate_limited", "Rate-limit replies from TikTok today.", nil, nil),
		sessions: prometheus.NewDesc("shipdeck_ssh_sessions", "Open SSH sessions.", nil, nil),
		alerts:   prometheus.NewDesc("shipdeck_alerts_firing", "Firing alerts by rule.", []string{"rule"}, nil),
		worker:   prometheus.NewDesc("shipdeck_worker_state", "Sync worker state: 1 for the current state.", []string{"state"}, nil),
	}
}

// Describe sends every description.
func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.orders, c.byStatus, c.circuit, c.quota, c.rateLim, c.sessions, c.alerts, c.worker} {
		ch <- d
	}
}

// Collect reads the current figures.
func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if counts, err := c.src.Counts(ctx); err == nil {
		for _, s := range store.States() {
			gauge(c.orders, float64(counts.ByState[s]), string(s))
		}
		for _, s := range store.MarketStatuses() {
			gauge(c.byStatus, float64(counts.ByStatus[s]), string(s))
		}
	}
	snap := c.src.Snapshot()
	for _, cs := range snap.Carriers {
		for _, st := range []store.CircuitState{store.CircuitClosed, store.CircuitOpen, store.CircuitHalfOpen} {
			v := 0.0
			if cs.Circuit == st || (cs.Circuit == "" && st == store.CircuitClosed) {
				v = 1
			}
			gauge(c.circuit, v, cs.Name, string(st))
		}
	}
	for _, st := range []store.WorkerState{store.WorkerPolling, store.WorkerSleeping, store.WorkerPaused, store.WorkerDegraded, store.WorkerStopped} {
		v := 0.0
		if snap.Worker.State == st {
			v = 1
		}
		gauge(c.worker, v, string(st))
	}
	if q, err := c.src.Quota(ctx); err == nil {
		gauge(c.quota, float64(q.Used), "used")
		gauge(c.quota, float64(q.Remaining), "remaining")
		gauge(c.quota, float64(q.Reserve), "reserve")
		gauge(c.quota, float64(q.Limit), "limit")
		gauge(c.rateLim, float64(q.RateLimited))
	}
	gauge(c.sessions, float64(c.src.Sessions()))
	if alerts, err := c.src.Alerts(ctx); err == nil {
		byRule := map[string]int{}
		for _, a := range alerts {
			byRule[a.Rule]++
		}
		for rule, n := range byRule {
			gauge(c.alerts, float64(n), rule)
		}
	}
}
