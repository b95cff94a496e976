package common

import (
	"slices"

	"github.com/shipdeck/shipdeck/store"
)

// Selection is the multi-selection: a set of order ids with the state each
// order had when it was marked. It is keyed by id, so it survives refreshes
// and re-sorting.
type Selection struct {
	marked map[string]store.State
}

// NewSelection returns an empty selection.
func NewSelection() *Selection { return &Selection{marked: map[string]store.State{}} }

// Toggle marks o, or unmarks it when it is already marked.
func (s *Selection) Toggle(o store.Order) {
	if _, ok := s.marked[o.ID]; ok {
		delete(s.marked, o.ID)
		return
	}
	s.marked[o.ID] = o.State
}

// Has reports whether the order id is marked.
func (s *Selection) Has(id string) bool {
	_, ok := s.marked[id]
	return ok
}

// Len is the number of marked orders.
func (s *Selection) Len() int { return len(s.marked) }

// IDs returns the marked ids, sorted.
func (s *Selection) IDs() []string {
	ids := make([]string, 0, len(s.marked))
	for id := range s.marked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// AllIn reports whether every marked order was in state st when marked.
func (s *Selection) AllIn(st store.State) bool {
	if len(s.marked) == 0 {
		return false
	}
	for _, v := range s.marked {
		if v != st {
			return false
		}
	}
	return true
}

// Remove unmarks the given ids.
func (s *Selection) Remove(ids ...string) {
	for _, id := range ids {
		delete(s.marked, id)
	}
}

// Clear unmarks everything.
func (s *Selection) Clear() { clear(s.marked) }
