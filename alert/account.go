package alert

import (
	"fmt"

	"github.com/shipdeck/shipdeck/store"
)

// Account-health rules: a metric over TikTok's line, a metric that will
// cross it if the orders at risk go wrong, written-back orders no carrier
// has scanned near their dispatch deadline, and reconciliation findings.
const (
	RuleMetric    = "account_metric"
	RuleScanWatch = "scan_watch"
	RuleReconcile = "reconcile_findings"
)

// minProjectedOrders is how many counted orders a metric needs before its
// projection may warn: over a handful of orders, one at-risk order swings
// it across any line.
const minProjectedOrders = 10

// accountConditions adds the account-health alerts the engine's latest
// estimate and reconciliation call for, one per metric, so a metric moving
// from "at risk" to "over the line" resolves one alert and fires another.
func accountConditions(snap store.Snapshot, add func(rule, subject, severity, summary string)) {
	for _, m := range snap.Health.Metrics {
		switch {
		case m.Breached():
			add(RuleMetric, string(m.Name), Critical, fmt.Sprintf("%s (%s) is %s, over TikTok's line of %s: %d of %d orders count against it",
				m.Name, m.Title, store.FormatShare(m.Value), store.FormatShare(m.Threshold), m.Bad, m.Total))
		case m.ProjectedBreach() && m.Total >= minProjectedOrders:
			add(RuleMetric, string(m.Name)+"-projected", Warning, fmt.Sprintf("%s (%s) will be %s, over TikTok's line of %s, if the %d orders at risk go wrong (now %s)",
				m.Name, m.Title, store.FormatShare(m.Projected), store.FormatShare(m.Threshold), m.AtRisk, store.FormatShare(m.Value)))
		}
	}
	if n := len(snap.Health.ScanWatch); n > 0 {
		f := snap.Health.ScanWatch[0]
		add(RuleScanWatch, "", Warning, fmt.Sprintf("%d orders written back but not scanned by a carrier near their dispatch deadline; first %s at %s, %.1f h left",
			n, f.ID, f.Carrier, f.HoursLeft))
	}
	if r := snap.Reconcile; len(r.Findings) > 0 {
		add(RuleReconcile, "", Warning, fmt.Sprintf("reconciliation found %d disagreements between TikTok, the 3PLs and the store: run shipdeck reconcile",
			len(r.Findings)))
	}
}
