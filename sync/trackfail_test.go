package sync_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
)

func TestUnreadableStatusShowsOnTheOrderAndInTheLog(t *testing.T) {
	r := newRig(t)
	r.seedCarrierOrders(phaseTrack)
	r.carrier.set(raw(200, ctJSON, `{"id":"3PL-7001","external_id":"`+targetID+`","status":"shipped","tracking_number":"1Z999","shipped_at":"last tuesday"}`,
		"X-Request-Id", "req-5521"))
	if _, err := r.eng.Track(context.Background()); err != nil {
		t.Logf("pass reported: %v", err)
	}
	got, err := r.st.Order(context.Background(), targetID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.StateFailed || got.Push.TrackingNumber != "" {
		t.Fatalf("order %s with tracking %q, want failed (the failed pane) with none", got.State, got.Push.TrackingNumber)
	}
	for _, want := range []string{"bad", "shipped_at", "req-5521"} {
		if !strings.Contains(got.Reason, want) {
			t.Errorf("reason %q does not name %q (3PL, field, request id)", got.Reason, want)
		}
	}
	log := r.logs.String()
	for _, want := range []string{targetID, "shipped_at", "req-5521"} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not name %q:\n%s", want, log)
		}
	}
	// The next read comes after the tracking interval: a fixed reply gives
	// the tracking, and the reason goes.
	r.clock.Advance(time.Minute)
	if _, err := r.eng.PipelineOnce(context.Background()); err != nil {
		t.Logf("pass reported: %v", err)
	}
	r.carrier.set(raw(200, ctJSON, restOrder("3PL-7001", targetID, "shipped", "1Z999")))
	if _, err := r.eng.Track(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ = r.st.Order(context.Background(), targetID)
	if got.State != store.StateTracking || got.Push.TrackingNumber != "1Z999" || got.Reason != "" {
		t.Fatalf("after a good read: %s tracking %q reason %q", got.State, got.Push.TrackingNumber, got.Reason)
	}
}

func TestThrottledStatusReadsWaitTheServersDelay(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.seedCarrierOrders(phaseTrack)
	r.carrier.set(raw(http.StatusTooManyRequests, ctJSON, restErr("rate_limited", "slow down"), "Retry-After", "90"))
	if _, err := r.eng.Track(ctx); err != nil {
		t.Logf("pass reported: %v", err)
	}
	first := r.carrier.requests("GET /v1/orders/3PL-7001") + r.carrier.requests("GET /v1/orders/3PL-7002")
	if first == 0 {
		t.Fatal("no status read was sent")
	}
	got, _ := r.st.Order(ctx, targetID)
	if got.State != store.StatePushed || !strings.Contains(got.Reason, "rate limited") {
		t.Fatalf("order %s (%q), want pushed saying it is rate limited", got.State, got.Reason)
	}
	// Within the server's 90 s nothing is asked; after it, reads resume.
	for _, step := range []time.Duration{0, 89 * time.Second} {
		r.clock.Advance(step)
		if _, err := r.eng.Track(ctx); err != nil {
			t.Logf("pass reported: %v", err)
		}
		if n := r.carrier.requests("GET /v1/orders/3PL-7001") + r.carrier.requests("GET /v1/orders/3PL-7002"); n != first {
			t.Fatalf("%d reads %s into a 90 s Retry-After, want none", n-first, r.clock.Now().Sub(start))
		}
	}
	r.clock.Advance(2 * time.Second)
	r.carrier.set(func(w http.ResponseWriter, req *http.Request, n int) {
		id := strings.TrimPrefix(req.URL.Path, "/v1/orders/")
		ext := map[string]string{"3PL-7001": targetID, "3PL-7002": pushedID}[id]
		raw(200, ctJSON, restOrder(id, ext, "shipped", "1Z-"+id))(w, req, n)
	})
	if n, err := r.eng.Track(ctx); err != nil || n != 2 {
		t.Fatalf("after the delay: %d got tracking, %v", n, err)
	}
}

func TestUnknownPushIsNotSettledByAnotherGenerationsOrder(t *testing.T) {
	ss := newFake("ss", carrier.Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true})
	// ShipStation keeps one order per orderKey: the lookup by order number
	// finds the first route generation's order, under another key.
	ss.lookupFn = func(ext string) ([]carrier.Remote, error) {
		return []carrier.Remote{{ID: "212000001", ExternalID: ext, Key: "shipdeck-A1-ss-g1", Status: carrier.StatusAccepted}}, nil
	}
	r := newLifeRig(t, ss)
	now := r.clk.Now()
	r.put(store.Order{ID: "A1", Status: store.StatusAwaitingShipment, State: store.StateUnknown, NextAttemptAt: now,
		Push: &store.Push{Carrier: "ss", Generation: 2, IdempotencyKey: "shipdeck-A1-ss-g2"}})
	r.pass()
	got := r.order("A1")
	if got.Push.ExternalID == "212000001" {
		t.Fatalf("the unknown g2 push was settled by g1's order: %+v", got.Push)
	}
	if len(ss.pushes) != 1 || ss.pushes[0] != "shipdeck-A1-ss-g2" {
		t.Fatalf("pushes %v: want the g2 push resent with its own key", ss.pushes)
	}
}
