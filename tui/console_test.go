package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func TestPanesShowTheEnginesFigures(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
	h.requireScreen(
		// Header.
		"Acme Outfitters", "DEMO", "sleeping", "next poll 42s", "15:04:05",
		// Queues: counts per state and per marketplace status, ON_HOLD its own bucket.
		"queued 6", "failed 3", "dead 2", "held 1", "pushing 1", "ON_HOLD 1", "IN_TRANSIT 2",
		// The queued list sorted by ship-by, with urgency countdowns.
		"ORD-Q-LATE", "late 35m", "ORD-Q-3H", "3h00m", "ORD-Q-20H", "20h00m",
		// Quota.
		"312/500", "left 188", "reserve 40", "poll 201", "detail 77", "resets in 5h12m",
		"runs out ~18:14", "rate-limited 3× today", "last 12m ago",
		// Carriers.
		"fastship", "120ms", "slowpost", "half-open", "flakyexpress", "31.0%", "open",
		// Failed pushes.
		"dead 2 · failed 3", "ORD-DEAD-0001", "ORD-FAIL-0003",
	)
	// The late order comes first: the list is sorted by ship-by.
	s := h.screen()
	if strings.Index(s, "ORD-Q-LATE") > strings.Index(s, "ORD-Q-3H") {
		t.Fatalf("queue not sorted by ship-by:\n%s", s)
	}
}

func TestRetryMovesADeadPushBackToQueuedWithAnAuditEntry(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4") // zoom the failed pane; the dead push is first
	h.requireScreen("ORD-DEAD-0001")
	h.press("r")
	o, _ := eng.Order(tuitest.DeadID)
	if o.State != store.StateQueued {
		t.Fatalf("state after retry = %s, want queued", o.State)
	}
	audit := eng.AuditFor(tuitest.DeadID)
	if len(audit) != 1 || audit[0].Action != "retry" || audit[0].Before != "dead" || audit[0].After != "queued" ||
		audit[0].Who != "olga" {
		t.Fatalf("audit = %+v", audit)
	}
	h.requireScreen("retried ORD-DEAD-0001")
	h.sync()
	h.requireScreen("dead 1 · failed 3")
	h.rejectScreen("slowpost") // the dead order's row is gone from the failed pane
}

func TestRerouteSendsTheOrderToThePickedCarrier(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", "e")
	h.requireScreen("Re-route ORD-DEAD-0001", "fastship", "slowpost", "(current)", "half-open")
	h.typeText("fst")
	h.press("enter")
	o, _ := eng.Order(tuitest.DeadID)
	if o.Carrier() != "fastship" || o.State != store.StateQueued || o.Push.Generation != 2 {
		t.Fatalf("after re-route: carrier %s state %s push %+v", o.Carrier(), o.State, o.Push)
	}
	if a := eng.AuditFor(tuitest.DeadID); len(a) != 1 || a[0].Action != "reroute" || a[0].Detail != "to fastship" {
		t.Fatalf("audit = %+v", a)
	}
	h.requireScreen("re-routed ORD-DEAD-0001 to fastship")
}

func TestSearchFindsAnOrderByAFuzzyPatternAndOpensItsDetail(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("/")
	h.typeText("adalvlc")
	h.requireScreen("Search orders", "ORD-DEAD-0001 Ada Lovelace")
	h.press("enter")
	// The detail shows every deadline and the full address, which no pane
	// shows.
	h.requireScreen("Order ORD-DEAD-0001", "422 from slowpost", "ship by", "shipping due", "delivery",
		"742 Evergreen Terrace", "Apt 2", "Springfield, OR, 97403, US", "SKU-LAMP-99", "address line 1 rejected")
	h.press("esc")
	h.rejectScreen("742 Evergreen Terrace")
}

func TestDetailActionsApplyToTheShownOrder(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", "enter")
	h.requireScreen("Order ORD-DEAD-0001")
	h.press("r")
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateQueued {
		t.Fatalf("state = %s", o.State)
	}
	// The detail reloads and shows the new state and the audit entry.
	h.requireScreen("queued", "olga (operator)", "dead → queued")
}

func TestATinyTerminalSaysSoAndStillShowsTheCounts(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 40, 10)
	h.requireScreen("terminal too small", "dead 2 · failed 3 · queued 6")
	h.send(sizeMsg(30, 3))
	h.requireScreen("dead 2 · failed 3")
}

func TestViewerSeesWhyAnActionIsDisabledAndNothingChanges(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, viewer, 120, 40)
	h.press("4", "r")
	h.requireScreen("retry: viewer role: read-only")
	for _, k := range []string{"R", "e", "h", "x", "p"} {
		h.press(k)
	}
	for _, call := range []string{"Retry", "RetryMatching", "CountMatching", "Reroute", "Hold", "Release", "Resolve", "SetPaused"} {
		if n := eng.Calls(call); n != 0 {
			t.Errorf("viewer caused %d %s calls", n, call)
		}
	}
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateDead {
		t.Fatalf("state = %s", o.State)
	}
	h.rejectScreen("Re-route", "Retry all")
	// The help lists the actions with the reason.
	h.press("?")
	h.requireScreen("retry the selected push", "(viewer role: read-only)")
}

func TestRetryAllConfirmsWithTheRealTotalAndOnlyYConfirms(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", "R")
	h.requireScreen("Retry all 5 failed and dead orders?", "enter does not confirm")
	h.press("enter")
	h.rejectScreen("Retry all 5")
	h.requireScreen("cancelled")
	if n := eng.Calls("RetryMatching"); n != 0 {
		t.Fatalf("enter confirmed: %d RetryMatching calls", n)
	}
	h.press("R")
	h.requireScreen("Retry all 5 failed and dead orders?")
	h.press("y")
	if n := eng.Calls("RetryMatching"); n != 1 {
		t.Fatalf("y did not confirm: %d RetryMatching calls", n)
	}
	h.requireScreen("retried 5 orders")
	h.sync()
	h.requireScreen("dead 0 · failed 0")
}

func TestMarkedOrdersSurviveARefreshAndRetryTogether(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", "space", "space") // marks the first two rows, moving down
	h.requireScreen("2 marked")
	h.sync()
	h.press("ctrl+l")
	h.requireScreen("2 marked")
	h.press("r")
	h.requireScreen("Retry 2 marked orders?")
	h.press("y")
	for _, id := range []string{tuitest.DeadID, tuitest.FailedID} {
		if o, _ := eng.Order(id); o.State != store.StateQueued {
			t.Fatalf("%s state = %s", id, o.State)
		}
	}
	h.requireScreen("retried 2 of 2 orders")
	h.rejectScreen("marked")
}

func TestHoldReleaseAndResolve(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", "h")
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateHeld {
		t.Fatalf("after h: %s", o.State)
	}
	// Find it in the held queue and release it with the same key.
	h.sync()
	h.press("1")
	h.press("right", "right") // queued → pushing → pushed ... until held
	for i := 0; i < 20 && h.m.queues.SelectedQueue() != "held"; i++ {
		h.press("right")
	}
	h.requireScreen(tuitest.DeadID)
	h.press("h")
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateDead {
		t.Fatalf("after release: %s", o.State)
	}
	// Resolve asks for a reason; an empty one is refused.
	h.press("4")
	h.sync()
	h.press("x")
	h.requireScreen("Resolve ORD-DEAD-0001")
	h.press("enter")
	h.requireScreen("a reason is required")
	h.typeText("shipped by hand")
	h.press("enter")
	o, _ := eng.Order(tuitest.DeadID)
	if o.State != store.StateShipped || !strings.Contains(o.Reason, "shipped by hand") {
		t.Fatalf("after resolve: %s %q", o.State, o.Reason)
	}
}

func TestDisabledReasonsFollowTheOrdersState(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("1")
	h.m.queues.SelectQueue("pushing")
	h.run(h.m.queues.Refresh())
	h.requireScreen(tuitest.PushingID)
	h.press("r")
	h.requireScreen("retry: it is in flight to")
	h.press("e")
	h.requireScreen("re-route: it is in flight to")
	if eng.Calls("Retry")+eng.Calls("Reroute") != 0 {
		t.Fatal("a disabled action reached the engine")
	}
}

func TestPauseTogglesTheWorker(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("p")
	h.sync()
	h.requireScreen("worker paused", "paused by olga")
	h.press("p")
	h.sync()
	h.requireScreen("worker resumed", "sleeping")
}

func TestPaletteRunsActionsIncludingExport(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press(":")
	h.requireScreen("Commands", "retry", "reroute", "export", "quit")
	h.typeText("exp")
	if got := h.m.overlay.(interface{ Shown() []string }).Shown(); len(got) == 0 || got[0] != "export" {
		t.Fatalf("palette shows %v for exp", got)
	}
	h.typeText("ort failed")
	h.press("enter")
	s := h.screen()
	i := strings.Index(s, "exported 5 failed orders to ")
	if i < 0 {
		t.Fatalf("no export toast:\n%s", s)
	}
	files, _ := filepath.Glob(filepath.Join(h.m.exportDir, "shipdeck-failed-*.csv"))
	if len(files) != 1 {
		t.Fatalf("export files: %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), tuitest.DeadID) {
		t.Fatalf("export lacks the dead order:\n%s", b)
	}
	// A palette action goes through the same checks as its key.
	h.press(":")
	h.typeText("release")
	h.press("enter")
	h.requireScreen("release: it is not held")
}

func TestEscapeSequencesInABuyerNameRenderAsHarmlessText(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	raw := h.m.View().Content
	h.requireScreen("Evil Buyer")
	for _, bad := range []string{"\x1b]", "pwned", "\a", "\x1b[31mEvil"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("frame carries %q from the buyer name", bad)
		}
	}
	h.press("/")
	h.typeText("evil")
	h.press("enter")
	h.requireScreen("Order ORD-EVIL-0001", "Evil Buyer")
	raw = h.m.View().Content
	for _, bad := range []string{"\x1b]", "pwned", "\a"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("detail carries %q from the buyer name", bad)
		}
	}
}

func TestRemappedKeysDriveActions(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	m, err := New(eng, Options{Actor: operator, KeyMap: map[string][]string{"retry": {"t"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if b, ok := m.keys.Lookup("t"); !ok || b.Name != "retry" {
		t.Fatalf("t → %+v", b)
	}
	if _, ok := m.keys.Lookup("r"); ok {
		t.Fatal("r still bound after remap")
	}
	_, err = New(eng, Options{KeyMap: map[string][]string{"retry": {"q"}, "nosuch": {"z"}}})
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) || !strings.Contains(err.Error(), `"q"`) {
		t.Fatalf("bad remap error: %v", err)
	}
}

func TestPaletteRerouteWithACarrierSkipsThePicker(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 120, 40)
	h.press("4", ":")
	h.typeText("reroute fastship")
	h.press("enter")
	if o, _ := eng.Order(tuitest.DeadID); o.Carrier() != "fastship" {
		t.Fatalf("carrier = %s", o.Carrier())
	}
	h.press(":")
	h.typeText("reroute nosuch")
	h.press("enter")
	h.requireScreen(`reroute failed: re-route order ORD-FAIL-0001: refused: no carrier named "nosuch"`)
}
