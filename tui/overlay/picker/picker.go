// Package picker is the carrier picker used to re-route an order: the
// configured carriers with a fuzzy filter, each shown with its health from
// the latest snapshot (circuit, p95 latency, error rate) so the operator
// does not re-route into an outage.
package picker

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the carrier picker. The embedded Chooser filters the carrier
// names.
type Model struct {
	widget.Chooser
	c       *common.Common
	title   string
	stats   map[string]store.CarrierStats
	current string
	onPick  func(carrier string) tea.Cmd
}

// New returns a picker over carriers; current is the order's carrier now,
// stats the snapshot's carrier rows, and onPick runs with the chosen name.
func New(c *common.Common, title string, carriers []string, stats []store.CarrierStats, current string,
	onPick func(string) tea.Cmd) *Model {
	m := &Model{Chooser: widget.NewChooser("› ", "filter carriers", carriers, nil),
		c: c, title: title, current: current, onPick: onPick, stats: make(map[string]store.CarrierStats, len(stats))}
	for _, s := range stats {
		m.stats[s.Name] = s
	}
	m.Select(func(name string) bool { return name != current })
	return m
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "picker" }

// Update implements common.Component: enter picks the highlighted carrier.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if !m.Handle(msg) {
		return nil
	}
	i, ok := m.Chosen()
	if !ok {
		return nil
	}
	m.Finish()
	return m.onPick(m.Item(i))
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	sw, sh := m.Screen()
	w, h := draw.DialogSize(78, m.Len()+6, sw, sh)
	inner := max(0, w-2)
	lines := []string{" " + m.Input.View(m.c, max(0, inner-2)),
		th.ColumnHeader.Render(fmt.Sprintf("   %-16s %-9s %7s %6s %4s", "CARRIER", "CIRCUIT", "P95", "ERR", "FLY"))}
	idx, cursor := m.Window(max(0, h-5))
	for j, i := range idx {
		name := m.Item(i)
		health := th.Muted.Render("no data")
		if s, ok := m.stats[name]; ok {
			health = th.Circuit(string(s.Circuit)).Render(fmt.Sprintf("%-9s", s.Circuit)) +
				fmt.Sprintf(" %7s %5.1f%% %4d", draw.Latency(s.P95), s.ErrorRate*100, s.InFlight)
		}
		mark := "  "
		label := fmt.Sprintf("%-16s", draw.Cut(draw.Clean(name), 16))
		if j == cursor {
			mark = th.Accent.Render(" " + th.Glyphs.Cursor)
			label = th.Selected.Render(label)
		}
		line := mark + " " + label + " " + health
		if name == m.current {
			line += th.Muted.Render(" (current)")
		}
		lines = append(lines, line)
	}
	if _, ok := m.Chosen(); !ok {
		lines = append(lines, th.Muted.Render(" no matching carrier"))
	}
	lines = append(lines, "", th.Muted.Render(" "+m.c.KeysOf("accept")+" re-routes · "+m.c.KeysOf("cancel")+" cancels"))
	return m.c.Dialog(m.title, lines, w, h)
}
