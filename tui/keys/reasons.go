package keys

import (
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Reasons are phrased for an operator: what is wrong, not which check
// failed.

func needsOrder(ctx Context) string {
	if ctx.Order == nil {
		return "nothing selected"
	}
	return ""
}

func needsOrderOrMarks(ctx Context) string {
	if ctx.Order == nil && ctx.Marked == 0 {
		return "nothing selected"
	}
	return ""
}

func retryDisabled(ctx Context) string {
	if why := needsOrderOrMarks(ctx); why != "" || ctx.Marked > 0 {
		return why
	}
	switch ctx.Order.State {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return ""
	case store.StatePushing:
		return "order is in flight"
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
	if why := needsOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StatePushing:
		return "order is in flight"
	case store.StateCancelled:
		return "order is cancelled"
	case store.StateShipped:
		if ctx.Order.ShippedAt.IsZero() || ctx.Now.Sub(ctx.Order.ShippedAt) > 72*time.Hour {
			return "shipped more than 72h ago"
		}
	}
	return ""
}

func holdDisabled(ctx Context) string {
	if why := needsOrderOrMarks(ctx); why != "" || ctx.Marked > 0 {
		return why
	}
	switch ctx.Order.State {
	case store.StatePushing:
		return "order is in flight"
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
	if why := needsOrder(ctx); why != "" {
		return why
	}
	switch ctx.Order.State {
	case store.StatePushing:
		return "order is in flight"
	case store.StateShipped, store.StateCancelled:
		return "order is already " + string(ctx.Order.State)
	}
	return ""
}
