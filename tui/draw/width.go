package draw

import "unicode/utf8"

// narrowWidth is the fast path of Width for what the console draws most:
// text whose every rune is one cell wide (ASCII, Latin, box drawing,
// blocks, arrows, common punctuation) with SGR styling. It reports false
// for anything else, which then takes the full grapheme-aware path.
func narrowWidth(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			// Skip a CSI sequence: ESC [ parameters final-byte.
			if i+1 >= len(s) || s[i+1] != '[' {
				return 0, false
			}
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			if j >= len(s) {
				return 0, false
			}
			i = j + 1
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c < 0x80:
			return 0, false
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isNarrowRune(r) {
				return 0, false
			}
			n++
			i += size
		}
	}
	return n, true
}

// isNarrowRune reports runes known to take exactly one cell; a test checks
// every one of them against the full width computation.
func isNarrowRune(r rune) bool {
	switch {
	case r >= 0xa1 && r <= 0x2ff && r != 0xad: // Latin-1 and Latin extended, not the soft hyphen
		return true
	case r >= 0x2010 && r <= 0x2027: // dashes, quotes, bullets, ellipsis
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r >= 0x2500 && r <= 0x25fc: // box drawing, blocks, geometric shapes
		return true
	}
	return false
}
