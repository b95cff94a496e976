package orderlist

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// Column is one column of the list.
type Column struct {
	Title string
	// Width is the column's width in cells; 0 shares the space left over.
	Width int
	// Drop orders the columns dropped when the list is too narrow:
	// highest first; 0 is never dropped.
	Drop int
	// Cell renders the column for one order. It returns plain text and the
	// style to draw it in; outside strings must already be Clean.
	Cell func(o *store.Order, now time.Time, th *theme.Theme) (string, lipgloss.Style)
}

// View draws the header and the rows on screen, exactly width by height.
// Rows outside the cached page (while a fetch is under way) are blank.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.c.Theme
	widths := m.widths()
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header(widths, th))
	now := m.c.Now()
	v := m.Visible()
	switch {
	case m.err != nil:
		lines = append(lines, th.Bad.Render(draw.Cut("could not load: "+draw.Clean(m.err.Error()), m.width)))
	case m.total == 0 && !m.loading:
		lines = append(lines, th.Muted.Render("nothing here"))
	default:
		for i := m.offset; i < m.offset+v && i < m.total; i++ {
			j := i - m.pageOffset
			if j < 0 || j >= len(m.rows) {
				lines = append(lines, th.Muted.Render(" …"))
				continue
			}
			lines = append(lines, m.row(&m.rows[j], i == m.cursor, widths, now, th))
		}
	}
	if m.total > v && v > 0 {
		pos := fmt.Sprintf(" %d/%d ", m.cursor+1, m.total)
		lines[0] = draw.Right(lines[0], th.Muted.Render(pos), m.width)
	}
	return draw.Block(lines, m.width, m.height)
}

// minFlex is the narrowest a flexible column is drawn; below it optional
// columns are dropped, rightmost first.
const minFlex = 8

// widths shares the list's width among the columns: a two-cell gutter for
// the cursor and mark, fixed columns, then the flexible ones. Hidden
// columns get width 0.
func (m *Model) widths() []int {
	drops := make([]int, len(m.columns))
	for i, c := range m.columns {
		drops[i] = c.Drop
	}
	shown := draw.DropColumns(drops, func(shown []bool) bool { return !m.cramped(m.share(shown), shown) })
	return m.share(shown)
}

// share splits the width among the shown columns.
func (m *Model) share(shown []bool) []int {
	ws := make([]int, len(m.columns))
	free := m.width - 2
	flex := 0
	for i, c := range m.columns {
		if !shown[i] {
			continue
		}
		if c.Width > 0 {
			ws[i] = c.Width
			free -= c.Width + 1
		} else {
			flex++
		}
	}
	if flex > 0 {
		each := max(0, free/flex-1)
		for i, c := range m.columns {
			if shown[i] && c.Width == 0 {
				ws[i] = each
			}
		}
	}
	// When still too narrow, cut columns from the right.
	used := 2
	for i := range ws {
		if ws[i] == 0 {
			continue
		}
		if used+ws[i] > m.width {
			ws[i] = max(0, m.width-used)
		}
		used += ws[i] + 1
	}
	return ws
}

// cramped reports whether a flexible column or the total does not fit.
func (m *Model) cramped(ws []int, shown []bool) bool {
	total := 2
	for i, c := range m.columns {
		if !shown[i] {
			continue
		}
		if c.Width == 0 && ws[i] < minFlex {
			return true
		}
		total += max(c.Width, ws[i]) + 1
	}
	return total > m.width+1
}

func (m *Model) header(widths []int, th *theme.Theme) string {
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range m.columns {
		if widths[i] <= 0 {
			continue
		}
		b.WriteString(draw.Fit(c.Title, widths[i]))
		b.WriteByte(' ')
	}
	return th.ColumnHeader.Render(b.String())
}

func (m *Model) row(o *store.Order, cursor bool, widths []int, now time.Time, th *theme.Theme) string {
	var b strings.Builder
	gutter := "  "
	if m.c.Marks != nil && m.c.Marks.Has(o.ID) {
		gutter = th.Glyphs.Mark + " "
		if cursor {
			gutter = th.Glyphs.Mark + th.Glyphs.Cursor
		}
		gutter = th.Marked.Render(gutter)
	} else if cursor {
		gutter = " " + th.Glyphs.Cursor
	}
	b.WriteString(gutter)
	for i, c := range m.columns {
		if widths[i] <= 0 {
			continue
		}
		text, st := c.Cell(o, now, th)
		cell := draw.Fit(text, widths[i])
		if cursor {
			st = st.Reverse(true)
		}
		b.WriteString(st.Render(cell))
		if cursor {
			b.WriteString(th.CursorRow.Render(" "))
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
