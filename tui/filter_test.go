package tui

import (
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func TestFiltersNarrowTheListAndShowInTheTitle(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string // pressed first
		typed  string   // then typed (into a chooser or the palette)
		title  string
		show   []string
		hidden []string
	}{
		{name: "palette jump to dead", keys: []string{"1", ":"}, typed: "dead",
			title: "Queues · state=dead", show: []string{"ORD-DEAD-0001", "ORD-DEAD-0002"}, hidden: []string{"ORD-FAIL-0001", "ORD-Q-LATE"}},
		{name: "palette jump to held", keys: []string{"1", ":"}, typed: "held",
			title: "Queues · state=held", show: []string{"ORD-HELD-0001"}, hidden: []string{"ORD-Q-LATE"}},
		{name: "palette states", keys: []string{"1", ":"}, typed: "state failed,dead",
			title: "Queues · state=failed,dead", show: []string{"ORD-DEAD-0001", "ORD-FAIL-0003"}, hidden: []string{"ORD-Q-LATE"}},
		{name: "carrier key on the failed pane", keys: []string{"4", "c"}, typed: "flaky",
			title: "Failed pushes · carrier=flakyexpress state=failed,dead", show: []string{"ORD-DEAD-0002", "ORD-FAIL-0001"},
			hidden: []string{"ORD-DEAD-0001"}},
		{name: "state key", keys: []string{"1", "s"}, typed: "held",
			title: "Queues · state=held", show: []string{"ORD-HELD-0001"}, hidden: []string{"ORD-Q-3H"}},
		{name: "palette class on the failed pane", keys: []string{"4", ":"}, typed: "class permanent",
			title: "class=permanent state=failed,dead", show: []string{"ORD-DEAD-0001"}, hidden: []string{"ORD-DEAD-0002", "ORD-FAIL-0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tuitest.Fixture(testNow), operator, 140, 44)
			h.press(tt.keys...)
			h.typeText(tt.typed)
			h.press("enter")
			h.requireScreen(append([]string{tt.title}, tt.show...)...)
			h.rejectScreen(tt.hidden...)
			// esc clears the filter and the title says so.
			h.press("esc")
			h.rejectScreen("Queues · ", "Failed pushes · ")
		})
	}
}

func TestCarrierAndClassFiltersCombineAndRetryAllActsOnTheFilterShown(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 140, 44)
	h.press("1", ":")
	h.typeText("failed")
	h.press("enter")
	h.press(":")
	h.typeText("carrier flakyexpress")
	h.press("enter")
	h.requireScreen("Queues · carrier=flakyexpress state=failed", "ORD-FAIL-0001", "ORD-FAIL-0003")
	h.rejectScreen("ORD-DEAD-0002")
	h.press("R")
	// The confirmation names the filter and the real count.
	h.requireScreen("Retry all 3 orders in this view (carrier=flakyexpress state=failed)?")
	h.press("y")
	for _, id := range []string{"ORD-FAIL-0001", "ORD-FAIL-0002", "ORD-FAIL-0003"} {
		if o, _ := eng.Order(id); o.State != store.StateQueued {
			t.Fatalf("%s is %s after retry all on the filter", id, o.State)
		}
	}
	// The dead orders were outside the filter and stay dead.
	for _, id := range []string{tuitest.DeadID, "ORD-DEAD-0002"} {
		if o, _ := eng.Order(id); o.State != store.StateDead {
			t.Fatalf("%s outside the filter is %s", id, o.State)
		}
	}
}

func TestRetryAllOnAFilterOfUnretryableStatesSaysNothingToRetry(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	h := newHarness(t, eng, operator, 140, 44)
	h.press(":")
	h.typeText("state queued")
	h.press("enter", "R")
	h.requireScreen("nothing in orders in this view (state=queued) can be retried")
	if n := eng.Calls("RetryMatching"); n != 0 {
		t.Fatalf("RetryMatching called %d times", n)
	}
}

func TestPaletteJumpsCompleteWithTabAndOpenAnOrder(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 140, 44)
	h.press(":")
	h.typeText("sta")
	h.press("tab")
	if got := h.m.overlay.View(); !strings.Contains(got, "state ") {
		t.Fatalf("tab did not complete the command word:\n%s", h.screen())
	}
	h.typeText("fa")
	h.press("tab")
	h.requireScreen(":state failed")
	h.typeText(",de")
	h.press("tab", "enter")
	h.requireScreen("Queues · state=failed,dead")

	h.press(":")
	h.typeText("carrier sl")
	h.requireScreen("tab completes: slowpost")
	h.press("tab", "enter")
	h.requireScreen("Queues · carrier=slowpost state=failed,dead", "ORD-DEAD-0001")

	h.press(":")
	h.typeText("order " + tuitest.HeldID)
	h.press("enter")
	h.requireScreen("Order "+tuitest.HeldID, "Hedy Lamarr")
}

func TestUnknownCarrierOrStateIsRefusedWithTheChoices(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 140, 44)
	h.press(":")
	h.typeText("carrier nosuch")
	h.press("enter")
	h.requireScreen(`no carrier "nosuch" (fastship, slowpost, flakyexpress)`)
	h.press(":")
	h.typeText("state lost")
	h.press("enter")
	h.requireScreen(`"lost" is not a state`)
	h.rejectScreen("Queues · ")
}

func TestLiveConsoleFiltersAndJumps(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 140, 44)
	term.WaitFor("Acme Outfitters", "ORD-Q-LATE")
	term.TM.Type("1:dead")
	term.TM.Send(keyPress("enter"))
	term.WaitFor("Queues · state=dead", "ORD-DEAD-0002")
	term.TM.Type("c")
	term.WaitFor("Show carrier")
	term.TM.Type("slow")
	term.TM.Send(keyPress("enter"))
	s := term.WaitFor("Queues · carrier=slowpost state=dead", "ORD-DEAD-0001")
	if strings.Contains(s, "ORD-DEAD-0002") {
		t.Fatalf("the carrier filter kept another carrier's order:\n%s", s)
	}
	term.TM.Send(keyPress("esc"))
	term.WaitFor("ORD-Q-LATE")
	term.Quit()
}

func TestLiveSearchShowsOriginalCaseWithTheMatchHighlighted(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 140, 44)
	term.WaitFor("Acme Outfitters")
	term.TM.Type("/")
	term.WaitFor("Search orders")
	term.TM.Type("lovelace")
	s := term.WaitFor("ORD-DEAD-0001 Ada Lovelace")
	if strings.Contains(s, "ada lovelace") {
		t.Fatalf("search lower-cased the result:\n%s", s)
	}
	matched, plain := cellOf(term.Emu, s, "Lovelace"), cellOf(term.Emu, s, "Ada Lovelace")
	if matched == nil || plain == nil {
		t.Fatalf("cells not found:\n%s", s)
	}
	if matched.Style.Equal(&plain.Style) {
		t.Fatal("the matched letters are drawn like the rest: no highlight")
	}
	term.TM.Send(keyPress("esc"))
	term.Quit()
}
