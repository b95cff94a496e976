package policy

import (
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// The functions below change an order the way an allowed action does; the
// caller stores the result with its audit entry in one transaction.

// Place files an order that has not been sent anywhere (new or ready)
// where the push rules put it at now: ready to route, new with the reason
// (and, inside the remorse window, the time it becomes eligible, when the
// worker wakes for it), or in the TikTok-ships bucket.
func (r Rules) Place(o *store.Order, now time.Time) {
	e := r.Push(o, now)
	switch e.Verdict {
	case Push:
		o.State, o.Reason, o.NextAttemptAt = store.StateReady, "", time.Time{}
	case Wait:
		o.State, o.Reason, o.NextAttemptAt = store.StateNew, e.Reason, e.Until
	case Blocked:
		o.State, o.Reason, o.NextAttemptAt = store.StateNew, e.Reason, time.Time{}
	case TikTokShips:
		o.State, o.Reason, o.NextAttemptAt = store.StateTikTokShips, e.Reason, time.Time{}
	}
}

// ApplyRetry moves a failed, dead or unknown order back into the pipeline
// with the same idempotency key: a pending cancel at the 3PL is due at
// once, an order never routed goes to the router, one with tracking back
// to the write-back, an unknown push stays unknown but due now (it is
// resolved through the 3PL's lookup before any resend), anything else is
// queued for its carrier again.
func ApplyRetry(o *store.Order, now time.Time) {
	switch {
	case o.CancelAtCarrier:
		o.State = store.StateFailed
		o.NextAttemptAt = now
	case o.Push == nil:
		o.State = store.StateReady
	case o.Push.TrackingNumber != "":
		o.State = store.StateTracking
	case o.State == store.StateUnknown:
	default:
		o.State = store.StateQueued
	}
	if o.State != store.StateFailed {
		o.NextAttemptAt = time.Time{}
	}
	o.Attempts, o.WriteBackAttempts, o.Reason = 0, 0, ""
}

// ApplyHold parks an order, remembering the state it returns to.
func ApplyHold(o *store.Order, who string) {
	o.HeldFrom, o.State, o.Reason = o.State, store.StateHeld, "held by "+who
}

// ApplyRelease returns a held order to the state it was held in; one held
// before it was routed is placed again by the push rules, since TikTok may
// have changed it meanwhile.
func (r Rules) ApplyRelease(o *store.Order, now time.Time) {
	back := o.HeldFrom
	if back == "" || back == store.StatePushing {
		back = store.StateReady
	}
	o.State, o.HeldFrom, o.Reason = back, "", ""
	switch back {
	case store.StateFailed:
		o.NextAttemptAt = now
	case store.StateNew, store.StateReady:
		r.Place(o, now)
	}
}

// ApplyResolve marks an order handled outside shipdeck, with the reason.
func ApplyResolve(o *store.Order, who, reason string) {
	o.State, o.NextAttemptAt, o.HeldFrom = store.StateShipped, time.Time{}, ""
	o.Reason = "resolved outside shipdeck by " + who + ": " + strings.TrimSpace(reason)
}
