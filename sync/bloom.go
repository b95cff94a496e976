package sync

import "hash/maphash"

// bloomBits sizes the import's Bloom filter (4 MiB): at a million order ids
// about one in five thousand tests is a false positive, which only makes
// that order wait for the end of the file before it is stored.
const (
	bloomBits   = 1 << 25
	bloomProbes = 4
)

// bloom is a fixed-size Bloom filter of strings: the import's first pass
// remembers which orders' rows have ended without memory that grows with
// the file.
type bloom struct {
	bits []uint64
	seed maphash.Seed
}

func newBloom() *bloom {
	return &bloom{bits: make([]uint64, bloomBits/64), seed: maphash.MakeSeed()}
}

// probes derives the filter's bit positions from one 64-bit hash (double
// hashing).
func (b *bloom) probes(s string, fn func(bit uint64)) {
	h := maphash.String(b.seed, s)
	h1, h2 := h&0xffffffff, h>>32|1
	for i := range uint64(bloomProbes) {
		fn((h1 + i*h2) % bloomBits)
	}
}

func (b *bloom) add(s string) {
	b.probes(s, func(bit uint64) { b.bits[bit/64] |= 1 << (bit % 64) })
}

// has reports whether s may have been added (never false for one that was).
func (b *bloom) has(s string) bool {
	all := true
	b.probes(s, func(bit uint64) {
		if b.bits[bit/64]&(1<<(bit%64)) == 0 {
			all = false
		}
	})
	return all
}
