package search

import "sync"

// candidate is an entry that passed the large-index prefilter, with its
// rank key (lower is more promising).
type candidate struct {
	slot int32
	key  uint16
}

// runCapped is the scan for large indexes: a cheap pass finds the entries
// holding every pattern rune in order and estimates how tight the match is;
// then only the capacity most promising are fuzzy-ranked.
// Candidate buffers come from and go back to bufs.
func (s *scan) runCapped(capacity int, bufs *sync.Pool) {
	for _, w := range s.workers {
		if b, ok := bufs.Get().(*[]candidate); ok {
			w.cands = (*b)[:0]
		}
	}
	defer func() {
		for _, w := range s.workers {
			b := w.cands[:0]
			w.cands = nil
			bufs.Put(&b)
		}
	}()

	s.parallel(func(w *worker) {
		w.hist = make([]int, maxRankKey+1)
		for lo := w.lo; lo < w.hi; lo += chunkSize {
			if s.cancelled() {
				return
			}
			for slot := lo; slot < min(lo+chunkSize, w.hi); slot++ {
				e := &s.entries[slot]
				if !e.live() || s.takeID(w, e, slot) || e.mask&s.q.mask != s.q.mask {
					continue
				}
				if key, ok := rankKey(e, e.text(s.arena), s.q); ok {
					w.cands = append(w.cands, candidate{slot: int32(slot), key: key})
					w.hist[key]++
				}
			}
		}
	})
	if s.cancelled() {
		return
	}

	cutoff, quotas := s.cutoff(capacity)
	s.parallel(func(w *worker) {
		quota := quotas[w]
		buf := make([]int32, 0, chunkSize)
		for _, c := range w.cands {
			switch {
			case c.key < cutoff:
			case c.key == cutoff && quota > 0:
				quota--
			default:
				continue
			}
			buf = append(buf, c.slot)
			if len(buf) == chunkSize {
				if s.cancelled() {
					return
				}
				s.rank(w, buf)
				buf = buf[:0]
			}
		}
		if !s.cancelled() {
			s.rank(w, buf)
		}
	})
}

// cutoff picks the rank key below which every candidate is ranked, and how
// many candidates with exactly that key each worker ranks, so at most
// capacity are ranked in all. Ties at the cutoff go to the lowest slots.
func (s *scan) cutoff(capacity int) (key uint16, quotas map[*worker]int) {
	var total [maxRankKey + 1]int
	for _, w := range s.workers {
		for k, n := range w.hist {
			total[k] += n
		}
	}
	quotas = make(map[*worker]int, len(s.workers))
	below := 0
	for k, n := range total {
		if below+n <= capacity {
			below += n
			continue
		}
		left := capacity - below
		for _, w := range s.workers {
			take := min(w.hist[k], left)
			quotas[w] = take
			left -= take
		}
		return uint16(k), quotas
	}
	return maxRankKey + 1, quotas
}
