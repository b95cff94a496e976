package search

import "unsafe"

// pageBits sizes the arena's pages (1 MiB). Records never cross a page, so
// growing the arena allocates one page and copies nothing.
const (
	pageBits = 20
	pageSize = 1 << pageBits
	// maxTextLen bounds an indexed line: longer texts are cut (at a rune
	// boundary) so a record always fits a page and its length a uint16.
	maxTextLen = 1<<16 - 1
)

// arena holds every indexed order's bytes in 1 MiB pages: at a million
// orders one string header and one allocation per order would cost more
// than the text itself, and feed the garbage collector millions of
// pointers to scan. An offset is page<<pageBits | position in the page.
type arena struct {
	pages [][]byte
	// live and dead count the bytes records use and the bytes replaced or
	// removed records left behind; compact reclaims dead ones.
	live, dead int
}

// add appends b as one record and returns its offset.
func (a *arena) add(b ...[]byte) uint32 {
	n := 0
	for _, part := range b {
		n += len(part)
	}
	last := len(a.pages) - 1
	if last < 0 || len(a.pages[last])+n > pageSize {
		a.pages = append(a.pages, make([]byte, 0, pageSize))
		last++
	}
	off := uint32(last)<<pageBits | uint32(len(a.pages[last]))
	for _, part := range b {
		a.pages[last] = append(a.pages[last], part...)
	}
	a.live += n
	return off
}

// bytes returns the n bytes at off. They are the arena's own memory: valid
// and unchanged only while the index's lock is held.
func (a *arena) bytes(off uint32, n int) []byte {
	p := a.pages[off>>pageBits]
	i := int(off & (pageSize - 1))
	return p[i : i+n : i+n]
}

// str is bytes as a string without a copy, for the matchers that take
// strings. Safe because a record's bytes change only under the index's write
// lock, and everything handed out of the index is cloned first.
func (a *arena) str(off uint32, n int) string {
	if n == 0 {
		return ""
	}
	b := a.bytes(off, n)
	return unsafe.String(unsafe.SliceData(b), n)
}

// free notes that a record of n bytes is no longer used.
func (a *arena) free(n int) {
	a.live -= n
	a.dead += n
}

// wasteful reports whether dead bytes outweigh live ones enough to be worth
// a compaction.
func (a *arena) wasteful() bool {
	return a.dead > pageSize && a.dead > a.live
}
