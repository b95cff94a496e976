package health

import (
	"math"
	"time"
)

// Latency histogram layout. Bins are log-scaled: binsPerOctave bins per
// doubling, starting at lowestLatency, so every bin spans the same ratio
// (2^(1/8) ≈ 1.09). A percentile is reported as the bin's geometric
// midpoint, which is within 2^(1/16)-1 ≈ 4.4% of any latency in the bin
// (about 2% on average), clamped to the window's observed min and max.
// Latencies below lowestLatency share bin 0; latencies above the top edge
// (≈137s) share the last bin and are reported through the clamp to max.
const (
	binsPerOctave = 8
	octaves       = 21
	lowestLatency = 64 * time.Microsecond
	numBins       = 1 + octaves*binsPerOctave
)

// Bin indexes are stored as uint8; this fails to compile if numBins grows
// past that.
const _ = uint8(numBins - 1)

// histogram counts calls per latency bin.
type histogram [numBins]uint32

// binOf is the bin a latency falls into.
func binOf(d time.Duration) int {
	if d < lowestLatency {
		return 0
	}
	i := 1 + int(binsPerOctave*math.Log2(float64(d)/float64(lowestLatency)))
	return min(i, numBins-1)
}

// binValue is the latency a bin reports: its geometric midpoint.
func binValue(i int) time.Duration {
	if i == 0 {
		return lowestLatency / 2
	}
	exp := (float64(i-1) + 0.5) / binsPerOctave
	return time.Duration(float64(lowestLatency) * math.Exp2(exp))
}

// quantile reads quantile q (in (0,1]) from counts holding total calls,
// using the nearest-rank definition, and clamps it to [lo, hi], the
// smallest and largest latency actually seen.
func quantile(counts *[numBins]uint64, total uint64, lo, hi time.Duration, q float64) time.Duration {
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = min(max(rank, 1), total)
	var cum uint64
	bin := 0
	for ; bin < numBins-1; bin++ {
		cum += counts[bin]
		if cum >= rank {
			break
		}
	}
	return min(max(binValue(bin), lo), hi)
}
