package sync_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// TestConsoleAndEnginesRefuseAlike: for orders in every state, and the
// cases TikTok's semantics add (the remorse window, ON_HOLD, TikTok ships,
// a masked address), the console's disabled-key reason, the real engine's
// refusal (what the CLI and SSH commands print, exit code 4) and the
// console's test engine's refusal are the same text, and what the console
// offers the engine accepts.
func TestConsoleAndEnginesRefuseAlike(t *testing.T) {
	r := newLifeRig(t, newFake("a", restCaps), newFake("b", restCaps))
	now := r.clk.Now()
	base := func(id string, st store.State) store.Order {
		return store.Order{ID: id, State: st, Status: store.StatusAwaitingShipment, Source: store.SourceTikTok, OnHold: true,
			PaidTime: now.Add(-3 * time.Hour), CreateTime: now.Add(-3 * time.Hour), UpdateTime: now.Add(-time.Hour),
			Recipient: store.Address{Name: "Ann Lee", Lines: []string{"1 Main St"}, PostalCode: "10001", Country: "US"},
			LineItems: []store.LineItem{{SKU: "BOOK", Quantity: 1}},
			Push:      &store.Push{Carrier: "a", Generation: 1, IdempotencyKey: shipsync.IdempotencyKey(id, "a", 1)}}
	}
	var orders []store.Order
	for _, st := range store.States() {
		o := base("S-"+string(st), st)
		if st == store.StateHeld {
			o.HeldFrom = store.StateQueued
		}
		orders = append(orders, o)
	}
	remorse := base("REMORSE", store.StateNew)
	remorse.Push, remorse.OnHold, remorse.PaidTime = nil, false, now.Add(-10*time.Minute)
	policy.Rules{}.Place(&remorse, now)
	onHold := base("ONHOLD", store.StateNew)
	onHold.Push, onHold.Status, onHold.Reason = nil, store.StatusOnHold, "on hold"
	tiktokShips := base("TTS", store.StateTikTokShips)
	tiktokShips.Push, tiktokShips.ShippingType = nil, store.ShippingTypeTikTok
	fbt := base("FBT", store.StateTikTokShips)
	fbt.Push, fbt.FulfillmentType = nil, store.FulfillmentByTikTok
	deadOnHold := base("DEAD-ONHOLD", store.StateDead)
	deadOnHold.Status = store.StatusOnHold
	deadMasked := base("DEAD-MASKED", store.StateDead)
	deadMasked.Recipient = store.Address{Name: "A***", Lines: []string{"***"}, Masked: true}
	oldShip := base("SHIPPED-OLD", store.StateShipped)
	oldShip.ShippedAt, oldShip.Push.TrackingNumber = now.Add(-100*time.Hour), "T1"
	recentShip := base("SHIPPED-RECENT", store.StateShipped)
	recentShip.ShippedAt, recentShip.Push.TrackingNumber = now.Add(-time.Hour), "T2"
	heldNew := base("HELD-NEW", store.StateHeld)
	heldNew.Push, heldNew.HeldFrom = nil, store.StateNew
	cancelling := base("CANCELLING", store.StateFailed)
	cancelling.CancelAtCarrier, cancelling.Status = true, store.StatusCancelled
	orders = append(orders, remorse, onHold, tiktokShips, fbt, deadOnHold, deadMasked, oldShip, recentShip, heldNew, cancelling)

	type engine interface {
		Retry(ctx context.Context, actor store.Actor, id string) error
		Hold(ctx context.Context, actor store.Actor, id string) error
		Release(ctx context.Context, actor store.Actor, id string) error
		Resolve(ctx context.Context, actor store.Actor, id, reason string) error
		Reroute(ctx context.Context, actor store.Actor, id, to string) error
	}
	do := func(eng engine, o store.Order, binding string) error {
		switch binding {
		case "retry":
			return eng.Retry(r.ctx, r.op, o.ID)
		case "hold":
			// The hold key releases a held order.
			if o.State == store.StateHeld {
				return eng.Release(r.ctx, r.op, o.ID)
			}
			return eng.Hold(r.ctx, r.op, o.ID)
		case "release":
			return eng.Release(r.ctx, r.op, o.ID)
		case "resolve":
			return eng.Resolve(r.ctx, r.op, o.ID, "shipped by hand")
		case "reroute":
			return eng.Reroute(r.ctx, r.op, o.ID, "b")
		}
		panic(binding)
	}
	// refusal is the operator's reason when err is a refusal, "" when the
	// rules let the action through (whatever the carrier then said).
	refusal := func(err error) string {
		if errors.Is(err, policy.ErrRefused) {
			return policy.Reason(err)
		}
		return ""
	}
	table := keys.Default()
	checked, refused := 0, 0
	for _, o := range orders {
		for _, binding := range []string{"retry", "hold", "release", "resolve", "reroute"} {
			b, ok := table.Binding(binding)
			if !ok {
				t.Fatalf("no binding %q", binding)
			}
			o := o.Clone()
			console := b.Reason(keys.Context{Role: store.RoleOperator, Order: &o, Now: now})

			r.put(o)
			real := refusal(do(r.eng, o, binding))

			te := tuitest.New(r.clk.Now)
			te.SetCarriers(store.CarrierStats{Name: "a"}, store.CarrierStats{Name: "b"})
			te.Add(o)
			fake := refusal(do(te, o, binding))

			if console != real || fake != real {
				t.Errorf("%s on %s (%s):\n  console %q\n  engine  %q\n  test engine %q", binding, o.ID, o.State, console, real, fake)
			}
			checked++
			if real != "" {
				refused++
			}
		}
	}
	if refused == 0 || refused == checked {
		t.Fatalf("%d of %d checks refused: the table does not exercise both sides", refused, checked)
	}
	t.Log(fmt.Sprintf("%d checks, %d refusals, all three agree", checked, refused))
}
