package health

import (
	gosync "sync"
	"time"
)

// ringMinutes is how far back a carrier's history reaches: one bucket per
// minute for 24 hours.
const ringMinutes = 24 * 60

// bucket holds one minute of one carrier's calls. With the histogram it
// takes about 700 bytes, so a carrier called every minute of the day holds
// about 1 MB; buckets are allocated on first use, so a quiet carrier holds
// far less.
type bucket struct {
	minute   int64 // Unix minute this bucket counts
	calls    uint32
	errors   uint32
	min, max time.Duration
	// loBin and hiBin bound the histogram's used bins, so merging a
	// bucket touches only those.
	loBin, hiBin uint8
	hist         histogram
}

// series is one carrier's ring of minute buckets.
type series struct {
	mu    gosync.Mutex
	slots [ringMinutes]*bucket
}

// unixMinute is the minute t falls in, counted from the Unix epoch.
func unixMinute(t time.Time) int64 {
	s := t.Unix()
	m := s / 60
	if s%60 < 0 {
		m-- // floor for times before 1970
	}
	return m
}

// slotOf is the ring slot of a Unix minute.
func slotOf(m int64) int {
	i := int(m % ringMinutes)
	if i < 0 {
		i += ringMinutes
	}
	return i
}

// record adds one call. A call older than what its slot already holds is
// more than 24 hours behind newer data and is dropped.
func (s *series) record(at time.Time, latency time.Duration, ok bool) {
	latency = max(latency, 0)
	m := unixMinute(at)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slotOf(m)
	b := s.slots[i]
	switch {
	case b == nil:
		b = &bucket{minute: m}
		s.slots[i] = b
	case b.minute > m:
		return
	case b.minute < m:
		*b = bucket{minute: m}
	}
	bin := binOf(latency)
	if b.calls == 0 {
		b.min, b.max = latency, latency
		b.loBin, b.hiBin = uint8(bin), uint8(bin)
	}
	b.min, b.max = min(b.min, latency), max(b.max, latency)
	b.loBin, b.hiBin = min(b.loBin, uint8(bin)), max(b.hiBin, uint8(bin))
	b.calls++
	if !ok {
		b.errors++
	}
	b.hist[bin]++
}

// live returns the bucket of Unix minute m, or nil when nothing was
// recorded in that minute. The caller holds s.mu.
func (s *series) live(m int64) *bucket {
	b := s.slots[slotOf(m)]
	if b == nil || b.minute != m || b.calls == 0 {
		return nil
	}
	return b
}

// stats merges the minutes [last-n+1, last] into one Stats.
func (s *series) stats(last int64, n int) Stats {
	var counts [numBins]uint64
	var total, errs uint64
	var lo, hi time.Duration
	s.mu.Lock()
	for m := last - int64(n) + 1; m <= last; m++ {
		b := s.live(m)
		if b == nil {
			continue
		}
		if total == 0 || b.min < lo {
			lo = b.min
		}
		if total == 0 || b.max > hi {
			hi = b.max
		}
		total += uint64(b.calls)
		errs += uint64(b.errors)
		for i := int(b.loBin); i <= int(b.hiBin); i++ {
			counts[i] += uint64(b.hist[i])
		}
	}
	s.mu.Unlock()
	return statsFrom(&counts, total, errs, lo, hi)
}

// medians is the median latency of each of the n minutes ending at last,
// oldest first, in milliseconds; 0 for minutes without calls.
func (s *series) medians(last int64, n int) []float64 {
	out := make([]float64, n)
	var counts [numBins]uint64
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range n {
		b := s.live(last - int64(n-1-k))
		if b == nil {
			continue
		}
		for i, c := range b.hist {
			counts[i] = uint64(c)
		}
		p50 := quantile(&counts, uint64(b.calls), b.min, b.max, 0.5)
		out[k] = float64(p50) / float64(time.Millisecond)
	}
	return out
}

// statsFrom turns merged counts into Stats.
func statsFrom(counts *[numBins]uint64, total, errs uint64, lo, hi time.Duration) Stats {
	if total == 0 {
		return Stats{}
	}
	return Stats{
		P50:       quantile(counts, total, lo, hi, 0.50),
		P95:       quantile(counts, total, lo, hi, 0.95),
		P99:       quantile(counts, total, lo, hi, 0.99),
		Calls:     int(total),
		Errors:    int(errs),
		ErrorRate: float64(errs) / float64(total),
	}
}
