package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
)

// Explain is one line saying where o would go at now and why, for
// `shipdeck route --dry-run`. It ignores circuits: a dry run shows what the
// rules decide, not what the engine would do this second.
func (r *Router) Explain(o store.Order, now time.Time) string {
	d := r.Route(o, now, nil)
	id := sanitize.Line(o.ID)
	if !d.OK {
		return fmt.Sprintf("%s -> no route: %s", id, d.Reason)
	}
	line := fmt.Sprintf("%s -> %s (rule %q", id, d.Carrier, d.Rule)
	if d.Reason != "" {
		line += "; " + d.Reason
	}
	return line + ")"
}

// describe summarises the order facts rules look at, for reasons.
func describe(o *store.Order) string {
	skus := make([]string, 0, len(o.LineItems))
	for _, li := range o.LineItems {
		skus = append(skus, sanitize.Line(li.SKU))
	}
	sku := strings.Join(skus, ",")
	if sku == "" {
		sku = "none"
	}
	v := o.ValueCents()
	return fmt.Sprintf("country %s, region %s, postal %s, %d g, value %d.%02d, SKUs %s",
		orDash(sanitize.Line(o.Recipient.Country)), orDash(sanitize.Line(o.Recipient.Region)), orDash(sanitize.Line(o.Recipient.PostalCode)),
		o.WeightGrams(), v/100, v%100, sku)
}

// orDash shows a missing value as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
