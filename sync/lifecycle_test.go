package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

var restCaps = carrier.Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true}
var ssCaps = carrier.Capabilities{Lookup: true, Status: true, IdempotentPush: true}

func (r *lifeRig) pushed(id string) {
	r.mp.set(id, "AWAITING_SHIPMENT", r.clk.Now().Unix()-60)
	r.poll()
	r.pass()
	if o := r.order(id); o.State != store.StatePushed {
		r.t.Fatalf("setup: %s is %s (%s)", id, o.State, o.Reason)
	}
}

// An order TikTok cancels after the 3PL accepted it is cancelled at the 3PL
// and never written back.
func TestCancelAfterPushCancelsAtCarrier(t *testing.T) {
	c1 := newFake("a", restCaps)
	r := newLifeRig(t, c1)
	r.pushed("O1")
	r.clk.Add(time.Minute)
	r.mp.set("O1", "CANCELLED", r.clk.Now().Unix())
	r.poll()
	for range 5 {
		r.clk.Add(10 * time.Minute)
		r.pass()
		r.eng.Track(r.ctx)
	}
	o := r.order("O1")
	t.Logf("after TikTok cancel: state=%s cancelAtCarrier=%v reason=%q; cancels at 3PL=%d live at 3PL=%d",
		o.State, o.CancelAtCarrier, o.Reason, c1.cancels, c1.live("O1"))
	c1.ship("O1", "TRK00000001")
	r.eng.Track(r.ctx)
	r.pass()
	o = r.order("O1")
	t.Logf("3PL shipped it: state=%s; TikTok ship-package calls=%d", o.State, r.mp.ships)
	if c1.cancels == 0 {
		t.Errorf("an order cancelled on TikTok after its push was not cancelled at the 3PL")
	}
}

// A held order that is at the 3PL is cancelled there too, not only here.
func TestCancelWhileHeldCancelsAtCarrier(t *testing.T) {
	c1 := newFake("a", restCaps)
	r := newLifeRig(t, c1)
	r.pushed("O1")
	if err := r.eng.Hold(r.ctx, r.op, "O1"); err != nil {
		t.Fatal(err)
	}
	r.clk.Add(time.Minute)
	r.mp.set("O1", "CANCELLED", r.clk.Now().Unix())
	r.poll()
	r.pass()
	o := r.order("O1")
	t.Logf("state=%s reason=%q cancels=%d live=%d", o.State, o.Reason, c1.cancels, c1.live("O1"))
	if o.State == store.StateCancelled && c1.live("O1") == 1 {
		t.Errorf("held order marked cancelled while still live at the 3PL")
	}
}

// After a rate-limit reply the write-back waits for TikTok's delay instead of
// calling once per tracking order.
func TestWriteBackWaitsOutRateLimit(t *testing.T) {
	c1 := newFake("a", restCaps)
	r := newLifeRig(t, c1)
	for i := range 20 {
		id := "W" + string(rune('A'+i))
		r.pushed(id)
		c1.ship(id, "TRACK0000"+id)
	}
	r.eng.Track(r.ctx)
	r.mp.shipErr = &tiktok.APIError{Endpoint: "ship package", Class: tiktok.ClassRateLimited, HTTPStatus: 429, RetryAfter: 10 * time.Minute}
	r.mp.ships = 0
	r.pass()
	first := r.mp.ships
	r.pass()
	t.Logf("ship-package calls: first pass %d, after the second %d", first, r.mp.ships)
	if first != 1 || r.mp.ships != 1 {
		t.Errorf("%d calls in the first pass and %d after the second; want 1 and 1 (Retry-After 10m)", first, r.mp.ships)
	}
}

// Re-routing a dead order whose push may have landed checks the old carrier
// first, and is refused while it cannot be checked.
func TestRerouteOfDoubtfulPushChecksOldCarrier(t *testing.T) {
	c1 := newFake("a", restCaps)
	c2 := newFake("b", restCaps)
	r := newLifeRig(t, c1, c2)
	// The push lands but the reply is lost; the lookups then fail.
	c1.pushFn = func(s carrier.Shipment) (carrier.PushResult, error) {
		c1.mu.Lock()
		c1.nextID++
		id := "a-x"
		c1.orders[id] = carrier.Remote{ID: id, ExternalID: s.ExternalID, Status: carrier.StatusAccepted}
		c1.mu.Unlock()
		return carrier.PushResult{}, &carrier.Error{Carrier: "a", Op: "push", Class: carrier.Unknown, Reason: "timeout"}
	}
	c1.lookupFn = func(string) ([]carrier.Remote, error) {
		return nil, &carrier.Error{Carrier: "a", Op: "lookup", Class: carrier.Retryable, HTTPStatus: 503}
	}
	r.mp.set("O1", "AWAITING_SHIPMENT", r.clk.Now().Unix()-60)
	r.poll()
	for range 20 {
		r.pass()
		r.clk.Add(10 * time.Minute)
	}
	o := r.order("O1")
	t.Logf("state=%s class=%s reason=%q", o.State, o.ErrorClass, o.Reason)
	if o.State != store.StateDead {
		t.Fatalf("setup: want dead")
	}
	// While the old 3PL cannot be checked, the re-route is refused.
	if err := r.eng.Reroute(r.ctx, r.op, "O1", "b"); err == nil {
		t.Fatal("re-route went ahead although the old 3PL could not be checked")
	}
	r.pass()
	if c2.live("O1") > 0 {
		t.Fatalf("order pushed to b while it may be live at a")
	}
	// Once it can be checked, the live copy at a is cancelled first.
	c1.lookupFn = nil
	if err := r.eng.Reroute(r.ctx, r.op, "O1", "b"); err != nil {
		t.Fatalf("reroute: %v", err)
	}
	r.pass()
	t.Logf("live at a=%d, at b=%d", c1.live("O1"), c2.live("O1"))
	if c1.live("O1") != 0 || c2.live("O1") != 1 {
		t.Errorf("after re-route: live at a=%d, at b=%d; want 0 and 1", c1.live("O1"), c2.live("O1"))
	}
}

// A carrier that always times out makes the order dead after the last
// attempt instead of cycling forever.
func TestEndlessTimeoutsEndDead(t *testing.T) {
	c1 := newFake("a", restCaps)
	r := newLifeRig(t, c1)
	c1.pushFn = func(s carrier.Shipment) (carrier.PushResult, error) {
		return carrier.PushResult{}, &carrier.Error{Carrier: "a", Op: "push", Class: carrier.Unknown, Reason: "timeout"}
	}
	r.mp.set("O1", "AWAITING_SHIPMENT", r.clk.Now().Unix()-60)
	r.poll()
	for range 60 {
		r.pass()
		r.clk.Add(10 * time.Minute)
	}
	o := r.order("O1")
	t.Logf("after 60 passes: state=%s attempts=%d pushes=%d", o.State, o.Attempts, len(c1.pushes))
	if o.State != store.StateDead {
		t.Errorf("not dead after %d attempts (MaxAttempts 8)", o.Attempts)
	}
}

// Re-route refuses an order that is not eligible (unpaid).
func TestRerouteRefusesUnpaid(t *testing.T) {
	c1 := newFake("a", restCaps)
	c2 := newFake("b", restCaps)
	r := newLifeRig(t, c1, c2)
	r.mp.set("U1", "UNPAID", r.clk.Now().Unix()-60)
	r.poll()
	if o := r.order("U1"); o.State != store.StateNew {
		t.Fatalf("setup %s", o.State)
	}
	err := r.eng.Reroute(r.ctx, r.op, "U1", "b")
	r.pass()
	t.Logf("reroute err=%v; live at b=%d", err, c2.live("U1"))
	if c2.live("U1") > 0 {
		t.Errorf("unpaid order pushed by re-route")
	}
}

// A same-carrier re-route of an order live at a key-based 3PL that cannot
// cancel (ShipStation-like) is refused rather than creating a second order.
func TestSameCarrierRerouteNeverDuplicates(t *testing.T) {
	c1 := newFake("a", ssCaps)
	r := newLifeRig(t, c1)
	r.pushed("O1")
	c1.ship("O1", "TRK00000002")
	r.eng.Track(r.ctx)
	r.mp.shipErr = &tiktok.APIError{Endpoint: "ship package", Class: tiktok.ClassNeedsHuman, Reason: "provider not allowed"}
	r.pass()
	o := r.order("O1")
	if o.State != store.StateDead {
		t.Fatalf("setup: %s %s", o.State, o.Reason)
	}
	r.mp.shipErr = nil
	err := r.eng.Reroute(r.ctx, r.op, "O1", "a")
	r.pass()
	t.Logf("reroute err=%v; pushes=%v live at a=%d", err, c1.pushes, c1.live("O1"))
	if c1.live("O1") > 1 {
		t.Errorf("second live order at the same 3PL")
	}
}

// A re-route that races the pipeline settling the same unknown order is
// refused, so the order is never live at two carriers.
func TestRerouteRacingResolutionIsRefused(t *testing.T) {
	c1 := newFake("a", restCaps)
	c2 := newFake("b", restCaps)
	r := newLifeRig(t, c1, c2)
	r.put(store.Order{ID: "O1", Status: store.StatusAwaitingShipment, Source: "tiktok", State: store.StateUnknown,
		Recipient: store.Address{Name: "Ann", Lines: []string{"1 Main"}, City: "NYC", PostalCode: "10001", Country: "US"},
		LineItems: []store.LineItem{{SKU: "BOOK", Quantity: 1}},
		Push:      &store.Push{Carrier: "a", Generation: 1, IdempotencyKey: "shipdeck-O1-a-g1"}, NextAttemptAt: r.clk.Now()})
	gate := make(chan struct{})
	calls := 0
	c1.lookupFn = func(string) ([]carrier.Remote, error) {
		c1.mu.Lock()
		calls++
		n := calls
		c1.mu.Unlock()
		if n == 1 {
			<-gate // the operator's lookup is slow
		}
		return nil, nil
	}
	done := make(chan error, 1)
	go func() { done <- r.eng.Reroute(r.ctx, r.op, "O1", "b") }()
	for {
		c1.mu.Lock()
		n := calls
		c1.mu.Unlock()
		if n >= 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	r.pass() // resolves unknown as not found, pushes to a
	close(gate)
	err := <-done
	r.pass()
	t.Logf("reroute err=%v; state=%s; live at a=%d, at b=%d", err, r.order("O1").State, c1.live("O1"), c2.live("O1"))
	if c1.live("O1") > 0 && c2.live("O1") > 0 {
		t.Errorf("order live at two carriers")
	}
}

// A queued order that TikTok says shipped elsewhere or put on hold is not
// pushed.
func TestQueuedOrderStopsWhenTikTokHoldsOrShipsIt(t *testing.T) {
	for _, status := range []string{"AWAITING_COLLECTION", "ON_HOLD"} {
		t.Run(status, func(t *testing.T) {
			c1 := newFake("a", restCaps)
			r := newLifeRig(t, c1)
			r.mp.set("Q1", "AWAITING_SHIPMENT", r.clk.Now().Unix()-60)
			r.poll()
			o := r.order("Q1")
			// Simulate a queued order (routed, not yet claimed).
			o.State = store.StateQueued
			o.Push = &store.Push{Carrier: "a", Generation: 1, IdempotencyKey: "shipdeck-Q1-a-g1"}
			r.put(o)
			r.clk.Add(time.Minute)
			r.mp.set("Q1", status, r.clk.Now().Unix())
			r.poll()
			r.pass()
			o = r.order("Q1")
			t.Logf("status=%s state=%s pushes=%d", o.Status, o.State, len(c1.pushes))
			if len(c1.pushes) > 0 {
				t.Errorf("pushed although TikTok status is %s", status)
			}
		})
	}
}

// Ready orders waiting on an open circuit do not hold back the ready orders
// behind them.
func TestOpenCircuitDoesNotStarveRouting(t *testing.T) {
	clk := &stepClock{t: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)}
	st := openStore(t, clk.Now)
	a, b := newFake("a", restCaps), newFake("b", restCaps)
	infos := []route.CarrierInfo{{Name: "a", TransitDays: 2}, {Name: "b", TransitDays: 2}}
	router, err := route.New([]route.Rule{{Name: "us", Carrier: "a", When: route.When{Country: "US"}}, {Name: "rest", Carrier: "b"}}, infos, "b")
	if err != nil {
		t.Fatal(err)
	}
	br := health.NewBreakers(health.BreakerConfig{})
	for range 10 {
		br.Record("a", clk.Now(), false)
	}
	t.Logf("circuit a: %s", br.State("a", clk.Now()))
	mp := &fakeMP{orders: map[string]tiktok.Order{}}
	eng, err := shipsync.New(shipsync.Config{Seed: 1, Batch: 5}, shipsync.Deps{Store: st, Marketplace: mp, Planner: fakePlanner{},
		Router: router, Carriers: []shipsync.Carrier{{Carrier: a}, {Carrier: b}}, Breakers: br, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now().Unix()
	for i := range 6 {
		id := fmt.Sprintf("US%d", i)
		mp.set(id, "AWAITING_SHIPMENT", now-60)
		o := mp.orders[id]
		o.RTSSLATime = now + int64(i)*60
		mp.orders[id] = o
	}
	mp.set("CA1", "AWAITING_SHIPMENT", now-60)
	o := mp.orders["CA1"]
	o.RecipientAddress.RegionCode = "CA"
	o.RTSSLATime = now + 86400
	mp.orders["CA1"] = o
	ctx := context.Background()
	if _, err := eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		eng.PipelineOnce(ctx)
	}
	got, _ := st.Order(ctx, "CA1")
	t.Logf("CA1 (for b, whose circuit is closed): state=%s reason=%q; pushes at b=%d", got.State, got.Reason, len(b.pushes))
	if got.State == store.StateReady {
		t.Errorf("CA1 held back behind %d ready orders waiting on a's open circuit", 6)
	}
}

// A re-route checks the old 3PL first; a 429 there with a short
// Retry-After is waited out rather than failing the operator's command,
// and a long one is refused at once, saying how long.
func TestRerouteWaitsOutShortRetryAfterOnLookup(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		wantErr    bool
		wantWord   string
	}{
		{"short Retry-After is waited out", 300 * time.Millisecond, false, ""},
		{"long Retry-After is refused at once", 10 * time.Minute, true, "10m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c1 := newFake("a", restCaps)
			c2 := newFake("b", restCaps)
			r := newLifeRig(t, c1, c2)
			c1.pushFn = func(s carrier.Shipment) (carrier.PushResult, error) {
				return carrier.PushResult{}, &carrier.Error{Carrier: "a", Op: "push", Class: carrier.Permanent, HTTPStatus: 422, Reason: "bad address"}
			}
			r.mp.set("O1", "AWAITING_SHIPMENT", r.clk.Now().Unix()-60)
			r.poll()
			r.pass()
			if o := r.order("O1"); o.State != store.StateDead {
				t.Fatalf("setup: order is %s, want dead", o.State)
			}
			limited := 0
			c1.lookupFn = func(string) ([]carrier.Remote, error) {
				if limited == 0 {
					limited++
					return nil, &carrier.Error{Carrier: "a", Op: "lookup", Class: carrier.Retryable, HTTPStatus: 429, RetryAfter: tt.retryAfter}
				}
				return nil, nil
			}
			start := time.Now()
			err := r.eng.Reroute(r.ctx, r.op, "O1", "b")
			took := time.Since(start)
			if (err != nil) != tt.wantErr {
				t.Fatalf("reroute: %v, want error %v", err, tt.wantErr)
			}
			if err != nil && (!errors.Is(err, shipsync.ErrRefused) || !strings.Contains(err.Error(), tt.wantWord)) {
				t.Fatalf("reroute: %v, want a refusal naming %q", err, tt.wantWord)
			}
			if tt.wantErr && took > time.Minute {
				t.Fatalf("the refusal waited %s", took)
			}
			wantLookups := 2
			if tt.wantErr {
				wantLookups = 1
			}
			if c1.lookups != wantLookups {
				t.Errorf("lookups at a: %d, want %d", c1.lookups, wantLookups)
			}
			if o := r.order("O1"); !tt.wantErr && (o.State != store.StateQueued || o.Carrier() != "b") {
				t.Errorf("after the re-route: %s at %s, want queued at b", o.State, o.Carrier())
			}
		})
	}
}
