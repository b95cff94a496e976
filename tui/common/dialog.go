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
