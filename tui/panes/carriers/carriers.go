// Package carriers is the carriers pane: one row per carrier with latency
// percentiles, error rate, calls in flight, the circuit breaker's state and
// a sparkline of the last hour's latency.
package carriers

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
)

// Model is the carriers pane. It draws only from the snapshot.
type Model struct {
	c      *common.Common
	stats  []store.CarrierStats
	have   bool
	width  int
	height int
}

// New returns the carriers pane.
func New(c *common.Common) *Model { return &Model{c: c} }

// Name implements common.Pane.
func (m *Model) Name() string { return "carriers" }

// Title implements common.Pane.
func (m *Model) Title() string { return "Carriers" }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(common.SnapshotMsg); ok {
		m.stats, m.have = msg.Snapshot.Carriers, true
	}
	return nil
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

// shownColumns decides which columns fit, leaving room for the sparkline.
func (m *Model) shownColumns() ([]bool, int) {
	shown := make([]bool, len(columns))
	fixed := 0
	for i, c := range columns {
		shown[i] = true
		fixed += c.width + 1
	}
	for m.width-fixed < minSpark {
		drop := -1
		for i, c := range columns {
			if shown[i] && c.drop > 0 && (drop < 0 || c.drop > columns[drop].drop) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		shown[drop] = false
		fixed -= columns[drop].width + 1
	}
	return shown, m.width - fixed
}

// View implements common.Component.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.c.Theme
	if !m.have {
		return common.Block([]string{th.Muted.Render("waiting for the worker…")}, m.width, m.height)
	}
	shown, sparkW := m.shownColumns()

	var head strings.Builder
	for i, c := range columns {
		if shown[i] {
			head.WriteString(common.Fit(c.title, c.width) + " ")
		}
	}
	if sparkW >= 4 {
		head.WriteString(common.Fit("LAST HOUR", sparkW))
	}
	lines := []string{th.ColumnHeader.Render(head.String())}
	if len(m.stats) == 0 {
		lines = append(lines, th.Muted.Render("no carriers configured"))
	}
	for _, s := range m.stats {
		errStyle := th.Text
		switch {
		case s.ErrorRate >= 0.2:
			errStyle = th.Bad
		case s.ErrorRate >= 0.05:
			errStyle = th.Warn
		}
		cells := []string{
			th.Strong.Render(common.Fit(common.Clean(s.Name), columns[0].width)),
			common.Fit(common.Latency(s.P50), columns[1].width),
			common.Fit(common.Latency(s.P95), columns[2].width),
			common.Fit(common.Latency(s.P99), columns[3].width),
			errStyle.Render(common.Fit(fmt.Sprintf("%.1f%%", s.ErrorRate*100), columns[4].width)),
			common.Fit(strconv.Itoa(s.InFlight), columns[5].width),
			th.Circuit(string(s.Circuit)).Render(common.Fit(string(s.Circuit), columns[6].width)),
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
		lines = append(lines, line.String())
	}
	return common.Block(lines, m.width, m.height)
}
