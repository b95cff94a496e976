package tuitest

import (
	"context"
	"slices"
	"strings"

	"github.com/sahilm/fuzzy"

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

// Search implements the console's engine interface with sahilm/fuzzy over
// SearchText, best first.
func (e *Engine) Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error) {
	e.mu.Lock()
	all := e.sorted(func(*store.Order) bool { return true })
	e.calls["Search"]++
	texts := make([]string, len(all))
	for i, o := range all {
		texts[i] = SearchText(o)
	}
	orders := make([]store.Order, len(all))
	for i, o := range all {
		orders[i] = o.Clone()
	}
	e.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms := fuzzy.Find(pattern, texts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit > 0 && len(ms) > limit {
		ms = ms[:limit]
	}
	hits := make([]store.SearchHit, len(ms))
	for i, m := range ms {
		hits[i] = store.SearchHit{Order: orders[m.Index], Text: m.Str, Matched: runeIndexes(m.Str, m.MatchedIndexes)}
	}
	return hits, nil
}

// runeIndexes turns fuzzy's byte offsets into the rune indexes a
// SearchHit promises.
func runeIndexes(s string, bytes []int) []int {
	out := make([]int, 0, len(bytes))
	r, j := 0, 0
	for i := range s {
		for j < len(bytes) && bytes[j] == i {
			out = append(out, r)
			j++
		}
		r++
	}
	return out
}
