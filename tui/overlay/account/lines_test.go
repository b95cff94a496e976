package account

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/common"
)

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestPaneShowsWhatNeedsTheOperator(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := &common.Common{Theme: theme.New(theme.Options{NoColor: true}), Now: func() time.Time { return now }}
	v := View{
		Health: store.AccountHealth{At: now, Metrics: []store.Metric{
			{Name: store.MetricLDR, Bad: 5, Total: 100, Value: 0.05, Threshold: 0.04, AtRisk: 2, Projected: 7.0 / 102,
				Orders: []store.MetricOrder{{ID: "57\x1b]52;c;aGk=\x07001", Reason: "tracking written back but no carrier scan by the dispatch deadline"}}},
			{Name: store.MetricVTR, Bad: 0, Total: 80, Value: 1, Threshold: 0.95, HigherIsBetter: true, Projected: 1},
			{Name: store.MetricSFCR, Bad: 1, Total: 100, Value: 0.01, Threshold: 0.025, AtRisk: 2, Projected: 3.0 / 102},
			{Name: store.MetricOTDR, HigherIsBetter: true, Threshold: 0.8, Value: 1, Projected: 1},
		}, ScanWatch: []store.ScanFlag{{ID: "57002", Carrier: "swift", HoursLeft: 3.5}}},
		Reconcile: store.ReconcileReport{At: now.Add(-time.Hour), Checked: 40, Findings: []store.Finding{
			{Kind: store.FindingHandKeyed}, {Kind: store.FindingHandKeyed}, {Kind: store.FindingTrackingMismatch},
		}},
		Costs: store.CostReport{Since: now.Add(-30 * 24 * time.Hour), Orders: 12, Priced: 10, ThreePLCents: 7350, FBTCents: 5010, DiffCents: -2340,
			FBT:    store.FBTRateCard{Effective: time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC), SingleUnitCents: 358, MultiUnitCents: 286},
			PerSKU: []store.SKUCost{{SKU: "BOOK-1", Units: 8, ThreePLCents: 4800, FBTCents: 2864}}},
	}
	text := ansi.ReplaceAllString(strings.Join(Lines(c, v, 100), "\n"), "")
	for _, want := range []string{
		"LDR 5.0% ≤4.0%", "5/100", "2 at risk → 6.9%", "over the line", // counted over TikTok's line
		"SFCR 1.0% ≤2.5%", // its status is checked on its own line below
		"VTR 100.0% ≥95.0%", "OTDR", "no orders yet",
		"LDR orders:", "no carrier scan by the dispatch deadline",
		"scan watch: 1 written back, no carrier scan", "57002 at swift 3.5 h left",
		"reconciliation: 3 findings", "2 keyed by hand", "1 tracking differs",
		"costs, 30 days", "3PLs $73.50", "FBT $50.10", "FBT would save $23.40", "10 of 12 orders priced", "BOOK-1 $48.00/$28.64",
		"FBT rate card of 2025-01-16: $3.58 a unit alone, $2.86",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pane lacks %q:\n%s", want, text)
		}
	}
	sfcr := ""
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "SFCR") {
			sfcr = l
		}
	}
	if !strings.HasSuffix(sfcr, "at risk") {
		t.Errorf("SFCR's projection crosses its line, but its status is not at risk: %q", sfcr)
	}
	if strings.Contains(text, "\x1b]52") || strings.Contains(text, "\x07") {
		t.Errorf("an escape sequence from an order id reached the pane: %q", text)
	}
}
