// Package search is the in-memory fuzzy index behind the console's "/"
// search over orders. Each order is one line of text (id, buyer, SKUs,
// carrier, city) that the caller builds; the index ranks lines with
// github.com/sahilm/fuzzy, puts exact and prefix order-id matches first, and
// scans in parallel so a keystroke stays interactive at 100k orders and
// usable at 1M.
//
// The index does not sanitize: callers index text that was already cleaned
// (see package sanitize), and the index stores it lower-cased.
package search

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// buildBatch is how many entries Build prepares outside the lock before it
// takes the lock once to insert them, so searches can run during a bulk load.
const buildBatch = 4096

// entry is one indexed order. A removed order leaves the zero entry, a
// tombstone whose slot the next new id reuses.
type entry struct {
	// id is empty only in a tombstone: Upsert and Build skip empty ids.
	id string
	// text is the searchable line, lower-cased.
	text string
	// lowID is id lower-cased; it shares text's memory when text starts
	// with the id, as the console builds it.
	lowID string
	// mask has a bit for every ASCII letter and digit that text holds
	// (directly or through Unicode case folding), so most non-matching
	// entries are rejected with one AND.
	mask  uint64
	ascii bool
}

// live reports whether e holds an order rather than a tombstone.
func (e *entry) live() bool { return e.id != "" }

// newEntry prepares an entry; it does the per-entry work once, at insert
// time, so searches never lower-case or decode what they can avoid.
func newEntry(id, text string) entry {
	low := strings.ToLower(text)
	lowID := strings.ToLower(id)
	if strings.HasPrefix(low, lowID) {
		lowID = low[:len(lowID)]
	}
	mask, ascii := textMask(low)
	return entry{id: id, text: low, lowID: lowID, mask: mask, ascii: ascii}
}

// Index is a concurrency-safe fuzzy index of orders. Searches share a read
// lock, so they run in parallel with each other and wait only for writes.
// The zero value is an empty index ready to use.
type Index struct {
	mu      sync.RWMutex
	entries []entry
	// slots maps every indexed id to its entry; its length is the number
	// of indexed orders.
	slots map[string]int32
	free  []int32
	// candBufs recycles the large-index scan's candidate buffers (several
	// MiB per search at 1M orders), which would otherwise make every
	// keystroke feed the garbage collector.
	candBufs sync.Pool

	// pending holds upserts that arrived while a search held the read lock.
	// Upsert never waits for a search (the store calls it from its only
	// writer goroutine); the next Upsert that finds the lock free, or the
	// next search, applies them first.
	pendMu  sync.Mutex
	pending []entry
}

// New returns an empty index.
func New() *Index {
	return &Index{slots: make(map[string]int32)}
}

// Upsert indexes text under id, replacing what id had. text is typically
// the order id, buyer, SKUs, carrier and city joined by spaces. An empty id
// is ignored.
func (ix *Index) Upsert(id, text string) {
	if id == "" {
		return
	}
	e := newEntry(id, text)
	ix.pendMu.Lock()
	ix.pending = append(ix.pending, e)
	ix.pendMu.Unlock()
	if ix.mu.TryLock() {
		ix.applyPending()
		ix.mu.Unlock()
	}
}

// flush applies pending upserts, waiting for running searches to finish.
func (ix *Index) flush() {
	ix.pendMu.Lock()
	n := len(ix.pending)
	ix.pendMu.Unlock()
	if n == 0 {
		return
	}
	ix.mu.Lock()
	ix.applyPending()
	ix.mu.Unlock()
}

// applyPending moves pending upserts into the index, in arrival order. The
// caller holds the write lock.
func (ix *Index) applyPending() {
	ix.pendMu.Lock()
	pend := ix.pending
	ix.pending = nil
	ix.pendMu.Unlock()
	for _, e := range pend {
		ix.put(e)
	}
}

// put stores e in id's slot, a free tombstone or a new slot. The caller
// holds the write lock.
func (ix *Index) put(e entry) {
	if ix.slots == nil {
		ix.slots = make(map[string]int32)
	}
	if slot, ok := ix.slots[e.id]; ok {
		ix.entries[slot] = e
		return
	}
	var slot int32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.entries[slot] = e
	} else {
		slot = int32(len(ix.entries))
		ix.entries = append(ix.entries, e)
	}
	ix.slots[e.id] = slot
}

// Remove drops id from the index; unknown ids are ignored. The slot
// becomes a tombstone that the next new id reuses.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.applyPending() // an earlier Upsert of id must not come back after it
	slot, ok := ix.slots[id]
	if !ok {
		return
	}
	delete(ix.slots, id)
	ix.entries[slot] = entry{}
	ix.free = append(ix.free, slot)
}

// Len returns the number of indexed orders.
func (ix *Index) Len() int {
	ix.flush()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.slots)
}

// Build bulk-loads the index at start: it upserts every (id, text) that next
// yields until next reports ok == false. It prepares entries in batches
// outside the lock, so searches keep working while it runs, and it stops
// with ctx's error when ctx is cancelled (entries loaded so far stay).
func (ix *Index) Build(ctx context.Context, next func() (id, text string, ok bool)) error {
	batch := make([]entry, 0, buildBatch)
	flush := func() {
		ix.mu.Lock()
		ix.applyPending()
		for _, e := range batch {
			ix.put(e)
		}
		ix.mu.Unlock()
		batch = batch[:0]
	}
	for {
		if err := ctx.Err(); err != nil {
			flush()
			return fmt.Errorf("build search index: %w", err)
		}
		done := false
		for len(batch) < buildBatch {
			id, text, ok := next()
			if !ok {
				done = true
				break
			}
			if id != "" {
				batch = append(batch, newEntry(id, text))
			}
		}
		flush()
		if done {
			return nil
		}
	}
}
