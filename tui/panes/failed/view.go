package failed

import (
	"strconv"
	"strings"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// View implements common.Component: a summary line, then the list.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.c.Theme
	dead := m.counts.ByState[store.StateDead]
	failed := m.counts.ByState[store.StateFailed]
	summary := th.State("dead").Render("dead "+strconv.FormatInt(dead, 10)) + th.Muted.Render(th.Glyphs.Sep) +
		th.State("failed").Render("failed "+strconv.FormatInt(failed, 10)) + th.Muted.Render(th.Glyphs.Sep) +
		th.State("unknown").Render("unknown "+strconv.FormatInt(m.counts.ByState[store.StateUnknown], 10))
	lines := make([]string, 0, m.height)
	lines = append(lines, summary)
	lines = append(lines, strings.Split(m.list.View(), "\n")...)
	return draw.Block(lines, m.width, m.height)
}
