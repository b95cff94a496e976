// Package route decides which carrier an order goes to. Rules come from the
// config, are tried in order and the first whose conditions all hold wins;
// its carrier is tried first, then its fallbacks, skipping any carrier that
// cannot meet the order's deliver-by date or that the engine reports as
// unavailable (an open circuit). Orders no rule matches go to the default
// carrier when one is configured.
package route

import (
	"path"
	"slices"
	"strings"

	"github.com/shipdeck/shipdeck/store"
)

// When holds a rule's conditions; every condition that is set must hold.
// A zero field is not a condition, so an empty When matches every order
// (a catch-all rule). Text comparisons ignore case.
type When struct {
	// Country is the recipient's country code, such as "US".
	Country string `toml:"country" json:"country,omitempty"`
	// Region lists states or provinces; any one matches.
	Region []string `toml:"region" json:"region,omitempty"`
	// PostalPrefix lists postal code prefixes; any one matches. Spaces are
	// ignored on both sides, so "SW1A" matches "sw1a 1aa".
	PostalPrefix []string `toml:"postal_prefix" json:"postal_prefix,omitempty"`
	// MinWeightG and MaxWeightG bound the order's total weight in grams,
	// inclusive; 0 means no bound.
	MinWeightG int `toml:"min_weight_g" json:"min_weight_g,omitempty"`
	MaxWeightG int `toml:"max_weight_g" json:"max_weight_g,omitempty"`
	// SKU lists glob patterns ("BOOK-*", "MUG-??", "TEE-[SML]"). The
	// condition holds when every line item's SKU matches one of them, so a
	// rule meant for books never catches a mixed order of a book and a mug.
	SKU []string `toml:"sku" json:"sku,omitempty"`
	// MinValueCents and MaxValueCents bound the order's total value in
	// minor currency units, inclusive; 0 means no bound.
	MinValueCents int64 `toml:"min_value_cents" json:"min_value_cents,omitempty"`
	MaxValueCents int64 `toml:"max_value_cents" json:"max_value_cents,omitempty"`
}

// IsZero reports whether w sets no condition, which makes its rule match
// every order.
func (w When) IsZero() bool {
	return w.Country == "" && len(w.Region) == 0 && len(w.PostalPrefix) == 0 &&
		w.MinWeightG == 0 && w.MaxWeightG == 0 && len(w.SKU) == 0 &&
		w.MinValueCents == 0 && w.MaxValueCents == 0
}

// Rule is one [[route]] entry of the config.
type Rule struct {
	// Name identifies the rule in decisions, the order detail and the
	// audit trail; it must be unique.
	Name string `toml:"name" json:"name"`
	When When   `toml:"when" json:"when"`
	// Carrier is tried first, then Fallback in order.
	Carrier  string   `toml:"carrier" json:"carrier"`
	Fallback []string `toml:"fallback" json:"fallback,omitempty"`
}

// CarrierInfo is what the router knows about a carrier.
type CarrierInfo struct {
	Name string `toml:"name" json:"name"`
	// TransitDays is the carrier's transit time in business days, used to
	// check the order's deliver-by date; 0 means unknown and skips the
	// check.
	TransitDays int `toml:"transit_days" json:"transit_days,omitempty"`
}

// normPostal makes postal codes and prefixes comparable.
func normPostal(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// matches reports whether every condition of w holds for o. SKU patterns
// were validated by New, so path.Match cannot fail here.
func (w When) matches(o *store.Order) bool {
	if w.Country != "" && !strings.EqualFold(strings.TrimSpace(o.Recipient.Country), w.Country) {
		return false
	}
	if len(w.Region) > 0 && !slices.ContainsFunc(w.Region, func(r string) bool {
		return strings.EqualFold(strings.TrimSpace(o.Recipient.Region), r)
	}) {
		return false
	}
	if len(w.PostalPrefix) > 0 {
		postal := normPostal(o.Recipient.PostalCode)
		if !slices.ContainsFunc(w.PostalPrefix, func(p string) bool {
			return strings.HasPrefix(postal, normPostal(p))
		}) {
			return false
		}
	}
	if w.MinWeightG > 0 || w.MaxWeightG > 0 {
		g := o.WeightGrams()
		if g < w.MinWeightG || (w.MaxWeightG > 0 && g > w.MaxWeightG) {
			return false
		}
	}
	if w.MinValueCents > 0 || w.MaxValueCents > 0 {
		v := o.ValueCents()
		if v < w.MinValueCents || (w.MaxValueCents > 0 && v > w.MaxValueCents) {
			return false
		}
	}
	if len(w.SKU) > 0 {
		if len(o.LineItems) == 0 {
			return false
		}
		for _, li := range o.LineItems {
			if !skuMatches(w.SKU, li.SKU) {
				return false
			}
		}
	}
	return true
}

// skuMatches reports whether sku matches one of the glob patterns,
// ignoring case.
func skuMatches(patterns []string, sku string) bool {
	sku = strings.ToUpper(strings.TrimSpace(sku))
	for _, p := range patterns {
		if ok, err := path.Match(strings.ToUpper(p), sku); err == nil && ok {
			return true
		}
	}
	return false
}
