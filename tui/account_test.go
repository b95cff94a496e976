package tui

import (
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// H opens the account-health view; it follows the engine's snapshots while
// open, and esc closes it.
func TestAccountHealthViewFollowsTheEngine(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, viewer, 140, 44)
	h.press("H")
	h.requireScreen("Account health", "estimating account health")
	eng.SetAccount(store.AccountHealth{At: testNow, Metrics: []store.Metric{
		{Name: store.MetricLDR, Title: "Late dispatch rate", Bad: 6, Total: 100, Value: 0.06, Threshold: 0.04, Projected: 0.06},
	}, ScanWatch: []store.ScanFlag{{ID: "ORD-SCAN-1", Carrier: "slowpost", HoursLeft: 5}}},
		store.ReconcileReport{At: testNow, Checked: 12, Findings: []store.Finding{{Kind: store.FindingAtTwo3PLs}}})
	eng.Publish()
	h.sync()
	h.requireScreen("LDR 6.0% ≤4.0%", "over the line", "scan watch: 1 written back", "ORD-SCAN-1 at slowpost 5.0 h left",
		"reconciliation: 1 findings", "1 at two 3PLs")
	h.press("esc")
	h.rejectScreen("Account health")
}
