package tuitest

import (
	"context"
	"slices"
	"strings"

	"github.com/shipdeck/shipdeck/search"
	"github.com/shipdeck/shipdeck/store"
)

// SearchText is the string an order is searched by: id, buyer, SKUs,
// carrier and city.
func SearchText(o *store.Order) string {
	parts := []string{o.ID, o.Buyer()}
	for _, li := range o.LineItems {
		parts = append(parts, li.SKU)
	}
	parts = append(parts, o.Carrier(), o.Recipient.City)
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " ")
}

// Search implements the console's engine interface with the real search
// index and its ranking over SearchText, best first; hits carry the text
// in its original case, as the engine's do.
func (e *Engine) Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error) {
	e.mu.Lock()
	all := e.sorted(func(*store.Order) bool { return true })
	e.calls["Search"]++
	ix := search.New()
	byID := make(map[string]store.Order, len(all))
	for _, o := range all {
		ix.Upsert(o.ID, SearchText(o))
		byID[o.ID] = o.Clone()
	}
	e.mu.Unlock()
	res, err := ix.Find(ctx, pattern, limit)
	if err != nil {
		return nil, err
	}
	hits := make([]store.SearchHit, len(res))
	for i, r := range res {
		o := byID[r.ID]
		hits[i] = store.SearchHit{Order: o, Text: SearchText(&o), Matched: r.Matched}
	}
	return hits, nil
}
