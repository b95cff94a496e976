package search

import (
	"unicode"
	"unicode/utf8"
)

// asciiBit returns the mask bit of an ASCII letter (either case) or digit,
// and 0 for anything else.
func asciiBit(b byte) uint64 {
	switch {
	case b >= 'a' && b <= 'z':
		return 1 << (b - 'a')
	case b >= 'A' && b <= 'Z':
		return 1 << (b - 'A')
	case b >= '0' && b <= '9':
		return 1 << (26 + b - '0')
	}
	return 0
}

// foldBits returns the bits of the ASCII letters that r case-folds to, such
// as 's' for 'ſ' or 'k' for the Kelvin sign. The fuzzy matcher treats those
// as equal, so the prefilter must too.
func foldBits(r rune) uint64 {
	var m uint64
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			m |= asciiBit(byte(f))
		}
	}
	return m
}

// textMask returns the letter/digit mask of s and whether s is pure ASCII.
func textMask(s string) (mask uint64, ascii bool) {
	ascii = true
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			mask |= asciiBit(b)
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRuneInString(s[i:])
		mask |= foldBits(r)
		i += size
	}
	return mask, ascii
}

// patternMask returns the bits an entry's mask must hold for the entry to
// possibly match runes: every letter or digit of the pattern, directly or
// through case folding. Other runes add no constraint.
func patternMask(runes []rune) uint64 {
	var m uint64
	for _, r := range runes {
		if r < utf8.RuneSelf {
			m |= asciiBit(byte(r))
		} else {
			m |= foldBits(r)
		}
	}
	return m
}
