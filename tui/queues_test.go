package tui

import (
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// TestQueuesShowWhyOrdersWaitAndWhoShips: an operator sees, in the new
// queue, how long an order of TikTok's old flow still waits out the
// buyer-remorse window and why; orders TikTok ships have their own
// "TikTok ships" bucket with the reason; and no key offers an action the
// engine would refuse on them.
func TestQueuesShowWhyOrdersWaitAndWhoShips(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	remorse := store.Order{ID: "ORD-REMORSE-1", Status: store.StatusAwaitingShipment, State: store.StateNew,
		Source: store.SourceTikTok, PaidTime: testNow.Add(-17 * time.Minute), NextAttemptAt: testNow.Add(43 * time.Minute),
		RTSSLATime: testNow.Add(30 * time.Hour), Recipient: store.Address{Name: "Lise Meitner", Lines: []string{"1 Main St"}},
		Reason: "buyer-remorse window until Nov 24 15:47 UTC: the order skipped ON_HOLD"}
	fbt := store.Order{ID: "ORD-FBT-0001", Status: store.StatusAwaitingCollection, State: store.StateTikTokShips,
		Source: store.SourceTikTok, FulfillmentType: store.FulfillmentByTikTok, RTSSLATime: testNow.Add(8 * time.Hour),
		Recipient: store.Address{Name: "Emmy Noether"}, Reason: "TikTok ships it: fulfillment_type FULFILLMENT_BY_TIKTOK"}
	eng.Add(remorse, fbt)
	h := newHarness(t, eng, operator, 160, 40)
	h.press("1") // zoom the queues pane
	h.requireScreen("TikTok ships 1", "new 2")

	h.run(h.m.queues.SelectQueue(string(store.StateNew)))
	h.requireScreen("WAIT", "MESSAGE", "ORD-REMORSE-1", "43m", "buyer-remorse window until Nov 24 15:47 UTC")

	h.run(h.m.queues.SelectQueue(string(store.StateTikTokShips)))
	h.requireScreen("ORD-FBT-0001", "AWAITING_COLLECTION", "TikTok ships it: fulfillment_type FULFILLMENT_BY_TIKTOK")
	h.press("r")
	h.requireScreen("retry: TikTok ships it")
	h.press("h")
	h.requireScreen("hold: TikTok ships it")
	if n := eng.Calls("Retry") + eng.Calls("Hold"); n != 0 {
		t.Fatalf("a disabled action reached the engine %d times", n)
	}
}
