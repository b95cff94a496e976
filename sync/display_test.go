package sync

import (
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
)

func TestSearchHitsShowTheOrdersOriginalCase(t *testing.T) {
	o := store.Order{ID: "ORD-7", Recipient: store.Address{Name: "Sam 🚀 Lee", City: "São Paulo"},
		LineItems: []store.LineItem{{SKU: "SKU-MUG-07"}}, Push: &store.Push{Carrier: "fastship"}}
	indexed := strings.ToLower(searchText(o))
	if got := displayText(o, indexed); got != "ORD-7 Sam 🚀 Lee SKU-MUG-07 fastship São Paulo" {
		t.Fatalf("display text = %q", got)
	}
	// The order changed after the index saw it: the indexed line is shown,
	// so the match marks stay on the letters that matched.
	stale := "ord-7 samuel lee sku-mug-07 fastship são paulo"
	if got := displayText(o, stale); got != stale {
		t.Fatalf("display text for a stale hit = %q", got)
	}
}
