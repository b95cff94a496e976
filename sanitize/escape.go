package sanitize

import "unicode/utf8"

// esc introduces every 7-bit escape sequence.
const esc = 0x1b

// C1 controls that start a sequence rather than standing alone.
const (
	c1NEL = 0x85 // next line
	c1DCS = 0x90 // device control string
	c1SOS = 0x98 // start of string
	c1CSI = 0x9b // control sequence introducer
	c1ST  = 0x9c // string terminator
	c1OSC = 0x9d // operating system command
	c1PM  = 0x9e // privacy message
	c1APC = 0x9f // application program command
)

// skipEscape returns the index just past the escape sequence whose ESC byte
// ends right before i. A lone ESC (at the end, or before a byte that cannot
// continue a sequence) is skipped by itself.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		// OSC, DCS, SOS, PM, APC: a payload up to a terminator.
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f:
		// nF sequence, e.g. ESC ( 0 (DEC line drawing): intermediates,
		// then one final byte.
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e:
		// Two-byte sequences: ESC 7, ESC c (full reset), ESC N, ...
		return i + 1
	default:
		return i
	}
}

// skipC1 handles the C1 control r whose encoding ends right before i. It
// returns the index just past the sequence r starts (if any) and whether r
// stands for a line break (NEL).
func skipC1(s string, r rune, i int) (next int, isNewline bool) {
	switch r {
	case c1CSI:
		return skipCSI(s, i), false
	case c1OSC, c1DCS, c1SOS, c1PM, c1APC:
		return skipString(s, i), false
	case c1NEL:
		return i, true
	default:
		return i, false
	}
}

// skipCSI returns the index just past a control sequence whose introducer
// ends right before i: parameter and intermediate bytes, then a final byte.
// A byte that cannot belong to the sequence ends it early and is left for
// the caller to judge on its own.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f:
			i++
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past a control string (OSC, DCS, SOS,
// PM, APC payload) whose introducer ends right before i. The string ends at
// BEL, ST (ESC \ or C1 ST), or CAN/SUB, which cancel it. Another ESC ends it
// too and is left to start a new sequence. An unterminated string runs to the
// end of s, as a terminal would swallow it.
func skipString(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch c {
		case 0x07, 0x18, 0x1a:
			return i + 1
		case esc:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == c1ST || (r == utf8.RuneError && size == 1 && c == c1ST) {
			return i + size
		}
		i += size
	}
	return i
}
