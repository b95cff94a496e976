// Package carriers is the carriers pane: one row per carrier with latency
// percentiles, error rate, calls in flight, the circuit breaker's state and
// a sparkline of the last hour's latency. A cursor selects a carrier, for
// the drill-down into its orders, attempts and circuit history.
package carriers

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// Model is the carriers pane. It draws only from the snapshot.
type Model struct {
	c             *common.Common
	stats         []store.CarrierStats
	have          bool
	cursor        int
	width, height int
}

// New returns the carriers pane.
func New(c *common.Common) *Model { return &Model{c: c} }

// Name implements common.Pane.
func (m *Model) Name() string { return "carriers" }

// Title implements common.Pane.
func (m *Model) Title() string { return "Carriers" }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Selected returns the highlighted carrier's name.
func (m *Model) Selected() (string, bool) {
	if m.cursor < 0 || m.cursor >= len(m.stats) {
		return "", false
	}
	return m.stats[m.cursor].Name, true
}

// Update implements common.Component: snapshots bring the rows, the
// navigation keys and clicks move the cursor.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.SnapshotMsg:
		m.stats, m.have = msg.Snapshot.Carriers, true
	case common.NavMsg:
		switch msg.Name {
		case "up", "pgup":
			m.cursor--
		case "down", "pgdown":
			m.cursor++
		case "home":
			m.cursor = 0
		case "end":
			m.cursor = len(m.stats) - 1
		}
	case common.ClickMsg:
		if i := msg.Y - 1; i >= 0 && i < len(m.stats) {
			m.cursor = i // line 0 is the column header
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.stats)-1))
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if !m.have {
		return draw.Block([]string{m.c.Theme.Muted.Render("waiting for the worker…")}, m.width, m.height)
	}
	out := lines(m.c, m.stats, m.width)
	if i := m.cursor + 1; len(m.stats) > 0 && i < len(out) {
		out[i] = m.c.Theme.Selected.Render(draw.Fit(ansi.Strip(out[i]), m.width))
	}
	return draw.Block(out, m.width, m.height)
}

// columns of the pane, in order; drop orders which go first when the pane
// is narrow (0: never), so the sparkline keeps some room.
var columns = []struct {
	title string
	width int
	drop  int
}{
	{"CARRIER", 12, 0}, {"P50", 6, 2}, {"P95", 6, 0}, {"P99", 6, 3}, {"ERR", 6, 0}, {"FLY", 3, 1}, {"CIRCUIT", 9, 0},
}

// minSpark is the narrowest sparkline worth drawing.
const minSpark = 12

// shownColumns decides which columns fit in width cells, leaving room for
// the sparkline, and returns the sparkline's width.
func shownColumns(width int) ([]bool, int) {
	drops := make([]int, len(columns))
	for i, c := range columns {
		drops[i] = c.drop
	}
	fixed := func(shown []bool) int {
		n := 0
		for i, c := range columns {
			if shown[i] {
				n += c.width + 1
			}
		}
		return n
	}
	shown := draw.DropColumns(drops, func(shown []bool) bool { return width-fixed(shown) >= minSpark })
	return shown, width - fixed(shown)
}

// lines draws the header and one row per carrier.
func lines(c *common.Common, stats []store.CarrierStats, width int) []string {
	th := c.Theme
	shown, sparkW := shownColumns(width)

	var head strings.Builder
	for i, c := range columns {
		if shown[i] {
			head.WriteString(draw.Fit(c.title, c.width) + " ")
		}
	}
	if sparkW >= 4 {
		head.WriteString(draw.Fit("LAST HOUR", sparkW))
	}
	out := []string{th.ColumnHeader.Render(head.String())}
	if len(stats) == 0 {
		out = append(out, th.Muted.Render("no carriers configured"))
	}
	for _, s := range stats {
		errStyle := th.Text
		switch {
		case s.ErrorRate >= 0.2:
			errStyle = th.Bad
		case s.ErrorRate >= 0.05:
			errStyle = th.Warn
		}
		cells := []string{
			th.Strong.Render(draw.Fit(draw.Clean(s.Name), columns[0].width)),
			draw.Fit(draw.Latency(s.P50), columns[1].width),
			draw.Fit(draw.Latency(s.P95), columns[2].width),
			draw.Fit(draw.Latency(s.P99), columns[3].width),
			errStyle.Render(draw.Fit(fmt.Sprintf("%.1f%%", s.ErrorRate*100), columns[4].width)),
			draw.Fit(strconv.Itoa(s.InFlight), columns[5].width),
			th.Circuit(string(s.Circuit)).Render(draw.Fit(string(s.Circuit), columns[6].width)),
		}
		var line strings.Builder
		for i, cell := range cells {
			if shown[i] {
				line.WriteString(cell + " ")
			}
		}
		if sparkW >= 4 {
			line.WriteString(th.Sparkline(s.Spark, sparkW))
		}
		out = append(out, line.String())
	}
	return out
}
