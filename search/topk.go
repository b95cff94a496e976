package search

import "slices"

// topK keeps the best limit items pushed into it (all of them when limit is
// zero or less), so a worker's memory and the final merge stay proportional
// to what the console shows, not to how many orders matched.
type topK[T any] struct {
	limit int
	// cmp orders items best first: negative when a is better than b. It
	// must be a total order so results do not depend on sharding.
	cmp func(a, b T) int
	// items is a heap with the worst item at the root once limit is
	// reached.
	items []T
}

func newTopK[T any](limit int, cmp func(a, b T) int) *topK[T] {
	return &topK[T]{limit: limit, cmp: cmp}
}

// push offers x.
func (t *topK[T]) push(x T) {
	if t.limit <= 0 {
		t.items = append(t.items, x)
		return
	}
	if len(t.items) < t.limit {
		t.items = append(t.items, x)
		t.up(len(t.items) - 1)
		return
	}
	if t.cmp(x, t.items[0]) >= 0 {
		return
	}
	t.items[0] = x
	t.down(0)
}

// worse reports whether items[i] ranks below items[j]: the heap order.
func (t *topK[T]) worse(i, j int) bool { return t.cmp(t.items[i], t.items[j]) > 0 }

func (t *topK[T]) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !t.worse(i, parent) {
			return
		}
		t.items[i], t.items[parent] = t.items[parent], t.items[i]
		i = parent
	}
}

func (t *topK[T]) down(i int) {
	n := len(t.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && t.worse(r, l) {
			w = r
		}
		if !t.worse(w, i) {
			return
		}
		t.items[i], t.items[w] = t.items[w], t.items[i]
		i = w
	}
}

// mergeBest merges the workers' kept items, best first, cut to limit.
func mergeBest[T any](parts []*topK[T], limit int, cmp func(a, b T) int) []T {
	var all []T
	for _, p := range parts {
		all = append(all, p.items...)
	}
	slices.SortFunc(all, cmp)
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all
}
