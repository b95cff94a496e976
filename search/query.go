package search

import (
	"strings"
	"unicode/utf8"
)

// minPrefixLen is the shortest id key that ranks id-prefix matches first.
// Shorter patterns ("5", "or") are prefixes of nearly every order id and
// would bury the fuzzy matches the operator is after.
const minPrefixLen = 3

// query is a search pattern prepared once per Find.
type query struct {
	// text is the pattern lower-cased; it is what the fuzzy matcher gets.
	text  string
	runes []rune
	// folded is runes under case folding (see foldRune), for texts that
	// are not plain ASCII.
	folded []rune
	ascii  bool
	mask   uint64
	// idKey is the pattern reduced to what order ids are compared on:
	// lower-case letters, digits and non-ASCII bytes, without separators.
	idKey string
}

// newQuery prepares pattern; ok is false when there is nothing to search
// for.
func newQuery(pattern string) (q query, ok bool) {
	text := strings.ToLower(strings.TrimSpace(pattern))
	if text == "" {
		return query{}, false
	}
	runes := []rune(text)
	folded := make([]rune, len(runes))
	for i, r := range runes {
		folded[i] = foldRune(r)
	}
	return query{
		text:   text,
		runes:  runes,
		folded: folded,
		ascii:  len(runes) == len(text),
		mask:   patternMask(runes),
		idKey:  idKey(text),
	}, true
}

// idKey keeps the bytes of s that id comparison looks at.
func idKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isIDByte(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// isIDByte reports whether id comparison looks at byte c: separators such as
// '-' or '_' are skipped, so "ord579" finds "ORD-579...".
func isIDByte(c byte) bool {
	return c >= utf8.RuneSelf || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// idMatch says how an entry's id relates to the pattern.
type idMatch uint8

const (
	idNone idMatch = iota
	idPrefix
	idExact
)

// matchID compares lowID (lower-cased) with key, skipping separators in
// lowID. It returns the kind of match and lowID's key length, which ranks
// prefix matches (shorter ids first).
func matchID(lowID, key string) (m idMatch, keyLen int) {
	k := 0
	i := 0
	for ; i < len(lowID) && k < len(key); i++ {
		c := lowID[i]
		if !isIDByte(c) {
			continue
		}
		if c != key[k] {
			return idNone, 0
		}
		k++
	}
	if k < len(key) {
		return idNone, 0
	}
	keyLen = k
	for ; i < len(lowID); i++ {
		if isIDByte(lowID[i]) {
			keyLen++
		}
	}
	if keyLen == len(key) {
		return idExact, keyLen
	}
	if len(key) < minPrefixLen {
		return idNone, 0
	}
	return idPrefix, keyLen
}
