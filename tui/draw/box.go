package draw

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Box frames content (exactly w-2 by h-2 cells, as Block makes it) with a
// rounded border of w by h cells and a title in the top edge. When the
// rectangle is too small for a frame, the content is laid out unframed.
func Box(title, content string, w, h int, border, titleStyle lipgloss.Style) string {
	if w < 4 || h < 3 {
		return Block(strings.Split(content, "\n"), w, h)
	}
	inner := w - 2
	var b strings.Builder
	b.Grow(h * (w + 8))

	t := Cut(title, inner-2)
	tw := Width(t)
	if tw > 0 {
		b.WriteString(border.Render("╭─"))
		b.WriteString(titleStyle.Render(t))
		b.WriteString(border.Render(strings.Repeat("─", inner-1-tw) + "╮"))
	} else {
		b.WriteString(border.Render("╭" + strings.Repeat("─", inner) + "╮"))
	}

	side := border.Render("│")
	lines := strings.Split(content, "\n")
	blank := strings.Repeat(" ", inner)
	for i := range h - 2 {
		b.WriteByte('\n')
		b.WriteString(side)
		if i < len(lines) {
			b.WriteString(Fit(lines[i], inner))
		} else {
			b.WriteString(blank)
		}
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(border.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// Place draws box over base (both as lines of text) with box's top-left
// corner at column x, row y. Cells of base outside the box are kept.
func Place(base, box string, x, y int) string {
	baseLines := strings.Split(base, "\n")
	boxLines := strings.Split(box, "\n")
	for i, bl := range boxLines {
		row := y + i
		if row < 0 || row >= len(baseLines) {
			continue
		}
		line := baseLines[row]
		lw := Width(line)
		bw := Width(bl)
		left := ""
		if x > 0 {
			left = Fit(cutRange(line, 0, x), x)
		}
		right := ""
		if x+bw < lw {
			right = cutRange(line, x+bw, lw)
		}
		baseLines[row] = left + "\x1b[m" + bl + "\x1b[m" + right
	}
	return strings.Join(baseLines, "\n")
}

// Center draws box over base centred in a w by h screen.
func Center(base, box string, w, h int) string {
	bw, bh := lipgloss.Size(box)
	return Place(base, box, max(0, (w-bw)/2), max(0, (h-bh)/2))
}

// cutRange returns the cells [left, right) of a styled line.
func cutRange(s string, left, right int) string {
	if right <= left {
		return ""
	}
	return ansi.Cut(s, left, right)
}
