package tuitest

import (
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Fixture IDs and names the tests refer to.
const (
	DeadID    = "ORD-DEAD-0001"
	FailedID  = "ORD-FAIL-0001"
	HeldID    = "ORD-HELD-0001"
	PushingID = "ORD-PUSH-0001"
	OnHoldID  = "ORD-ONHOLD-01"
	EvilID    = "ORD-EVIL-0001"
	// EvilBuyer holds a window-title change, a colour change and a bell.
	EvilBuyer = "\x1b]0;pwned\x07\x1b[31mEvil\x1b[0m Buyer\a"
)

// Fixture returns an engine with a small, varied shop: queued orders with
// deadlines past, under 4 h, under 24 h and later; failed and dead pushes;
// a held order, one in flight, one on hold at TikTok, and one whose buyer
// name carries escape sequences. Counts: queued 6, failed 3, dead 2, held
// 1, pushing 1, new 1 (ON_HOLD), shipped 2.
func Fixture(now time.Time) *Engine {
	e := New(func() time.Time { return now })
	e.SetShop("Acme Outfitters", true)
	e.SetWorker(store.WorkerStatus{State: store.WorkerSleeping, NextPoll: now.Add(42 * time.Second)})
	e.SetCarriers(
		store.CarrierStats{Name: "fastship", Kind: "rest", P50: 40 * time.Millisecond, P95: 120 * time.Millisecond,
			P99: 310 * time.Millisecond, Calls: 900, ErrorRate: 0.004, InFlight: 2, Circuit: store.CircuitClosed,
			Spark: []float64{40, 42, 45, 60, 41, 39, 40, 44, 80, 40}},
		store.CarrierStats{Name: "slowpost", Kind: "rest", P50: 900 * time.Millisecond, P95: 2400 * time.Millisecond,
			P99: 4100 * time.Millisecond, Calls: 300, ErrorRate: 0.07, InFlight: 5, Circuit: store.CircuitHalfOpen,
			Spark: []float64{900, 950, 1200, 2000, 2400, 1800}},
		store.CarrierStats{Name: "flakyexpress", Kind: "rest", P50: 200 * time.Millisecond, P95: 5 * time.Second,
			P99: 9 * time.Second, Calls: 120, ErrorRate: 0.31, InFlight: 0, Circuit: store.CircuitOpen},
	)
	e.SetQuota(store.QuotaStatus{Day: now.Format("2006-01-02"), Limit: 500, Used: 312, Remaining: 188, Reserve: 40,
		ByKind: map[store.CallKind]int{store.CallPoll: 201, store.CallDetail: 77, store.CallWriteBack: 31,
			store.CallOperator: 3},
		ResetAt: now.Add(5*time.Hour + 12*time.Minute), NextPoll: now.Add(42 * time.Second),
		ExhaustAt: now.Add(3*time.Hour + 10*time.Minute), RateLimited: 3, LastLimited: now.Add(-12 * time.Minute),
		PerSecond: 50})

	order := func(id string, st store.State, carrier, buyer string, shipIn time.Duration) store.Order {
		o := store.Order{ID: id, Status: store.StatusAwaitingShipment, State: st,
			CreateTime: now.Add(-30 * time.Hour), RTSSLATime: now.Add(shipIn),
			ShippingDueTime: now.Add(shipIn + 24*time.Hour), DeliveryDueTime: now.Add(shipIn + 96*time.Hour),
			Recipient: store.Address{Name: buyer, Phone: "+1 555 0100", Lines: []string{"742 Evergreen Terrace", "Apt 2"},
				City: "Springfield", Region: "OR", PostalCode: "97403", Country: "US"},
			LineItems: []store.LineItem{{SKU: "SKU-MUG-07", ProductName: "Enamel mug", Quantity: 2}},
		}
		if carrier != "" {
			o.Push = &store.Push{Carrier: carrier, Generation: 1, IdempotencyKey: id + "-" + carrier + "-1"}
		}
		return o
	}
	queued := []struct {
		id, buyer string
		in        time.Duration
	}{
		{"ORD-Q-LATE", "Grace Hopper", -35 * time.Minute},
		{"ORD-Q-3H", "Katherine Johnson", 3 * time.Hour},
		{"ORD-Q-20H", "Margaret Hamilton", 20 * time.Hour},
		{"ORD-Q-3D", "Barbara Liskov", 72 * time.Hour},
		{"ORD-Q-4D", "Frances Allen", 96 * time.Hour},
	}
	for _, q := range queued {
		e.Add(order(q.id, store.StateQueued, "fastship", q.buyer, q.in))
	}

	dead := order(DeadID, store.StateDead, "slowpost", "Ada Lovelace", 2*time.Hour)
	dead.Attempts, dead.ErrorClass, dead.Reason = 5, "permanent", "422 from slowpost: address line 1 rejected"
	dead.LineItems = []store.LineItem{{SKU: "SKU-LAMP-99", ProductName: "Brass lamp", Quantity: 1}}
	e.Add(dead)
	dead2 := order("ORD-DEAD-0002", store.StateDead, "flakyexpress", "Joan Clarke", 30*time.Hour)
	dead2.Attempts, dead2.ErrorClass, dead2.Reason = 8, "retryable", "attempts exhausted: 503 upstream timeout"
	e.Add(dead2)
	for i := 1; i <= 3; i++ {
		f := order(fmt.Sprintf("ORD-FAIL-%04d", i), store.StateFailed, "flakyexpress", "Radia Perlman", time.Duration(i)*5*time.Hour)
		f.Attempts, f.ErrorClass, f.Reason = i, "retryable", "timeout after 10s"
		f.NextAttemptAt = now.Add(time.Duration(i) * 90 * time.Second)
		e.Add(f)
	}
	held := order(HeldID, store.StateHeld, "fastship", "Hedy Lamarr", 10*time.Hour)
	held.HeldFrom, held.Reason = store.StateQueued, "held by ops"
	e.Add(held)
	e.Add(order(PushingID, store.StatePushing, "fastship", "Annie Easley", 6*time.Hour))
	onHold := order(OnHoldID, store.StateNew, "", "Mary Jackson", 40*time.Hour)
	onHold.Status, onHold.OnHold, onHold.Reason = store.StatusOnHold, true, "on hold at TikTok"
	e.Add(onHold)
	evil := order(EvilID, store.StateQueued, "fastship", EvilBuyer, 50*time.Hour)
	e.Add(evil)
	for i := 1; i <= 2; i++ {
		s := order(fmt.Sprintf("ORD-SHIP-%04d", i), store.StateShipped, "fastship", "Dorothy Vaughan", -48*time.Hour)
		s.Status = store.StatusInTransit
		e.Add(s)
	}
	e.AddActivity(
		store.Activity{At: now.Add(-50 * time.Minute), Kind: store.ActivityPoll, Text: "poll: 14 orders seen, 3 new or changed"},
		store.Activity{At: now.Add(-40 * time.Minute), Kind: store.ActivityCircuit, Carrier: "flakyexpress", Level: "error",
			Text: "circuit closed → open"},
		store.Activity{At: now.Add(-30 * time.Minute), Kind: store.ActivityPush, Carrier: "slowpost", OrderID: DeadID,
			Level: "error", Text: "push dead (permanent): 422 from slowpost: address line 1 rejected"},
	)
	e.AddAttempts(
		store.Attempt{OrderID: DeadID, Seq: 1, At: now.Add(-3 * time.Hour), Kind: store.AttemptPush, Carrier: "slowpost",
			Generation: 1, Outcome: store.OutcomeRetryable, HTTPStatus: 503, Error: "upstream timeout", Latency: 10 * time.Second},
		store.Attempt{OrderID: DeadID, Seq: 2, At: now.Add(-2 * time.Hour), Kind: store.AttemptPush, Carrier: "slowpost",
			Generation: 1, Outcome: store.OutcomePermanent, HTTPStatus: 422, Error: "address line 1 rejected", Latency: 800 * time.Millisecond},
	)
	return e
}
