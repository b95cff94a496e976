package search

import (
	"fmt"

	"charm.land/lipgloss/v2"

	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

func (m *Model) size() (int, int) { return draw.DialogSize(100, 30, m.w, m.h) }

// rows is how many hits fit on screen.
func (m *Model) rows() int {
	_, h := m.size()
	return max(1, h-5)
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	w, h := m.size()
	inner := max(0, w-2)
	status := ""
	switch {
	case m.pending:
		status = th.Muted.Render("searching…")
	case m.err != nil:
		status = th.Bad.Render(draw.Clean(m.err.Error()))
	case m.pattern != "":
		status = th.Muted.Render(fmt.Sprintf("%d hits", len(m.hits)))
	}
	lines := []string{" " + draw.Right(m.input.View(m.c, max(0, inner-14)), status, max(0, inner-2)), ""}
	rows := m.rows()
	start := widget.WindowStart(m.cursor, rows)
	for i := start; i < len(m.hits) && i < start+rows; i++ {
		hit := m.hits[i]
		st := th.State(string(hit.Order.State))
		state := st.Render(fmt.Sprintf("%-9s", hit.Order.State))
		line := " " + state + " " + m.highlight(hit.Text, hit.Matched, i == m.cursor)
		if i == m.cursor {
			line = th.Accent.Render(th.Glyphs.Cursor) + line[1:]
		}
		lines = append(lines, line)
	}
	if m.pattern != "" && len(m.hits) == 0 && !m.pending && m.err == nil {
		lines = append(lines, th.Muted.Render(" no order matches"))
	}
	lines = append(lines, "")
	for len(lines) < h-3 {
		lines = append(lines, "")
	}
	lines = append(lines, th.Muted.Render(" "+m.c.KeysOf("previous")+" "+m.c.KeysOf("next")+" choose · "+
		m.c.KeysOf("accept")+" opens the order · "+m.c.KeysOf("cancel")+" closes"))
	return m.c.Dialog("Search orders", lines, w, h)
}

// highlight cleans the hit's text and marks the matched runes. When
// cleaning changed the text the indexes no longer line up, so it is drawn
// without marks rather than marking the wrong letters.
func (m *Model) highlight(text string, matched []int, selected bool) string {
	th := m.c.Theme
	clean := draw.Clean(text)
	base := th.Text
	if selected {
		base = th.Selected
	}
	if clean != text || len(matched) == 0 {
		return base.Render(clean)
	}
	n := len([]rune(clean))
	idx := make([]int, 0, len(matched))
	for _, i := range matched {
		if i >= 0 && i < n {
			idx = append(idx, i)
		}
	}
	match := th.Match
	if selected {
		match = match.Reverse(true)
	}
	return lipgloss.StyleRunes(clean, idx, match, base)
}
