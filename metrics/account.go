package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shipdeck/shipdeck/store"
)

// accountCollector exports the engine's latest account-health estimate and
// reconciliation at scrape time.
type accountCollector struct {
	src                           Source
	rate, orders, scans, findings *prometheus.Desc
}

func newAccountCollector(src Source) *accountCollector {
	return &accountCollector{
		src: src,
		rate: prometheus.NewDesc("shipdeck_account_metric_ratio",
			"TikTok fulfilment metrics as shipdeck estimates them (LDR, VTR, SFCR, OTDR): value, projected (if every order at risk goes wrong) and TikTok's threshold.",
			[]string{"metric", "kind"}, nil),
		orders: prometheus.NewDesc("shipdeck_account_metric_orders",
			"Orders behind each fulfilment metric: bad (counted against it), total (counted), at_risk.", []string{"metric", "kind"}, nil),
		scans: prometheus.NewDesc("shipdeck_scan_watch_orders",
			"Orders written back but not scanned by a carrier near their dispatch deadline.", nil, nil),
		findings: prometheus.NewDesc("shipdeck_reconcile_findings",
			"Findings of the latest reconciliation by kind.", []string{"kind"}, nil),
	}
}

// Describe sends every description.
func (c *accountCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rate, c.orders, c.scans, c.findings} {
		ch <- d
	}
}

// Collect reads the snapshot's estimate; nothing is exported before the
// first one.
func (c *accountCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.src.Snapshot()
	if snap.Health.At.IsZero() {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, m := range snap.Health.Metrics {
		name := string(m.Name)
		gauge(c.rate, m.Value, name, "value")
		gauge(c.rate, m.Projected, name, "projected")
		gauge(c.rate, m.Threshold, name, "threshold")
		gauge(c.orders, float64(m.Bad), name, "bad")
		gauge(c.orders, float64(m.Total), name, "total")
		gauge(c.orders, float64(m.AtRisk), name, "at_risk")
	}
	gauge(c.scans, float64(len(snap.Health.ScanWatch)))
	if !snap.Reconcile.At.IsZero() {
		by := map[store.FindingKind]int{}
		for _, f := range snap.Reconcile.Findings {
			by[f.Kind]++
		}
		for _, k := range []store.FindingKind{store.FindingShippedNotWrittenBack, store.FindingCancelledButLive, store.FindingShippedElsewhere,
			store.FindingAtTwo3PLs, store.FindingHandKeyed, store.FindingTrackingMismatch} {
			gauge(c.findings, float64(by[k]), string(k))
		}
	}
}
