package route

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// DefaultRuleName is the rule name a decision carries when no rule matched
// and the default carrier was used.
const DefaultRuleName = "default"

// Router holds a validated routing config. It is immutable after New and
// safe for concurrent use.
type Router struct {
	rules          []Rule
	carriers       []CarrierInfo
	byName         map[string]CarrierInfo
	defaultCarrier string
	loc            *time.Location
}

// Option adjusts a Router.
type Option func(*Router)

// InLocation counts transit business days and compares delivery dates in
// loc (the shop's zone). Without it dates are compared in the location of
// the order's delivery due time, which shipdeck stores in UTC.
func InLocation(loc *time.Location) Option {
	return func(r *Router) { r.loc = loc }
}

// New validates the config and returns a Router. rules are tried in order;
// defaultCarrier ("" for none) takes orders no rule matches. The error
// joins one *ConfigError per problem, each naming the rule (by position
// and name) and the key.
func New(rules []Rule, carriers []CarrierInfo, defaultCarrier string, opts ...Option) (*Router, error) {
	if err := validate(rules, carriers, defaultCarrier); err != nil {
		return nil, fmt.Errorf("routing config: %w", err)
	}
	r := &Router{
		rules:          cloneRules(rules),
		carriers:       slices.Clone(carriers),
		byName:         make(map[string]CarrierInfo, len(carriers)),
		defaultCarrier: defaultCarrier,
	}
	for _, c := range carriers {
		r.byName[c.Name] = c
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// cloneRules deep-copies rules so the caller's later edits do not leak in.
func cloneRules(rules []Rule) []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		r.Fallback = slices.Clone(r.Fallback)
		r.When.Region = slices.Clone(r.When.Region)
		r.When.PostalPrefix = slices.Clone(r.When.PostalPrefix)
		r.When.SKU = slices.Clone(r.When.SKU)
		out[i] = r
	}
	return out
}

// Skip is a candidate carrier the router passed over, and why.
type Skip struct {
	Carrier string `json:"carrier"`
	Why     string `json:"why"`
	// Unavailable is true when the engine's skip callback passed it over
	// (an open circuit), false when it cannot meet the deliver-by date.
	Unavailable bool `json:"unavailable,omitempty"`
}

// Decision is the router's answer for one order.
type Decision struct {
	// Carrier is the chosen carrier when OK.
	Carrier string `json:"carrier,omitempty"`
	// Rule names the matching rule, DefaultRuleName for the default
	// carrier, or "" when nothing matched.
	Rule string `json:"rule,omitempty"`
	// Candidates are the carriers the rule offered, in the order tried.
	Candidates []string `json:"candidates,omitempty"`
	// Skipped are the candidates passed over, in the order tried.
	Skipped []Skip `json:"skipped,omitempty"`
	// Reason says why earlier candidates were skipped when OK (empty when
	// the first candidate was taken), and what blocks the order and what
	// to do about it when not OK.
	Reason string `json:"reason,omitempty"`
	OK     bool   `json:"ok"`
	// Retry is true when routing failed only because the skip callback
	// passed candidates over (open circuits), so routing again later can
	// succeed without an operator.
	Retry bool `json:"retry,omitempty"`
}

// Route picks a carrier for o at now. The first rule whose conditions hold
// supplies the candidates (its carrier, then its fallbacks); with no match
// the default carrier is the only candidate. A candidate whose transit
// time misses o.DeliveryDueTime is skipped. skip (may be nil) is asked
// last, at most once per candidate and only about the candidate that would
// otherwise be chosen, so a skip that consumes a half-open circuit's single
// probe gives it to this order. The fallbacks of a matching rule are the
// whole list: the default carrier is not added to them.
func (r *Router) Route(o store.Order, now time.Time, skip func(carrier string) (bool, string)) Decision {
	ruleName, candidates := r.candidates(&o)
	if len(candidates) == 0 {
		return Decision{Reason: fmt.Sprintf("no routing rule matches (%s) and no default carrier is set; add a rule or a default carrier, or re-route by hand", describe(&o))}
	}
	d := Decision{Rule: ruleName, Candidates: candidates}
	for _, c := range candidates {
		if ok, why := feasible(r.byName[c].TransitDays, o.DeliveryDueTime, now, r.loc); !ok {
			d.Skipped = append(d.Skipped, Skip{Carrier: c, Why: why})
			continue
		}
		if skip != nil {
			if s, why := skip(c); s {
				if why == "" {
					why = "unavailable"
				}
				d.Skipped = append(d.Skipped, Skip{Carrier: c, Why: why, Unavailable: true})
				continue
			}
		}
		d.Carrier, d.OK = c, true
		d.Reason = joinSkips(d.Skipped)
		return d
	}
	d.Retry = slices.ContainsFunc(d.Skipped, func(s Skip) bool { return s.Unavailable })
	d.Reason = r.blockedReason(&o, d)
	return d
}

// candidates returns the matching rule's name and carriers to try.
func (r *Router) candidates(o *store.Order) (string, []string) {
	for _, rule := range r.rules {
		if rule.When.matches(o) {
			return rule.Name, append([]string{rule.Carrier}, rule.Fallback...)
		}
	}
	if r.defaultCarrier != "" {
		return DefaultRuleName, []string{r.defaultCarrier}
	}
	return "", nil
}

// joinSkips renders skips as "swift: why; steady: why".
func joinSkips(skips []Skip) string {
	parts := make([]string, len(skips))
	for i, s := range skips {
		parts[i] = s.Carrier + ": " + s.Why
	}
	return strings.Join(parts, "; ")
}

// blockedReason says why no candidate fits and what an operator can do.
func (r *Router) blockedReason(o *store.Order, d Decision) string {
	var what string
	if d.Rule == DefaultRuleName {
		what = "the default carrier does not fit"
	} else {
		what = fmt.Sprintf("no carrier of rule %q fits", d.Rule)
	}
	hint := "re-route to a faster carrier or hold the order"
	if d.Retry {
		hint = "routing is retried when a circuit closes; re-route by hand to ship sooner"
	}
	return fmt.Sprintf("%s: %s; %s", what, joinSkips(d.Skipped), hint)
}
