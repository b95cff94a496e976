package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// TestPushFollowsTikToksOrderSemantics: each TikTok order shape gets the
// verdict TikTok's documentation asks for, with a reason an operator can
// act on and, inside the remorse window, the time it ends.
func TestPushFollowsTikToksOrderSemantics(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	shippable := func() store.Order {
		return store.Order{ID: "O1", Status: store.StatusAwaitingShipment, Source: store.SourceTikTok, OnHold: true,
			ShippingType: store.ShippingTypeSeller, FulfillmentType: store.FulfillmentBySeller,
			CreateTime: now.Add(-2 * time.Hour), PaidTime: now.Add(-2 * time.Hour),
			Recipient: store.Address{Name: "Ann Lee", Lines: []string{"1 Main St"}}}
	}
	tests := []struct {
		name    string
		rules   Rules
		change  func(o *store.Order)
		verdict Verdict
		reason  string
		until   time.Time
	}{
		{"new flow, awaiting shipment: at once", Rules{}, func(o *store.Order) { o.PaidTime = now.Add(-time.Minute) }, Push, "", time.Time{}},
		{"status ON_HOLD: never pushed", Rules{}, func(o *store.Order) { o.Status = store.StatusOnHold }, Blocked, "on hold at TikTok (status ON_HOLD)", time.Time{}},
		{"old flow inside the window: waits", Rules{}, func(o *store.Order) { o.OnHold, o.PaidTime = false, now.Add(-10*time.Minute) },
			Wait, "buyer-remorse window until Nov 24 15:50 UTC", now.Add(50 * time.Minute)},
		{"old flow, configured window", Rules{RemorseWindow: 2 * time.Hour}, func(o *store.Order) { o.OnHold, o.PaidTime = false, now.Add(-90*time.Minute) },
			Wait, "for 2h0m0s after payment", now.Add(30 * time.Minute)},
		{"old flow at the window's end: pushed", Rules{}, func(o *store.Order) { o.OnHold, o.PaidTime = false, now.Add(-time.Hour) }, Push, "", time.Time{}},
		{"old flow without paid_time counts from create_time", Rules{}, func(o *store.Order) {
			o.OnHold, o.PaidTime, o.CreateTime = false, time.Time{}, now.Add(-5*time.Minute)
		}, Wait, "TikTok sent no paid_time", now.Add(55 * time.Minute)},
		{"imported orders skip the window", Rules{}, func(o *store.Order) {
			o.OnHold, o.PaidTime, o.Source, o.ShippingType, o.FulfillmentType = false, now, store.SourceImport, "", ""
		}, Push, "", time.Time{}},
		{"shipping_type TIKTOK", Rules{}, func(o *store.Order) { o.ShippingType = store.ShippingTypeTikTok }, TikTokShips, "shipping_type TIKTOK", time.Time{}},
		{"fulfilled by TikTok", Rules{}, func(o *store.Order) { o.FulfillmentType = store.FulfillmentByTikTok }, TikTokShips, "fulfillment_type FULFILLMENT_BY_TIKTOK", time.Time{}},
		{"TikTok ships even while unpaid", Rules{}, func(o *store.Order) { o.Status, o.ShippingType = store.StatusUnpaid, store.ShippingTypeTikTok }, TikTokShips, "TikTok ships it", time.Time{}},
		{"TikTok shipping, masked: still TikTok's, not a hold", Rules{}, func(o *store.Order) { o.ShippingType, o.Recipient.Masked = store.ShippingTypeTikTok, true }, TikTokShips, "shipping_type TIKTOK", time.Time{}},
		{"masked on a shippable order: explained hold", Rules{}, func(o *store.Order) { o.Recipient.Masked = true }, Blocked, "address masked by TikTok", time.Time{}},
		{"no address at all: explained hold", Rules{}, func(o *store.Order) { o.Recipient = store.Address{} }, Blocked, "TikTok sent no recipient address", time.Time{}},
		{"unpaid", Rules{}, func(o *store.Order) { o.Status = store.StatusUnpaid }, Blocked, "unpaid", time.Time{}},
		{"buyer cancel request pending", Rules{}, func(o *store.Order) { o.BuyerRequestCancel = true }, Blocked, "the buyer asked to cancel", time.Time{}},
		{"already in transit", Rules{}, func(o *store.Order) { o.Status = store.StatusInTransit }, Blocked, "status IN_TRANSIT", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := shippable()
			tt.change(&o)
			e := tt.rules.Push(&o, now)
			if e.Verdict != tt.verdict || !strings.Contains(e.Reason, tt.reason) || !e.Until.Equal(tt.until) {
				t.Fatalf("got verdict %d %q until %s, want %d containing %q until %s", e.Verdict, e.Reason, e.Until, tt.verdict, tt.reason, tt.until)
			}
			if tt.verdict != Push && e.Reason == "" {
				t.Fatal("a refusal without a reason")
			}
		})
	}
}

// TestPlaceFilesOrdersWhereTheRulesSay: Place moves an unsent order to
// ready, new (with the wake-up time inside the remorse window) or the
// TikTok-ships bucket, and a release goes through it.
func TestPlaceFilesOrdersWhereTheRulesSay(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	o := store.Order{ID: "O1", State: store.StateNew, Status: store.StatusAwaitingShipment, Source: store.SourceTikTok,
		PaidTime: now.Add(-20 * time.Minute), Recipient: store.Address{Name: "Ann", Lines: []string{"1 Main St"}}}
	r := Rules{}
	r.Place(&o, now)
	if o.State != store.StateNew || !o.NextAttemptAt.Equal(now.Add(40*time.Minute)) {
		t.Fatalf("inside the window: %s next %s", o.State, o.NextAttemptAt)
	}
	ApplyHold(&o, "ana")
	r.ApplyRelease(&o, now.Add(41*time.Minute))
	if o.State != store.StateReady || !o.NextAttemptAt.IsZero() || o.Reason != "" {
		t.Fatalf("released after the window: %s next %s %q", o.State, o.NextAttemptAt, o.Reason)
	}
	o.ShippingType = store.ShippingTypeTikTok
	r.Place(&o, now)
	if o.State != store.StateTikTokShips || !strings.Contains(o.Reason, "TikTok ships it") {
		t.Fatalf("TikTok shipping: %s %q", o.State, o.Reason)
	}
}
