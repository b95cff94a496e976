package sync

import (
	"fmt"
	"slices"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
)

// importFieldLimit is the longest value, in bytes, import accepts in
// column col: generous for real addresses and SKUs (carriers accept less),
// small enough that a 20 MB cell is refused on its line instead of being
// stored, pushed and shown.
func importFieldLimit(col string) int {
	switch col {
	case "order_id":
		return 64
	case "name", "address1", "address2":
		return 200
	case "city", "region", "sku":
		return 100
	case "phone", "ship_by", "delivery_due":
		return 40
	default: // postal_code, country, quantity, weight_g, price
		return 20
	}
}

// CheckImportFields says what is wrong with a row's fields as text, before
// they are parsed, or "": a field over its limit, or an order_id holding
// control, escape or invisible characters (an id is shown and typed by
// operators, so it is refused rather than cleaned into another id). get
// returns a column's trimmed value. Both import paths call it.
func CheckImportFields(get func(col string) string) string {
	for _, col := range ImportColumns() {
		if v, limit := get(col), importFieldLimit(col); len(v) > limit {
			return fmt.Sprintf("%s is %d bytes long; the limit is %d", col, len(v), limit)
		}
	}
	if id := get("order_id"); sanitize.Line(id) != id {
		return fmt.Sprintf("order_id %q has control, escape or invisible characters", id)
	}
	return ""
}

// RecipientConflict names the first recipient field in which two rows of
// one order disagree, or "". One order ships to one recipient: rows that
// share an order_id but not an address are a mistake in the file, never
// merged (which would drop one address).
func RecipientConflict(a, b store.Address) string {
	switch {
	case a.Name != b.Name:
		return "name"
	case a.Phone != b.Phone:
		return "phone"
	case !slices.Equal(a.Lines, b.Lines):
		return "address"
	case a.City != b.City:
		return "city"
	case a.Region != b.Region:
		return "region"
	case a.PostalCode != b.PostalCode:
		return "postal_code"
	case a.Country != b.Country:
		return "country"
	}
	return ""
}
