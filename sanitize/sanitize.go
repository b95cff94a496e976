// Package sanitize makes text that comes from outside shipdeck (buyer names,
// addresses, notes, 3PL error bodies) safe to print on an operator's
// terminal. A hostile or broken string must not be able to move the cursor,
// retitle the window, write to the clipboard, switch character sets, reverse
// the reading order or hide characters, so everything a terminal would
// interpret instead of print is removed once, when the text enters the view
// model.
//
// What is removed: escape sequences of every ECMA-48 kind (CSI, OSC, DCS,
// SOS, PM, APC in their 7-bit and 8-bit forms, including the whole payload of
// string sequences), C0 controls, DEL, C1 controls, Unicode format
// characters (bidi embeddings, overrides and isolates, zero-width spaces and
// joiners, BOM, soft hyphen, tags) and invisible Hangul fillers. Invalid
// UTF-8 becomes U+FFFD. Tabs and line breaks become a space (Line) or a
// newline (Text). Everything else, such as "Zoë", "王芳" or emoji, is kept.
//
// Both functions are idempotent: cleaning cleaned text changes nothing.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one line of display text: line breaks and tabs become a
// single space each (CRLF counts as one break) and everything a terminal
// would interpret is removed. Use it for table cells and one-line fields.
func Line(s string) string { return clean(s, false) }

// Text returns s as multi-line display text: like Line, but line breaks
// (LF, CRLF, lone CR, NEL, U+2028, U+2029) become "\n". Use it for detail
// panes that show whole 3PL error messages or notes.
func Text(s string) string { return clean(s, true) }

// clean is Line when keepNewlines is false and Text when it is true.
func clean(s string, keepNewlines bool) string {
	if isPlainASCII(s) {
		return s
	}
	newline := byte(' ')
	if keepNewlines {
		newline = '\n'
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
			i++
			continue
		case c == esc:
			i = skipEscape(s, i+1)
			continue
		case c == '\r':
			b.WriteByte(newline)
			i++
			if i < len(s) && s[i] == '\n' {
				i++
			}
			continue
		case c == '\n':
			b.WriteByte(newline)
			i++
			continue
		case c == '\t':
			b.WriteByte(' ')
			i++
			continue
		case c < 0x80:
			// The remaining C0 controls and DEL.
			i++
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		invalid := r == utf8.RuneError && size == 1
		if invalid && c <= 0x9f {
			// A raw 8-bit C1 byte: some terminals act on it just like
			// the UTF-8 encoded control.
			r, invalid = rune(c), false
		}
		i += size
		switch {
		case invalid:
			b.WriteRune(utf8.RuneError)
		case r <= 0x9f:
			next, isNewline := skipC1(s, r, i)
			if isNewline {
				b.WriteByte(newline)
			}
			i = next
		case r == '\u2028' || r == '\u2029':
			b.WriteByte(newline)
		case isInvisible(r):
			// dropped
		default:
			b.WriteString(s[i-size : i])
		}
	}
	return b.String()
}

// isPlainASCII reports whether s holds only printable ASCII, the common case
// that needs no copy.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isInvisible reports whether r is a format character or filler that prints
// nothing but can reorder, split or disguise the text around it.
func isInvisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0':
		// Hangul fillers: blank "letters" used to fake empty or
		// look-alike names.
		return true
	}
	return unicode.Is(unicode.Cf, r)
}
