package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRankKey bounds candidate rank keys; see rankKey.
const maxRankKey = 511

// rankKey returns a cheap estimate of how well text matches q, lower is
// better, and ok == false when q's runes do not all occur in text in order
// (then the fuzzy matcher cannot match either). The estimate is the length
// of the tightest match window (a contiguous match is best, as the fuzzy
// matcher's adjacency bonus grows with every adjacent rune), doubled, plus
// one when the window does not start a word. Large indexes rank only the
// candidates with the lowest keys.
func rankKey(e *entry, text string, q *query) (key uint16, ok bool) {
	var start, end int
	if e.ascii() && q.ascii {
		start, end, ok = asciiWindow(text, q.text)
	} else {
		start, end, ok = foldWindow(text, q.runes)
	}
	if !ok {
		return 0, false
	}
	k := 2 * (end - start)
	if start > 0 && !isWordBreak(text[start-1]) {
		k++
	}
	return uint16(min(k, maxRankKey)), true
}

// isWordBreak reports whether a match starting after byte c starts a word,
// using the separators the fuzzy matcher rewards.
func isWordBreak(c byte) bool {
	switch c {
	case ' ', '-', '_', '.', '/', '\\':
		return true
	}
	return false
}

// asciiWindow finds a short window [start, end) of text holding pat as a
// subsequence, for lower-case ASCII text and pattern: the first occurrence of
// pat as a substring if there is one, else the tightest window that ends
// where the earliest greedy match ends.
func asciiWindow(text, pat string) (start, end int, ok bool) {
	if i := strings.Index(text, pat); i >= 0 {
		return i, i + len(pat), true
	}
	pos := 0
	for k := 0; k < len(pat); k++ {
		i := strings.IndexByte(text[pos:], pat[k])
		if i < 0 {
			return 0, 0, false
		}
		pos += i + 1
	}
	end = pos
	limit := end
	for k := len(pat) - 1; k >= 0; k-- {
		limit = strings.LastIndexByte(text[:limit], pat[k])
	}
	return limit, end, true
}

// foldWindow is asciiWindow for any text and pattern, comparing runes by
// Unicode case folding like the fuzzy matcher.
func foldWindow(text string, pat []rune) (start, end int, ok bool) {
	k := 0
	for i := 0; i < len(text) && k < len(pat); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if foldEqual(r, pat[k]) {
			k++
			end = i
		}
	}
	if k < len(pat) {
		return 0, 0, false
	}
	start = end
	for k = len(pat) - 1; k >= 0 && start > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
		if foldEqual(r, pat[k]) {
			k--
		}
	}
	return start, end, true
}

// foldEqual reports whether a and b are equal under simple case folding.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if a >= 'A' && a <= 'Z' {
			a += 'a' - 'A'
		}
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
