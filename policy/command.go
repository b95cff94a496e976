package policy

import (
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// RerouteWindow is how long after shipping TikTok accepts new shipping
// info for an order (Update Shipping Info: "only allows merchants to update
// shipping information within 72 hours after shipping"), so how long a
// shipped order can still be re-routed.
const RerouteWindow = 72 * time.Hour

// Each check below returns nil when the operator action applies to the
// order as stored, else a *Refusal with the reason. Role checks are not
// here: the key table and the engine check roles before these.

// Retry allows pushing a failed, dead or unknown order again with the same
// idempotency key.
func Retry(o *store.Order) error {
	switch o.State {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return nil
	case store.StatePushing:
		return refuse(ActionRetry, o, inFlight(o)+"; wait for the result")
	case store.StateTikTokShips:
		return refuse(ActionRetry, o, tiktokShipsReason(o))
	}
	return refuse(ActionRetry, o, "it is "+string(o.State)+", not failed or dead")
}

// Hold allows parking an order that is neither in flight nor finished.
func Hold(o *store.Order) error {
	switch o.State {
	case store.StatePushing:
		return refuse(ActionHold, o, inFlight(o))
	case store.StateHeld:
		return refuse(ActionHold, o, "it is already held")
	case store.StateShipped, store.StateCancelled:
		return refuse(ActionHold, o, "it is "+string(o.State))
	case store.StateTikTokShips:
		return refuse(ActionHold, o, tiktokShipsReason(o))
	}
	return nil
}

// Release allows un-parking a held order.
func Release(o *store.Order) error {
	if o.State != store.StateHeld {
		return refuse(ActionRelease, o, "it is not held")
	}
	return nil
}

// Resolve allows marking an order handled outside shipdeck.
func Resolve(o *store.Order) error {
	switch o.State {
	case store.StatePushing:
		return refuse(ActionResolve, o, inFlight(o))
	case store.StateShipped, store.StateCancelled:
		return refuse(ActionResolve, o, "it is already "+string(o.State))
	case store.StateTikTokShips:
		return refuse(ActionResolve, o, tiktokShipsReason(o))
	}
	return nil
}

// ResolveWith is Resolve with the operator's reason, which is required.
func ResolveWith(o *store.Order, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return refuse(ActionResolve, o, "a reason is required")
	}
	return Resolve(o)
}

// Reroute allows sending an order to another carrier at now: not while a
// push is in flight, not once cancelled, not past TikTok's 72-hour window
// for new shipping info, and not before the order may be pushed at all.
// Whether the old 3PL can be checked and cancelled first is the engine's
// to find out.
func Reroute(o *store.Order, now time.Time) error {
	switch {
	case o.State == store.StatePushing:
		return refuse(ActionReroute, o, inFlight(o)+"; wait for the result")
	case o.State == store.StateCancelled || o.Status == store.StatusCancelled || o.CancelAtCarrier:
		return refuse(ActionReroute, o, "it is cancelled on TikTok")
	case o.State == store.StateTikTokShips:
		return refuse(ActionReroute, o, tiktokShipsReason(o))
	case !o.ShippedAt.IsZero() && now.Sub(o.ShippedAt) > RerouteWindow:
		return refuse(ActionReroute, o, "TikTok only accepts new shipping info within 72 hours of shipping")
	case o.State == store.StateShipped && o.ShippedAt.IsZero():
		return refuse(ActionReroute, o, "it was handled outside shipdeck")
	case !o.ShippedAt.IsZero():
		return nil
	}
	if e := standing(o); !e.OK() {
		return refuse(ActionReroute, o, "it may not be pushed: "+e.Reason)
	}
	if why := addressHold(o); why != "" && o.Source != store.SourceImport {
		return refuse(ActionReroute, o, "it may not be pushed: "+why)
	}
	switch {
	case o.State == store.StateNew:
		// The engine keeps an order new exactly while it may not be pushed
		// (the remorse window, say), with the reason.
		return refuse(ActionReroute, o, "it may not be pushed yet: "+o.Reason)
	case o.State == store.StateHeld && o.HeldFrom == store.StateNew:
		return refuse(ActionReroute, o, "it was held before it could be pushed: release it first")
	}
	return nil
}

// RerouteTo is Reroute to a named carrier: also refused when the order is
// already routed there and nothing failed.
func RerouteTo(o *store.Order, to string, now time.Time) error {
	if err := Reroute(o, now); err != nil {
		return err
	}
	if o.Carrier() == to && o.State != store.StateDead && o.State != store.StateFailed {
		return refuse(ActionReroute, o, "it is already routed to "+to)
	}
	return nil
}

func refuse(a Action, o *store.Order, why string) error { return Refuse(a, o.ID, why) }

func inFlight(o *store.Order) string { return "it is in flight to " + o.Carrier() }

func tiktokShipsReason(o *store.Order) string {
	if why := WhoShips(o); why != "" {
		return why
	}
	return "TikTok ships it"
}
