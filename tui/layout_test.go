package tui

import (
	"image/color"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func TestNarrowTerminalsStackThePanesBehindTabs(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 80, 24)
	h.requireScreen("1 Queues", "2 API quota", "3 Carriers", "4 Failed pushes", "ORD-Q-LATE")
	h.rejectScreen("312/500") // only one pane is visible
	h.press("tab")
	h.requireScreen("312/500")
	h.press("tab", "tab")
	h.requireScreen("ORD-DEAD-0001")
	h.press("shift+tab", "shift+tab", "shift+tab")
	h.requireScreen("ORD-Q-LATE")
	h.press("3")
	h.requireScreen("flakyexpress")
	// Widening brings the grid back with every pane.
	h.send(sizeMsg(130, 40))
	h.requireScreen("ORD-Q-LATE", "312/500", "flakyexpress", "ORD-DEAD-0001")
}

func TestZoomTogglesAndEscUnzooms(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
	h.press("2")
	h.rejectScreen("ORD-Q-LATE")
	h.requireScreen("312/500")
	h.press("2")
	h.requireScreen("ORD-Q-LATE", "312/500")
	h.press("3", "esc")
	h.requireScreen("ORD-Q-LATE", "312/500")
}

func TestTheThemeFollowsTheTerminalBackground(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
	if !h.m.c.Theme.Options().Dark {
		t.Fatal("the default theme is not dark")
	}
	dark := h.m.View().Content
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.c.Theme.Options().Dark {
		t.Fatal("a white background left the theme dark")
	}
	if h.m.View().Content == dark {
		t.Fatal("the frame did not change with the theme")
	}
	h.requireScreen("ORD-Q-LATE", "312/500")
}

func TestQueueSwitchingShowsEveryBucket(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	seen := map[string]bool{}
	for range 30 {
		seen[h.m.queues.SelectedQueue()] = true
		h.press("]")
	}
	for _, q := range []string{"queued", "failed", "dead", "held", "ON_HOLD", "AWAITING_SHIPMENT"} {
		if !seen[q] {
			t.Errorf("never selected %s", q)
		}
	}
	for h.m.queues.SelectedQueue() != "ON_HOLD" {
		h.press("[")
	}
	h.press("1") // zoomed, the list has room for the state column
	h.requireScreen(tuitest.OnHoldID, "STATE", "new", "40h00m")
}
