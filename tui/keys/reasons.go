package keys

import (
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Reasons are phrased for an operator: what is wrong, not which check
// failed.

// rerouteWindow is how long after shipping TikTok accepts new shipping
// info, so how long a shipped order can still be re-routed.
const rerouteWindow = 72 * time.Hour

func needsOrder(ctx Context) string {
	if ctx.Order == nil {
		return "nothing selected"
	}
	return ""
}

// idleOrder is where the single-order actions start: an order is selected
// and no push of it is in flight.
func idleOrder(ctx Context) string {
	if why := needsOrder(ctx); why != "" {
		return why
	}
	if ctx.Order.State == store.StatePushing {
		return "order is in flight"
	}
	return ""
}

func retryDisabled(ctx Context) string {
	if ctx.Marked > 0 {
		return ""
	}
	if why := idleOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return ""
	}
	return "order is " + string(ctx.Order.State) + ": nothing to retry"
}

func retryAllDisabled(ctx Context) string {
	if ctx.Retryable == 0 {
		return "no failed, dead or unknown orders"
	}
	return ""
}

func rerouteDisabled(ctx Context) string {
	if why := idleOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StateCancelled:
		return "order is cancelled"
	case store.StateShipped:
		if ctx.Order.ShippedAt.IsZero() || ctx.Now.Sub(ctx.Order.ShippedAt) > rerouteWindow {
			return "shipped more than 72h ago"
		}
	}
	return ""
}

func holdDisabled(ctx Context) string {
	if ctx.Marked > 0 {
		return ""
	}
	if why := idleOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StateShipped, store.StateCancelled:
		return "order is " + string(ctx.Order.State)
	}
	return ""
}

func releaseDisabled(ctx Context) string {
	if why := needsOrder(ctx); why != "" {
		return why
	}
	if ctx.Order.State != store.StateHeld {
		return "order is not held"
	}
	return ""
}

func resolveDisabled(ctx Context) string {
	if why := idleOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StateShipped, store.StateCancelled:
		return "order is already " + string(ctx.Order.State)
	}
	return ""
}

func detailDisabled(ctx Context) string {
	if ctx.Carrier != "" {
		return ""
	}
	return needsOrder(ctx)
}

func clearDisabled(ctx Context) string {
	if !ctx.Filtered {
		return "no filter is set"
	}
	return ""
}
