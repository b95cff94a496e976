// Package picker is the carrier picker used to re-route an order: the
// configured carriers with a fuzzy filter, each shown with its health from
// the latest snapshot (circuit, p95 latency, error rate) so the operator
// does not re-route into an outage.
package picker

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
)

// Model is the carrier picker.
type Model struct {
	c       *common.Common
	title   string
	names   []string
	stats   map[string]store.CarrierStats
	current string
	shown   []int
	input   common.Input
	cursor  int
	onPick  func(carrier string) tea.Cmd
	done    bool
	w, h    int
}

// New returns a picker over carriers; current is the order's carrier now,
// stats the snapshot's carrier rows, and onPick runs with the chosen name.
func New(c *common.Common, title string, carriers []string, stats []store.CarrierStats, current string,
	onPick func(string) tea.Cmd) *Model {
	m := &Model{c: c, title: title, names: carriers, current: current, onPick: onPick,
		stats: make(map[string]store.CarrierStats, len(stats)), input: common.NewInput("› ", "filter carriers")}
	for _, s := range stats {
		m.stats[s.Name] = s
	}
	m.filter()
	// Start on the first carrier that is not the current one.
	for i, idx := range m.shown {
		if m.names[idx] != current {
			m.cursor = i
			break
		}
	}
	return m
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "picker" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return true }

// Done implements common.Overlay.
func (m *Model) Done() bool { return m.done }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Shown lists the carriers the filter keeps, best first.
func (m *Model) Shown() []string {
	out := make([]string, len(m.shown))
	for i, idx := range m.shown {
		out[i] = m.names[idx]
	}
	return out
}

func (m *Model) filter() {
	m.cursor = 0
	pat := m.input.Value()
	m.shown = m.shown[:0]
	if pat == "" {
		for i := range m.names {
			m.shown = append(m.shown, i)
		}
		return
	}
	for _, mt := range fuzzy.Find(pat, m.names) {
		m.shown = append(m.shown, mt.Index)
	}
}

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if c, moved := common.MoveCursor(k.String(), m.cursor, len(m.shown), 1); moved {
			m.cursor = c
			return nil
		}
		switch k.String() {
		case "esc", "ctrl+c":
			m.done = true
			return nil
		case "enter":
			if len(m.shown) == 0 {
				return nil
			}
			m.done = true
			return m.onPick(m.names[m.shown[m.cursor]])
		}
	}
	if m.input.Update(msg) {
		m.filter()
	}
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	w, h := common.DialogSize(78, len(m.names)+6, m.w, m.h)
	inner := max(0, w-2)
	lines := []string{" " + m.input.View(m.c, max(0, inner-2)),
		th.ColumnHeader.Render(fmt.Sprintf("   %-16s %-9s %7s %6s %4s", "CARRIER", "CIRCUIT", "P95", "ERR", "FLY"))}
	rows := max(0, h-5)
	start := 0
	if m.cursor >= rows {
		start = m.cursor - rows + 1
	}
	for i := start; i < len(m.shown) && i < start+rows; i++ {
		name := m.names[m.shown[i]]
		s, ok := m.stats[name]
		health := th.Muted.Render("no data")
		if ok {
			health = th.Circuit(string(s.Circuit)).Render(fmt.Sprintf("%-9s", s.Circuit)) +
				fmt.Sprintf(" %7s %5.1f%% %4d", common.Latency(s.P95), s.ErrorRate*100, s.InFlight)
		}
		mark := "  "
		if i == m.cursor {
			mark = th.Accent.Render(" " + th.Glyphs.Cursor)
		}
		label := fmt.Sprintf("%-16s", common.Cut(common.Clean(name), 16))
		if i == m.cursor {
			label = th.Selected.Render(label)
		}
		line := mark + " " + label + " " + health
		if name == m.current {
			line += th.Muted.Render(" (current)")
		}
		lines = append(lines, line)
	}
	if len(m.shown) == 0 {
		lines = append(lines, th.Muted.Render(" no matching carrier"))
	}
	lines = append(lines, "", th.Muted.Render(" enter re-routes · esc cancels"))
	return m.c.Dialog(m.title, lines, w, h)
}
