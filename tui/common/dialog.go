package common

import (
	"strings"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// Dialog frames an overlay's lines in a w by h box with the overlay
// border and title.
func (c *Common) Dialog(title string, lines []string, w, h int) string {
	th := c.Theme
	return draw.Box(" "+title+" ", strings.Join(lines, "\n"), w, h, th.OverlayBorder, th.OverlayTitle)
}

// ScrollDialog frames lines in a dialog up to width cells wide (and as tall
// as they need) on a screenW by screenH screen, from line *scroll, which it
// clamps so the last page stays full; the title says j/k scroll when the
// lines do not fit.
func (c *Common) ScrollDialog(title string, lines []string, width, screenW, screenH int, scroll *int) string {
	w, h := draw.DialogSize(width, len(lines)+2, screenW, screenH)
	body := max(0, h-2)
	*scroll = min(max(*scroll, 0), max(0, len(lines)-body))
	if len(lines) > body {
		title += " · j/k scroll"
	}
	return c.Dialog(title, lines[*scroll:], w, h)
}
