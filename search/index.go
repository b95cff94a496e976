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
	"unicode/utf8"
)

// buildBatch is how many entries Build prepares outside the lock before it
// takes the lock once to insert them, so searches can run during a bulk load.
const buildBatch = 4096

// entry is one indexed order: where its bytes are in the arena and what the
// scan checks before it reads them. A removed order leaves the zero entry, a
// tombstone whose slot the next new id reuses.
//
// The record at off is the text lower-cased, then the lower-cased id unless
// the text starts with it (as the console builds it), then the id as given
// unless it is already lower-case.
type entry struct {
	// mask has a bit for every ASCII letter and digit that the text holds
	// (directly or through Unicode case folding), so most non-matching
	// entries are rejected with one AND.
	mask     uint64
	off      uint32
	textLen  uint16
	lowIDLen uint16
	idLen    uint16
	flags    uint8
}

// entry flags.
const (
	entryLive   = 1 << iota // not a tombstone
	entryASCII              // the text is pure ASCII
	lowIDInText             // the lower-cased id is the text's start
	idIsLower               // the id as given equals its lower-cased form
)

// maxIDLen bounds an indexed id; Upsert ignores longer ones (no order id
// comes near it).
const maxIDLen = 1<<16 - 1

// live reports whether e holds an order rather than a tombstone.
func (e *entry) live() bool { return e.flags&entryLive != 0 }

// ascii reports whether e's text is pure ASCII.
func (e *entry) ascii() bool { return e.flags&entryASCII != 0 }

// text is e's searchable line, lower-cased.
func (e *entry) text(a *arena) string { return a.str(e.off, int(e.textLen)) }

// lowID is e's id lower-cased.
func (e *entry) lowID(a *arena) string {
	if e.flags&lowIDInText != 0 {
		return a.str(e.off, int(e.lowIDLen))
	}
	return a.str(e.off+uint32(e.textLen), int(e.lowIDLen))
}

// id is e's id as given to Upsert.
func (e *entry) id(a *arena) string {
	if e.flags&idIsLower != 0 {
		return e.lowID(a)
	}
	off := e.off + uint32(e.textLen)
	if e.flags&lowIDInText == 0 {
		off += uint32(e.lowIDLen)
	}
	return a.str(off, int(e.idLen))
}

// size is the length of e's record in the arena.
func (e *entry) size() int {
	n := int(e.textLen)
	if e.flags&lowIDInText == 0 {
		n += int(e.lowIDLen)
	}
	if e.flags&idIsLower == 0 {
		n += int(e.idLen)
	}
	return n
}

// prepared is an order ready to go into the index: the per-entry work is
// done once, before the lock, so searches never lower-case or decode what
// they can avoid.
type prepared struct {
	id, low, lowID string
	mask           uint64
	ascii          bool
}

// prepare lower-cases text (cut to maxTextLen bytes) and computes its mask.
func prepare(id, text string) prepared {
	low := cut(strings.ToLower(text), maxTextLen)
	mask, ascii := textMask(low)
	return prepared{id: id, low: low, lowID: strings.ToLower(id), mask: mask, ascii: ascii}
}

// cut shortens s to at most n bytes without splitting a rune.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// store writes p's record into a and returns its entry.
func (p *prepared) store(a *arena) entry {
	e := entry{mask: p.mask, textLen: uint16(len(p.low)), lowIDLen: uint16(len(p.lowID)), idLen: uint16(len(p.id)), flags: entryLive}
	if p.ascii {
		e.flags |= entryASCII
	}
	parts := [][]byte{[]byte(p.low)}
	if strings.HasPrefix(p.low, p.lowID) {
		e.flags |= lowIDInText
	} else {
		parts = append(parts, []byte(p.lowID))
	}
	if p.id == p.lowID {
		e.flags |= idIsLower
	} else {
		parts = append(parts, []byte(p.id))
	}
	e.off = a.add(parts...)
	return e
}

// Index is a concurrency-safe fuzzy index of orders. Searches share a read
// lock, so they run in parallel with each other and wait only for writes.
// The zero value is an empty index ready to use.
type Index struct {
	mu      sync.RWMutex
	entries []entry
	arena   arena
	// ids maps every indexed id to its entry's slot; its count is the
	// number of indexed orders.
	ids  idTable
	free []int32
	// candBufs recycles the large-index scan's candidate buffers (several
	// MiB per search at 1M orders), which would otherwise make every
	// keystroke feed the garbage collector.
	candBufs sync.Pool

	// pending holds upserts that arrived while a search held the read lock.
	// Upsert never waits for a search (the store calls it from its only
	// writer goroutine); the next Upsert that finds the lock free, or the
	// next search, applies them first.
	pendMu  sync.Mutex
	pending []prepared
}

// New returns an empty index.
func New() *Index {
	return &Index{ids: newIDTable()}
}

// Upsert indexes text under id, replacing what id had. text is typically
// the order id, buyer, SKUs, carrier and city joined by spaces. An empty id
// is ignored.
func (ix *Index) Upsert(id, text string) {
	if id == "" || len(id) > maxIDLen {
		return
	}
	p := prepare(id, text)
	ix.pendMu.Lock()
	ix.pending = append(ix.pending, p)
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
	for i := range pend {
		ix.put(&pend[i])
	}
}

// idOf returns the id stored at slot, for the id table.
func (ix *Index) idOf(slot int32) string { return ix.entries[slot].id(&ix.arena) }

// put stores p in its id's slot, a free tombstone or a new slot. The caller
// holds the write lock.
func (ix *Index) put(p *prepared) {
	if ix.ids.cells == nil {
		ix.ids = newIDTable()
	}
	if slot, ok := ix.ids.find(p.id, ix.idOf); ok {
		ix.arena.free(ix.entries[slot].size())
		ix.entries[slot] = p.store(&ix.arena)
		ix.compactIfWasteful()
		return
	}
	var slot int32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.entries[slot] = p.store(&ix.arena)
	} else {
		slot = int32(len(ix.entries))
		ix.entries = append(ix.entries, p.store(&ix.arena))
	}
	ix.ids.insert(p.id, slot, ix.idOf)
}

// compactIfWasteful copies the live records into a fresh arena once
// replaced and removed ones take more room than the live ones, so an index
// whose orders change all day stays the size of its orders. The caller
// holds the write lock.
func (ix *Index) compactIfWasteful() {
	if !ix.arena.wasteful() {
		return
	}
	var fresh arena
	for i := range ix.entries {
		e := &ix.entries[i]
		if e.live() {
			e.off = fresh.add(ix.arena.bytes(e.off, e.size()))
		}
	}
	ix.arena = fresh
}

// Remove drops id from the index; unknown ids are ignored. The slot
// becomes a tombstone that the next new id reuses.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.applyPending() // an earlier Upsert of id must not come back after it
	if ix.ids.cells == nil {
		return
	}
	slot, ok := ix.ids.find(id, ix.idOf)
	if !ok {
		return
	}
	ix.ids.remove(id, ix.idOf)
	ix.arena.free(ix.entries[slot].size())
	ix.entries[slot] = entry{}
	ix.free = append(ix.free, slot)
	ix.compactIfWasteful()
}

// Len returns the number of indexed orders.
func (ix *Index) Len() int {
	ix.flush()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.ids.n
}

// Build bulk-loads the index at start: it upserts every (id, text) that next
// yields until next reports ok == false. It prepares entries in batches
// outside the lock, so searches keep working while it runs, and it stops
// with ctx's error when ctx is cancelled (entries loaded so far stay).
func (ix *Index) Build(ctx context.Context, next func() (id, text string, ok bool)) error {
	batch := make([]prepared, 0, buildBatch)
	flush := func() {
		ix.mu.Lock()
		ix.applyPending()
		for i := range batch {
			ix.put(&batch[i])
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
			if id != "" && len(id) <= maxIDLen {
				batch = append(batch, prepare(id, text))
			}
		}
		flush()
		if done {
			return nil
		}
	}
}
