package keys

import (
	"github.com/shipdeck/shipdeck/policy"
)

// Whether an action applies to the highlighted order is decided by package
// policy, the same rules the engine enforces, so a key is disabled exactly
// when the engine would refuse it, with the engine's reason. Only what the
// console alone knows (nothing selected, marked orders, the counts) is
// checked here.

func needsOrder(ctx Context) string {
	if ctx.Order == nil {
		return "nothing selected"
	}
	return ""
}

// orderReason runs an order rule on the highlighted order.
func orderReason(ctx Context, rule func() error) string {
	if why := needsOrder(ctx); why != "" {
		return why
	}
	return policy.Reason(rule())
}

func retryDisabled(ctx Context) string {
	if ctx.Marked > 0 {
		return ""
	}
	return orderReason(ctx, func() error { return policy.Retry(ctx.Order) })
}

func retryAllDisabled(ctx Context) string {
	if ctx.Retryable == 0 {
		return "no failed, dead or unknown orders"
	}
	return ""
}

func rerouteDisabled(ctx Context) string {
	return orderReason(ctx, func() error { return policy.Reroute(ctx.Order, ctx.Now) })
}

func holdDisabled(ctx Context) string {
	if ctx.Marked > 0 {
		return ""
	}
	if why := needsOrder(ctx); why != "" {
		return why
	}
	// The hold key releases a held order.
	if policy.Release(ctx.Order) == nil {
		return ""
	}
	return policy.Reason(policy.Hold(ctx.Order))
}

func releaseDisabled(ctx Context) string {
	return orderReason(ctx, func() error { return policy.Release(ctx.Order) })
}

func resolveDisabled(ctx Context) string {
	return orderReason(ctx, func() error { return policy.Resolve(ctx.Order) })
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
