package sanitize

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain ascii is kept", "Alice Smith, 12 Main St", "Alice Smith, 12 Main St"},
		{"empty", "", ""},
		{"accents are kept", "Zoë Núñez", "Zoë Núñez"},
		{"cjk is kept", "王芳 上海市", "王芳 上海市"},
		{"emoji are kept", "Bob 🚚📦", "Bob 🚚📦"},
		{"emoji with variation selector is kept", "I ❤️ it", "I ❤️ it"},
		{"sgr colour is removed", "\x1b[31mRED\x1b[0m buyer", "RED buyer"},
		{"cursor movement is removed", "ok\x1b[2J\x1b[H\x1b[1;1Hspoof", "okspoof"},
		{"private csi is removed", "a\x1b[?1049hb\x1b[?25lc", "abc"},
		{"osc title with bel is removed with payload", "x\x1b]0;pwned\x07y", "xy"},
		{"osc with st is removed with payload", "x\x1b]0;pwned\x1b\\y", "xy"},
		{"osc 52 clipboard write is removed", "x\x1b]52;c;cm0gLXJmIH4=\x07y", "xy"},
		{"osc 8 hyperlink keeps only the label", "\x1b]8;;http://evil.example/\x1b\\Click\x1b]8;;\x1b\\", "Click"},
		{"dcs is removed with payload", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"apc is removed with payload", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		{"pm is removed with payload", "a\x1b^secret\x1b\\b", "ab"},
		{"sos is removed with payload", "a\x1bXsecret\x1b\\b", "ab"},
		{"unterminated osc swallows the rest", "name\x1b]0;title never ends", "name"},
		{"osc cancelled by CAN", "a\x1b]0;t\x18b", "ab"},
		{"esc inside osc starts a new sequence", "a\x1b]0;t\x1b[31mb", "ab"},
		{"charset switch is removed", "a\x1b(0lqqk\x1b(Bb", "alqqkb"},
		{"full reset is removed", "a\x1bcb", "ab"},
		{"save cursor is removed", "a\x1b7b\x1b8c", "abc"},
		{"lone esc at end is removed", "abc\x1b", "abc"},
		{"esc before control is removed", "a\x1b\x01b", "ab"},
		{"csi aborted by newline", "a\x1b[3\n1mb", "a 1mb"},
		{"carriage return overwrite is neutralised", "Paid in full\rREFUND", "Paid in full REFUND"},
		{"crlf is one space", "line1\r\nline2", "line1 line2"},
		{"newline and tab become spaces", "a\nb\tc", "a b c"},
		{"other c0 controls are removed", "a\x00b\x07c\x08d\x0ee\x1ff", "abcdef"},
		{"del is removed", "a\x7fb", "ab"},
		{"8-bit csi is removed with its sequence", "a\x9b31mb", "ab"},
		{"utf-8 encoded csi is removed with its sequence", "a\u009b2Jb", "ab"},
		{"8-bit osc is removed with payload", "a\x9d0;pwned\x9cb", "ab"},
		{"utf-8 encoded osc is removed with payload", "a\u009d0;pwned\u009cb", "ab"},
		{"osc payload may hold a quote whose last byte is 0x9c", "a\x1b]0;“t”\x07b", "ab"},
		{"other c1 controls are removed", "a\u0080b\u0084c\u008ed", "abcd"},
		{"nel is a line break", "a\u0085b", "a b"},
		{"invalid utf-8 becomes replacement", "a\xffb\xe4\xb8c", "a\ufffdb\ufffd\ufffdc"},
		{"bidi override is removed", "invoice\u202Egpj.exe", "invoicegpj.exe"},
		{"bidi isolates are removed", "a\u2066b\u2067c\u2068d\u2069e", "abcde"},
		{"bidi embeddings and marks are removed", "a\u202Ab\u202Bc\u202Cd\u200Ee\u200Ff", "abcdef"},
		{"zero-width characters are removed", "al\u200Bi\u200Cc\u200De\u2060\uFEFF", "alice"},
		{"hangul filler is removed", "\u3164\u3164", ""},
		{"soft hyphen is removed", "Ali\u00ADce", "Alice"},
		{"line separator becomes space", "a\u2028b\u2029c", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.in)
			if got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Line(got); again != got {
				t.Errorf("Line is not idempotent on %q: %q then %q", tt.in, got, again)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"newlines are kept", "rate limited\nretry later", "rate limited\nretry later"},
		{"crlf becomes one newline", "a\r\nb\r\n", "a\nb\n"},
		{"lone cr becomes a newline instead of overwriting", "ok\rFAIL", "ok\nFAIL"},
		{"tab becomes a space", "a\tb", "a b"},
		{"nel and separators become newlines", "a\u0085b\u2028c\u2029d", "a\nb\nc\nd"},
		{"escapes are still removed", "err: \x1b[1;31mboom\x1b[0m\n\x1b]0;x\x07done", "err: boom\ndone"},
		{"html error body is kept as text", "<html>\n<h1>502 Bad Gateway</h1>\n</html>", "<html>\n<h1>502 Bad Gateway</h1>\n</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Text(got); again != got {
				t.Errorf("Text is not idempotent on %q: %q then %q", tt.in, got, again)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{"fits", "Alice", 10, "Alice"},
		{"exact fit", "Alice", 5, "Alice"},
		{"cut with ellipsis", "Alice Smith", 6, "Alice…"},
		{"wide characters count two cells", "王芳王芳", 5, "王芳…"},
		{"emoji count two cells", "📦📦📦", 4, "📦…"},
		{"escapes do not count and are removed", "\x1b[31mAlice Smith\x1b[0m", 6, "Alice…"},
		{"zero width", "Alice", 0, ""},
		{"negative width", "Alice", -3, ""},
		{"width one", "Alice", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.width)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
			if tt.width > 0 {
				if w := Width(got); w > tt.width {
					t.Errorf("Truncate(%q, %d) is %d cells wide", tt.in, tt.width, w)
				}
			}
		})
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"Alice", 5},
		{"Zoë", 3},
		{"王芳", 4},
		{"\x1b[31mred\x1b[0m", 3},
		{"a\u200Bb", 2},
	}
	for _, tt := range tests {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestPlainASCIIIsNotCopied(t *testing.T) {
	in := strings.Repeat("ORD-5000000 alice@shop.io ", 4)
	if got := Line(in); got != in {
		t.Fatalf("Line changed plain text: %q", got)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = Line(in) })
	if allocs != 0 {
		t.Errorf("Line allocated %.0f times for plain ASCII, want 0", allocs)
	}
}
