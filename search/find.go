package search

import (
	"cmp"
	"context"
	"runtime"
	"strings"
	"sync"
)

const (
	// chunkSize is how many entries a worker scans between checks of the
	// context, and how many the fuzzy matcher gets per call.
	chunkSize = 4096
	// minParallel is the index size below which one goroutine scans: the
	// whole search takes well under a millisecond there.
	minParallel = 2 * chunkSize
	// prefilterAbove is the index size above which Find ranks only the
	// rankCap most promising candidates: fuzzy-ranking every match of a
	// short pattern in 1M orders takes about a second on two cores.
	prefilterAbove = 200_000
	// rankCap is how many candidates a large index fuzzy-ranks at most.
	rankCap = 20_000
)

// Hit is one search result.
type Hit struct {
	// ID is the order id given to Upsert.
	ID string
	// Text is the indexed line, lower-cased.
	Text string
	// Matched holds the rune indexes in Text of the matched runes, for
	// highlighting. Lower-casing maps rune to rune, so they are also the
	// rune indexes in the text given to Upsert.
	Matched []int
	// Score is the fuzzy score (higher is better). Exact and prefix id
	// matches come first whatever their score.
	Score int
}

// Find returns at most limit hits for pattern, best first (all hits when
// limit is zero or less): orders whose id equals the pattern, then orders
// whose id starts with it (both ignoring case and separators, so "ord579"
// finds "ORD-579..."), then fuzzy matches by score. An empty pattern
// returns nothing.
//
// The scan runs on GOMAXPROCS goroutines that Find starts and joins. They
// check ctx between chunks, so a search superseded by the next keystroke
// stops early and Find returns ctx.Err().
//
// Above 200,000 orders Find fuzzy-ranks only the 20,000 candidates with the
// tightest matches (every pattern rune present, in order), so rare matches
// with a scattered, low-scoring layout may be left out there.
func (ix *Index) Find(ctx context.Context, pattern string, limit int) ([]Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, ok := newQuery(pattern)
	if !ok {
		return nil, nil
	}

	ix.flush()
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	s := newScan(ctx, &q, ix.entries, &ix.arena, limit)
	if len(ix.entries) > prefilterAbove {
		s.runCapped(max(rankCap, limit), &ix.candBufs)
	} else {
		s.runAll()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.hits(), nil
}

// idHit is an entry whose id equals or starts with the pattern.
type idHit struct {
	slot   int32
	exact  bool
	keyLen int
}

// fuzzyHit is an entry the fuzzy matcher matched.
type fuzzyHit struct {
	slot    int32
	score   int
	matched []int // rune indexes in the entry's text
}

// worker is one shard of a scan: the slot range it owns and what it found.
type worker struct {
	lo, hi int
	ids    *topK[idHit]
	fuzzy  *topK[fuzzyHit]
	// cands and hist are the capped scan's candidates (in slot order) and
	// their count per rank key.
	cands []candidate
	hist  []int
}

// scan is the state of one Find.
type scan struct {
	ctx     context.Context
	q       *query
	entries []entry
	arena   *arena
	limit   int
	workers []*worker
}

func newScan(ctx context.Context, q *query, entries []entry, a *arena, limit int) *scan {
	s := &scan{ctx: ctx, q: q, entries: entries, arena: a, limit: limit}
	n := len(entries)
	shards := 1
	if n >= minParallel {
		shards = min(runtime.GOMAXPROCS(0), n/chunkSize)
	}
	for i := range shards {
		s.workers = append(s.workers, &worker{
			lo:    n * i / shards,
			hi:    n * (i + 1) / shards,
			ids:   newTopK(limit, s.compareIDHits),
			fuzzy: newTopK(limit, s.compareFuzzyHits),
		})
	}
	return s
}

// parallel runs fn once per worker, each on its own goroutine, and returns
// when all are done.
func (s *scan) parallel(fn func(w *worker)) {
	if len(s.workers) == 1 {
		fn(s.workers[0])
		return
	}
	var wg sync.WaitGroup
	for _, w := range s.workers {
		wg.Go(func() { fn(w) })
	}
	wg.Wait()
}

// cancelled reports whether the search was superseded.
func (s *scan) cancelled() bool { return s.ctx.Err() != nil }

// runAll fuzzy-ranks every entry that passes the mask prefilter.
func (s *scan) runAll() {
	s.parallel(func(w *worker) {
		buf := make([]int32, 0, chunkSize)
		for lo := w.lo; lo < w.hi; lo += chunkSize {
			if s.cancelled() {
				return
			}
			buf = buf[:0]
			for slot := lo; slot < min(lo+chunkSize, w.hi); slot++ {
				e := &s.entries[slot]
				if !e.live() || s.takeID(w, e, slot) || e.mask&s.q.mask != s.q.mask {
					continue
				}
				buf = append(buf, int32(slot))
			}
			s.rank(w, buf)
		}
	})
}

// takeID records e as an id hit if its id equals or starts with the
// pattern, and reports whether it did.
func (s *scan) takeID(w *worker, e *entry, slot int) bool {
	if s.q.idKey == "" {
		return false
	}
	m, keyLen := matchID(e.lowID(s.arena), s.q.idKey)
	if m == idNone {
		return false
	}
	w.ids.push(idHit{slot: int32(slot), exact: m == idExact, keyLen: keyLen})
	return true
}

// compareIDHits orders id hits: exact first, then shorter ids, then by id.
func (s *scan) compareIDHits(a, b idHit) int {
	if a.exact != b.exact {
		if a.exact {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.keyLen, b.keyLen); c != 0 {
		return c
	}
	if c := strings.Compare(s.entries[a.slot].lowID(s.arena), s.entries[b.slot].lowID(s.arena)); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

// compareFuzzyHits orders fuzzy hits by score, best first; among equal
// scores the match that starts earlier in its line (the buyer before the
// SKU and the city), then the shorter line, then index order, so results
// are stable.
func (s *scan) compareFuzzyHits(a, b fuzzyHit) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if len(a.matched) > 0 && len(b.matched) > 0 {
		if c := cmp.Compare(a.matched[0], b.matched[0]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(s.entries[a.slot].textLen, s.entries[b.slot].textLen); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

// hits merges the workers' results into the answer: id hits, then fuzzy
// hits, at most limit in all. Their strings are copies: the arena's bytes
// may change once the read lock is released.
func (s *scan) hits() []Hit {
	idParts := make([]*topK[idHit], len(s.workers))
	fuzzyParts := make([]*topK[fuzzyHit], len(s.workers))
	for i, w := range s.workers {
		idParts[i], fuzzyParts[i] = w.ids, w.fuzzy
	}
	ids := mergeBest(idParts, s.limit, s.compareIDHits)
	fuzzy := mergeBest(fuzzyParts, s.limit, s.compareFuzzyHits)

	var out []Hit
	for _, h := range ids {
		e := &s.entries[h.slot]
		score, matched := s.q.scoreOne(e, e.text(s.arena))
		out = append(out, s.hit(e, matched, score))
	}
	for _, h := range fuzzy {
		if s.limit > 0 && len(out) >= s.limit {
			break
		}
		out = append(out, s.hit(&s.entries[h.slot], h.matched, h.score))
	}
	return out
}

// hit is e as a search result, with copies of its strings.
func (s *scan) hit(e *entry, matched []int, score int) Hit {
	return Hit{ID: strings.Clone(e.id(s.arena)), Text: strings.Clone(e.text(s.arena)), Matched: matched, Score: score}
}
