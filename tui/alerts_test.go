package tui

import (
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// TestHeaderShowsTheAlertStrip: firing alerts show in the header (how
// many, and the most severe first), for viewers too; the strip clears
// when they resolve.
func TestHeaderShowsTheAlertStrip(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	eng.SetAlerts(
		store.Alert{Key: "circuit_open/swift", Rule: "circuit_open", Severity: "critical", Summary: "circuit to swift open for 16m"},
		store.Alert{Key: "order_at_risk/A1", Rule: "order_at_risk", Severity: "warning", Summary: "order A1 is not pushed yet"},
	)
	h := newHarness(t, eng, viewer, 160, 40)
	h.requireScreen("⚠ 2 alerts: circuit to swift open for 16m")
	eng.SetAlerts()
	h.sync()
	h.rejectScreen("alerts:")
}
