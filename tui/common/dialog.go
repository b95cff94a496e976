package common

import (
	"strings"
)

// Dialog frames an overlay's lines in a w by h box with the overlay
// border and title.
func (c *Common) Dialog(title string, lines []string, w, h int) string {
	th := c.Theme
	return Box(" "+title+" ", strings.Join(lines, "\n"), w, h, th.OverlayBorder, th.OverlayTitle)
}

// DialogSize picks an overlay's size: want cells wide and tall, but never
// more than the screen leaves (a margin of one cell around it).
func DialogSize(want, wantH, screenW, screenH int) (int, int) {
	return max(0, min(want, screenW-2)), max(0, min(wantH, screenH-2))
}
