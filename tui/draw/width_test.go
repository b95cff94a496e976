package draw

import (
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/theme"
)

func TestNarrowRunesAreOneCell(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if isNarrowRune(r) {
			if w := ansi.StringWidth(string(r)); w != 1 {
				t.Errorf("U+%04X is %d cells wide", r, w)
			}
		}
	}
}

func TestWidthAgreesWithTheFullComputation(t *testing.T) {
	th := theme.New(theme.Options{Dark: true})
	for _, s := range []string{
		"", "plain", th.Bad.Render("styled"), th.Border.Render("╭─ Queues ──╮"), "Zoë · late 35m …",
		"王芳", "e\u0301", "emoji ✅", "\x1b]0;title\x07x", "tab\there", th.Gauge(0.4, 9), th.Sparkline([]float64{1, 2}, 4),
		"\x1b[", "\x1b[31", "a\u200bb",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
