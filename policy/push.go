package policy

import (
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// DefaultRemorseWindow is TikTok's buyer-remorse hour for orders of the old
// flow ([policy] remorse_window).
const DefaultRemorseWindow = time.Hour

// Rules holds the settings the push rules depend on. The zero value uses
// the defaults.
type Rules struct {
	// RemorseWindow is how long after payment an order that skipped ON_HOLD
	// (is_on_hold_order false) waits before it is pushed (default 1 hour;
	// zero means the default).
	RemorseWindow time.Duration
}

// Window is the remorse window in effect.
func (r Rules) Window() time.Duration {
	if r.RemorseWindow <= 0 {
		return DefaultRemorseWindow
	}
	return r.RemorseWindow
}

// Verdict is what the rules say about pushing an order to a 3PL.
type Verdict int

// Verdicts, from "go" to "never".
const (
	// Push: the order may be pushed now.
	Push Verdict = iota
	// Wait: not yet, but it may be pushed at Until without TikTok changing
	// anything, so the worker wakes for it then.
	Wait
	// Blocked: not until TikTok changes the order (pays, releases the
	// hold, decides a cancel request, sends the address).
	Blocked
	// TikTokShips: never; TikTok ships the order itself.
	TikTokShips
)

// Eligibility is the rules' answer for pushing one order now.
type Eligibility struct {
	Verdict Verdict
	// Reason says why the order is not pushed, for an operator ("" for
	// Push).
	Reason string
	// Until is when a waiting order becomes eligible (Wait only).
	Until time.Time
}

// OK reports whether the order may be pushed now.
func (e Eligibility) OK() bool { return e.Verdict == Push }

// Push decides whether o may be pushed to a 3PL at now. The checks follow
// TikTok's documentation, in this order:
//
//   - who ships: shipping_type TIKTOK means TikTok buys the label, and only
//     FULFILLMENT_BY_SELLER orders are shipped by the seller (TikTok
//     changelog "US market: TikTok shipping label allocation", SDK model
//     GetOrderDetailResponseDataOrders);
//   - the status: only AWAITING_SHIPMENT and PARTIALLY_SHIPPING are
//     shippable; ON_HOLD orders must not be fulfilled (changelog "For US and
//     UK markets: introducing On Hold order status"; fulfilment calls fail
//     with 21011044);
//   - a pending buyer cancel request stops the push until it is decided;
//   - the two on-hold flows (same changelog): is_on_hold_order true went
//     through ON_HOLD and ships at once; false is the old flow, where the
//     app holds the order until paid_time + the remorse window;
//   - the address: TikTok says to decide shippability from the status, not
//     from masking (changelog "US market: changes to recipient address
//     masking"), so a masked address on an otherwise shippable order is a
//     visible hold with its reason, never a silent skip.
//
// Imported orders were put in the pipeline by an operator and only the
// status and who-ships checks apply to them.
func (r Rules) Push(o *store.Order, now time.Time) Eligibility {
	if e := standing(o); !e.OK() {
		return e
	}
	if o.Source == store.SourceImport {
		return Eligibility{}
	}
	if !o.OnHold {
		w := r.Window()
		from, note := o.PaidTime, ""
		if from.IsZero() {
			// TikTok sends paid_time on every paid order; without it the
			// window counts from creation, the only time known.
			from, note = o.CreateTime, "; TikTok sent no paid_time, so it counts from create_time"
		}
		if until := from.Add(w); !from.IsZero() && now.Before(until) {
			return Eligibility{Verdict: Wait, Until: until, Reason: fmt.Sprintf(
				"buyer-remorse window until %s UTC: the order skipped ON_HOLD (is_on_hold_order false), so the buyer may cancel for %s after payment%s",
				until.UTC().Format("Jan 2 15:04"), w, note)}
		}
	}
	if why := addressHold(o); why != "" {
		return Eligibility{Verdict: Blocked, Reason: why}
	}
	return Eligibility{}
}

// standing is the part of the push rules that needs no settings: who
// ships, the status and a pending cancel request.
func standing(o *store.Order) Eligibility {
	if why := WhoShips(o); why != "" {
		return Eligibility{Verdict: TikTokShips, Reason: why}
	}
	switch o.Status {
	case store.StatusAwaitingShipment, store.StatusPartiallyShipping:
	case store.StatusUnpaid:
		return Eligibility{Verdict: Blocked, Reason: "unpaid: waiting for the buyer to pay"}
	case store.StatusOnHold:
		return Eligibility{Verdict: Blocked, Reason: "on hold at TikTok (status ON_HOLD): the buyer may still cancel; pushed when TikTok moves it to AWAITING_SHIPMENT"}
	default:
		return Eligibility{Verdict: Blocked, Reason: "status " + string(o.Status) + ": not awaiting shipment"}
	}
	if o.BuyerRequestCancel {
		return Eligibility{Verdict: Blocked, Reason: "the buyer asked to cancel: waiting for the request to be decided"}
	}
	return Eligibility{}
}

// WhoShips says why TikTok, not the seller, ships o, or "" when the seller
// does. An order without these fields (an import) is the seller's.
func WhoShips(o *store.Order) string {
	switch {
	case o.FulfillmentType != "" && o.FulfillmentType != store.FulfillmentBySeller:
		return "TikTok ships it: fulfillment_type " + o.FulfillmentType + " (only FULFILLMENT_BY_SELLER orders are shipped by the seller)"
	case o.ShippingType == store.ShippingTypeTikTok:
		return "TikTok ships it: shipping_type TIKTOK (the label is bought through TikTok)"
	}
	return ""
}

// addressHold says why o's address cannot be sent to a 3PL, or "".
func addressHold(o *store.Order) string {
	a := o.Recipient
	switch {
	case a.Masked:
		return "address masked by TikTok (name, phone or street shows ***): held until TikTok sends it in full; check the order in Seller Center"
	case a.Name == "" && len(a.Lines) == 0:
		return "TikTok sent no recipient address: held until it does; check the order in Seller Center"
	}
	return ""
}
