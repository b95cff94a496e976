package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
)

// source is a fixed Source: what the store and engine would report.
type source struct {
	countsErr error
	worker    store.WorkerStatus
	health    store.AccountHealth
	reconcile store.ReconcileReport
}

func (s source) Counts(context.Context) (store.Counts, error) {
	return store.Counts{ByState: map[store.State]int64{store.StateDead: 2}, Total: 2}, s.countsErr
}
func (s source) Quota(context.Context) (store.QuotaStatus, error) {
	return store.QuotaStatus{Limit: 500, Used: 12, Remaining: 488, Reserve: 100}, nil
}
func (s source) Snapshot() store.Snapshot {
	return store.Snapshot{Worker: s.worker, Carriers: []store.CarrierStats{{Name: "swift", Circuit: store.CircuitOpen}},
		Health: s.health, Reconcile: s.reconcile}
}
func (s source) Alerts(context.Context) ([]store.Alert, error) {
	return []store.Alert{{Key: "push_dead/A", Rule: "push_dead"}, {Key: "push_dead/B", Rule: "push_dead"}}, nil
}
func (s source) Sessions() int { return 3 }

// /readyz follows the worker's degraded state whatever degraded it.
func TestReadyzReflectsTheWorker(t *testing.T) {
	cases := []struct {
		name       string
		src        source
		wantStatus int
		wantReason string
	}{
		{"sleeping", source{worker: store.WorkerStatus{State: store.WorkerSleeping}}, 200, ""},
		{"paused by an operator", source{worker: store.WorkerStatus{State: store.WorkerPaused, Reason: "paused by ana"}}, 200, ""},
		{"degraded by a full disk", source{worker: store.WorkerStatus{State: store.WorkerDegraded, Reason: "disk almost full: 3 MB free on /data"}},
			503, "worker degraded: disk almost full: 3 MB free on /data"},
		{"degraded by failing polls", source{worker: store.WorkerStatus{State: store.WorkerDegraded, Reason: "tiktok orders.search: 500"}},
			503, "worker degraded: tiktok orders.search: 500"},
		{"stopped", source{worker: store.WorkerStatus{State: store.WorkerStopped}}, 503, "worker stopped"},
		{"store closed", source{countsErr: errors.New("store is closed"), worker: store.WorkerStatus{State: store.WorkerSleeping}},
			503, "store not readable: store is closed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(New(tc.src, "test").Handler())
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var rd Readiness
			if err := json.NewDecoder(resp.Body).Decode(&rd); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || rd.Reason != tc.wantReason || rd.Ready != (tc.wantStatus == 200) {
				t.Fatalf("HTTP %d %+v, want %d with reason %q", resp.StatusCode, rd, tc.wantStatus, tc.wantReason)
			}
		})
	}
}

func TestEventsAndScrapeSeries(t *testing.T) {
	m := New(source{worker: store.WorkerStatus{State: store.WorkerSleeping}}, "v1.2.3")
	for _, ev := range []shipsync.Event{
		{Kind: shipsync.EventPush, Carrier: "swift", Outcome: "pushed", Latency: 120 * time.Millisecond},
		{Kind: shipsync.EventPush, Carrier: "swift", Outcome: "dead", Latency: 80 * time.Millisecond},
		{Kind: shipsync.EventWriteBack, Outcome: "shipped"},
		{Kind: shipsync.EventDetected, Delay: 90 * time.Second},
		{Kind: shipsync.EventCircuit, Carrier: "swift", Circuit: store.CircuitOpen},
	} {
		m.Observe(ev)
	}
	m.Webhook(WebhookBadSignature)
	get := scrape(t, m)
	checks := []struct {
		got  float64
		want float64
		what string
	}{
		{get("shipdeck_pushes_total", "carrier", "swift", "outcome", "dead"), 1, "dead pushes"},
		{get("shipdeck_push_duration_seconds", "carrier", "swift"), 2, "push latency samples"},
		{get("shipdeck_write_backs_total", "outcome", "shipped"), 1, "write-backs"},
		{get("shipdeck_order_detection_delay_seconds"), 1, "detection samples"},
		{get("shipdeck_webhooks_total", "outcome", "bad_signature"), 1, "bad signatures"},
		{get("shipdeck_orders", "state", "dead"), 2, "dead orders"},
		{get("shipdeck_circuit_state", "carrier", "swift", "state", "open"), 1, "swift open"},
		{get("shipdeck_quota_calls", "kind", "remaining"), 488, "quota remaining"},
		{get("shipdeck_ssh_sessions"), 3, "sessions"},
		{get("shipdeck_alerts_firing", "rule", "push_dead"), 2, "dead alerts"},
		{get("shipdeck_build_info", "version", "v1.2.3"), 1, "build info"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

// scrape fetches /metrics over HTTP, parses it with Prometheus's text
// parser and returns a reader of one sample by name and label pairs.
func scrape(t *testing.T, m *Metrics) func(name string, labels ...string) float64 {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("metrics served as %q, want Prometheus text", ct)
	}
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string, labels ...string) float64 {
		t.Helper()
		f := fams[name]
		if f == nil {
			t.Fatalf("series %s missing", name)
		}
	next:
		for _, mm := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range mm.GetLabel() {
					found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
				}
				if !found {
					continue next
				}
			}
			switch {
			case mm.Counter != nil:
				return mm.GetCounter().GetValue()
			case mm.Gauge != nil:
				return mm.GetGauge().GetValue()
			case mm.Histogram != nil:
				return float64(mm.GetHistogram().GetSampleCount())
			}
		}
		t.Fatalf("no %s sample with %v", name, labels)
		return 0
	}
	_ = resp.Body.Close()
	return get
}

// The account-health estimate and the reconciliation are exported as
// gauges once the engine has made them.
func TestAccountHealthSeries(t *testing.T) {
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	m := New(source{worker: store.WorkerStatus{State: store.WorkerSleeping},
		health: store.AccountHealth{At: at, Metrics: []store.Metric{
			{Name: store.MetricLDR, Bad: 5, Total: 100, Value: 0.05, Threshold: 0.04, AtRisk: 2, Projected: 7.0 / 102},
			{Name: store.MetricVTR, Total: 80, Value: 1, Threshold: 0.95, HigherIsBetter: true, Projected: 1},
		}, ScanWatch: []store.ScanFlag{{ID: "57001"}, {ID: "57002"}}},
		reconcile: store.ReconcileReport{At: at, Findings: []store.Finding{{Kind: store.FindingHandKeyed}, {Kind: store.FindingHandKeyed}}},
	}, "test")
	get := scrape(t, m)
	for _, c := range []struct {
		got, want float64
		what      string
	}{
		{get("shipdeck_account_metric_ratio", "metric", "LDR", "kind", "value"), 0.05, "LDR"},
		{get("shipdeck_account_metric_ratio", "metric", "LDR", "kind", "threshold"), 0.04, "LDR line"},
		{get("shipdeck_account_metric_ratio", "metric", "LDR", "kind", "projected"), 7.0 / 102, "LDR projected"},
		{get("shipdeck_account_metric_orders", "metric", "LDR", "kind", "at_risk"), 2, "LDR at risk"},
		{get("shipdeck_account_metric_orders", "metric", "VTR", "kind", "total"), 80, "VTR total"},
		{get("shipdeck_scan_watch_orders"), 2, "scan watch"},
		{get("shipdeck_reconcile_findings", "kind", "hand_keyed"), 2, "hand-keyed findings"},
		{get("shipdeck_reconcile_findings", "kind", "tracking_mismatch"), 0, "no mismatch"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}
