// Package carrier is the carrier drill-down: over the carrier's orders
// (the queues list, filtered to it, behind the overlay) it shows the
// carrier's health now, its recent calls with latency and errors, and its
// circuit history. esc closes it and leaves the filtered list.
package carrier

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Source reads a carrier's history; the console's engine satisfies it.
type Source interface {
	CarrierHistory(ctx context.Context, name string, n int) (store.CarrierHistory, error)
}

// recent is how many calls and circuit changes the overlay shows.
const recent = 30

const fetchTimeout = 10 * time.Second

type loadedMsg struct {
	overlay int
	h       store.CarrierHistory
	err     error
}

// Model is the drill-down overlay.
type Model struct {
	c       *common.Common
	name    string
	stats   store.CarrierStats
	overlay int
	loaded  bool
	h       store.CarrierHistory
	err     error
	scroll  int
	w, ht   int
}

// New returns the overlay for carrier name (stats is its row from the
// snapshot) and the command that loads its history.
func New(c *common.Common, src Source, name string, stats store.CarrierStats) (*Model, tea.Cmd) {
	m := &Model{c: c, name: name, stats: stats, overlay: c.NewID()}
	base, ov := c.Ctx, m.overlay
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, fetchTimeout)
		defer cancel()
		h, err := src.CarrierHistory(ctx, name, recent)
		return loadedMsg{overlay: ov, h: h, err: err}
	}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "carrier" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return false }

// Done implements common.Overlay.
func (m *Model) Done() bool { return false }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.ht = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.overlay == m.overlay {
			m.loaded, m.h, m.err = true, msg.h, msg.err
		}
	case common.SnapshotMsg:
		for _, s := range msg.Snapshot.Carriers {
			if s.Name == m.name {
				m.stats = s
			}
		}
	case common.NavMsg:
		m.scroll = widget.Scroll(msg.Name, m.scroll)
	}
	return nil
}

// lines renders the overlay's body.
func (m *Model) lines() []string {
	th := m.c.Theme
	s := m.stats
	l := []string{
		fmt.Sprintf(" %s  p50 %s · p95 %s · p99 %s · errors %.1f%% · in flight %d · circuit ",
			th.Strong.Render(draw.Clean(m.name)), draw.Latency(s.P50), draw.Latency(s.P95), draw.Latency(s.P99),
			s.ErrorRate*100, s.InFlight) + th.Circuit(string(s.Circuit)).Render(string(s.Circuit)),
		th.Muted.Render(" Its orders are listed behind this view (esc shows them; esc again clears the filter)."),
		"",
	}
	switch {
	case m.err != nil:
		return append(l, th.Bad.Render(" could not load: "+draw.Clean(m.err.Error())))
	case !m.loaded:
		return append(l, th.Muted.Render(" loading…"))
	}
	l = append(l, th.Accent.Render(" Circuit history"))
	if len(m.h.Circuit) == 0 {
		l = append(l, th.Muted.Render("  no circuit changes recorded"))
	}
	for _, a := range m.h.Circuit {
		l = append(l, "  "+m.c.Zone.Long(a.At)+"  "+th.Circuit(circuitAfter(a.Text)).Render(draw.Clean(a.Text)))
	}
	l = append(l, "", th.Accent.Render(" Recent calls, newest first"),
		th.ColumnHeader.Render(fmt.Sprintf("  %-23s %-18s %8s  %s", "WHEN", "ORDER", "LATENCY", "RESULT")))
	if len(m.h.Calls) == 0 {
		l = append(l, th.Muted.Render("  no calls in the last day"))
	}
	for _, c := range m.h.Calls {
		result := th.Good.Render("ok")
		if !c.OK {
			result = th.Bad.Render("failed") + " " + draw.Clean(c.Error)
		}
		l = append(l, fmt.Sprintf("  %-23s %-18s %8s  ", m.c.Zone.Long(c.At), draw.Cut(draw.Clean(c.OrderID), 18),
			draw.Latency(c.Latency))+result)
	}
	return l
}

// circuitAfter is the state a circuit entry ends in ("circuit closed →
// open" ends open), for its colour.
func circuitAfter(text string) string {
	for _, st := range []store.CircuitState{store.CircuitHalfOpen, store.CircuitOpen, store.CircuitClosed} {
		if n := len(st); len(text) >= n && text[len(text)-n:] == string(st) {
			return string(st)
		}
	}
	return ""
}

// View implements common.Component.
func (m *Model) View() string {
	lines := m.lines()
	w, _ := draw.DialogSize(110, len(lines)+2, m.w, m.ht)
	for i, line := range lines {
		lines[i] = draw.Cut(line, max(0, w-2))
	}
	return m.c.ScrollDialog("Carrier "+draw.Clean(m.name)+" — esc closes", lines, 110, m.w, m.ht, &m.scroll)
}
