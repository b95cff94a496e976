package sanitize

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkSafe fails t if out holds anything a terminal could interpret:
// ESC or any other C0 control (except "\n" when allowNewline), DEL, a C1
// control, a format character, or invalid UTF-8.
func checkSafe(t *testing.T, fn, in, out string, allowNewline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8", fn, in, out)
	}
	for i, r := range out {
		switch {
		case r == '\n' && allowNewline:
		case r < 0x20, r == 0x7f:
			t.Fatalf("%s(%q) = %q: control %U at byte %d", fn, in, out, r, i)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("%s(%q) = %q: C1 control %U at byte %d", fn, in, out, r, i)
		case unicode.Is(unicode.Cf, r):
			t.Fatalf("%s(%q) = %q: format character %U at byte %d", fn, in, out, r, i)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, seed := range []string{
		"Alice Smith",
		"Zoë 王芳 📦",
		"\x1b[31mred\x1b[0m",
		"\x1b]0;pwned\x07",
		"\x1b]52;c;cm0gLXJmIH4=\x1b\\",
		"\x9b31m\x9d0;t\x9c",
		"\u009b2J\u0085",
		"a\u202Eb\u2066c\u200Dd",
		"\xff\xe4\xb8",
		"x\r\ny\tz\x7f",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Line(in)
		checkSafe(t, "Line", in, out, false)
		if again := Line(out); again != out {
			t.Fatalf("Line not idempotent on %q: %q then %q", in, out, again)
		}
		text := Text(in)
		checkSafe(t, "Text", in, text, true)
		if again := Text(text); again != text {
			t.Fatalf("Text not idempotent on %q: %q then %q", in, text, again)
		}
	})
}
