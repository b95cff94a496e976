package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func storeActivity(text string) store.Activity {
	return store.Activity{At: testNow, Kind: store.ActivityPoll, Text: text}
}

func TestCarrierDrillDownShowsItsOrdersCallsAndCircuitHistory(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 140, 44)
	h.press("3", "j") // zoom the carriers pane, select slowpost
	h.requireScreen("slowpost")
	h.press("enter")
	h.requireScreen("Carrier slowpost", "circuit half-open",
		// Recent calls with latency and the 3PL's errors, newest first.
		"ORD-DEAD-0001", "800ms", "failed address line 1 rejected", "10s", "failed upstream timeout",
		"no circuit changes recorded")
	s := h.screen()
	if strings.Index(s, "address line 1 rejected") > strings.Index(s, "upstream timeout") {
		t.Fatalf("calls not newest first:\n%s", s)
	}
	// esc leaves the carrier's orders: the queues list, filtered.
	h.press("esc")
	h.requireScreen("Queues · carrier=slowpost state=", "ORD-DEAD-0001")
	h.rejectScreen("ORD-Q-LATE", "ORD-FAIL-0001")
	h.press("esc")
	h.rejectScreen("Queues · ")

	// The circuit history of a carrier whose circuit opened.
	h.press("3", "3", "j", "j", "enter")
	h.requireScreen("Carrier flakyexpress", "circuit closed → open", "2026-11-24 14:24:05 UTC")
}

func TestEnterOnACarrierNeedsACarrier(t *testing.T) {
	eng := tuitest.New(func() time.Time { return testNow })
	h := newHarness(t, eng, operator, 140, 44)
	h.press("3", "enter")
	h.requireScreen("detail: nothing selected")
}

func TestActivityLogStreamsNewestFirstAndFilters(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 140, 44)
	h.press("4", "r") // retry the dead order: an operator action
	h.press("a")
	h.requireScreen("Activity", "operator", "olga", "retry: dead → queued",
		"push dead (permanent)", "circuit closed → open", "poll: 14 orders seen")
	s := h.screen()
	if strings.Index(s, "retry: dead → queued") > strings.Index(s, "circuit closed → open") {
		t.Fatalf("activity not newest first:\n%s", s)
	}
	// A new entry arrives with the next snapshot while the newest are shown.
	eng.AddActivity(storeActivity("poll: 2 orders seen, 2 new or changed"))
	h.sync()
	h.requireScreen("poll: 2 orders seen")
	// "/" filters by text.
	h.press("/")
	h.typeText("flaky")
	h.press("enter")
	h.requireScreen("filter: flaky", "circuit closed → open")
	h.rejectScreen("retry: dead → queued", "poll: 14 orders seen")
	h.press("esc")
	h.rejectScreen("Activity")
}

func TestLiveActivityView(t *testing.T) {
	term := startTerminal(t, tuitest.Fixture(testNow), operator, 140, 44)
	term.WaitFor("Acme Outfitters")
	term.TM.Type("a")
	term.WaitFor("Activity", "circuit closed → open", "flakyexpress")
	term.TM.Send(keyPress("esc"))
	term.Quit()
}
