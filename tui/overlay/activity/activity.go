// Package activity is the activity log view: what the engine and the
// operators did, newest first (polls, pushes that failed or went dead,
// circuits opening and closing, operator actions with who, alerts). It
// reads the log from the store, so it survives a restart, follows each
// new snapshot while it shows the newest entries, and holds one page at
// most. "/" filters it by text.
package activity

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

// Source reads the activity log; the console's engine satisfies it.
type Source interface {
	Activity(ctx context.Context, before uint64, n int, query string) ([]store.Activity, error)
}

// Page is how many entries the view reads and holds at most.
const Page = 300

const fetchTimeout = 10 * time.Second

type loadedMsg struct {
	overlay int
	gen     uint64
	rows    []store.Activity
	err     error
}

// Model is the activity view.
type Model struct {
	c         *common.Common
	src       Source
	overlay   int
	gen       uint64
	rows      []store.Activity
	loaded    bool
	err       error
	cursor    int
	query     string
	filtering bool
	input     widget.Input
	w, h      int
}

// New returns the activity view and the command that loads its first page.
func New(c *common.Common, src Source) (*Model, tea.Cmd) {
	m := &Model{c: c, src: src, overlay: c.NewID(), input: widget.NewInput("/", "filter: carrier, order, operator, words…")}
	return m, m.load()
}

func (m *Model) load() tea.Cmd {
	m.gen++
	gen, ov, src, base, q := m.gen, m.overlay, m.src, m.c.Ctx, m.query
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, fetchTimeout)
		defer cancel()
		rows, err := src.Activity(ctx, 0, Page, q)
		return loadedMsg{overlay: ov, gen: gen, rows: rows, err: err}
	}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "activity" }

// CapturesKeys implements common.Overlay: only while a filter is typed.
func (m *Model) CapturesKeys() bool { return m.filtering }

// Done implements common.Overlay.
func (m *Model) Done() bool { return false }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// StartFilter begins typing a filter ("/" in the view).
func (m *Model) StartFilter() {
	m.filtering = true
	m.input.SetValue(m.query)
}

// Filtering reports whether a filter is being typed.
func (m *Model) Filtering() bool { return m.filtering }

// Query is the filter applied.
func (m *Model) Query() string { return m.query }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.overlay == m.overlay && msg.gen == m.gen {
			m.loaded, m.err = true, msg.err
			if msg.err == nil {
				m.rows = msg.rows
			}
			m.cursor = min(m.cursor, max(0, len(m.rows)-1))
		}
	case common.SnapshotMsg:
		// Follow the log while the newest entries are in view.
		if m.cursor == 0 && !m.filtering {
			return m.load()
		}
	case common.NavMsg:
		m.navigate(msg.Name)
	case common.DialogMsg, tea.KeyPressMsg, tea.PasteMsg:
		if m.filtering {
			return m.typeFilter(msg)
		}
	}
	return nil
}

// typeFilter edits the filter; enter applies it, esc drops it.
func (m *Model) typeFilter(msg tea.Msg) tea.Cmd {
	if d, ok := msg.(common.DialogMsg); ok {
		switch d.Action {
		case "accept":
			m.filtering, m.query, m.cursor = false, m.input.Value(), 0
			return m.load()
		case "cancel":
			m.filtering = false
		}
		return nil
	}
	m.input.Update(msg)
	return nil
}

func (m *Model) navigate(name string) {
	switch name {
	case "up":
		m.cursor--
	case "down":
		m.cursor++
	case "pgup":
		m.cursor -= m.rowsShown()
	case "pgdown":
		m.cursor += m.rowsShown()
	case "home":
		m.cursor = 0
	case "end":
		m.cursor = len(m.rows) - 1
	}
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
}

func (m *Model) size() (int, int) { return draw.DialogSize(140, 40, m.w, m.h) }

func (m *Model) rowsShown() int {
	_, h := m.size()
	return max(1, h-5)
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	w, h := m.size()
	inner := max(0, w-2)
	head := th.Muted.Render(fmt.Sprintf(" newest first · %d shown (the store keeps the last %d)", len(m.rows), store.MaxActivity))
	switch {
	case m.filtering:
		head = " " + m.input.View(m.c, max(0, inner-2))
	case m.query != "":
		head = th.Accent.Render(" filter: "+draw.Clean(m.query)) + head
	}
	lines := []string{head, ""}
	rows := m.rowsShown()
	start := widget.WindowStart(m.cursor, rows)
	switch {
	case m.err != nil:
		lines = append(lines, th.Bad.Render(" could not load: "+draw.Clean(m.err.Error())))
	case !m.loaded:
		lines = append(lines, th.Muted.Render(" loading…"))
	case len(m.rows) == 0:
		lines = append(lines, th.Muted.Render(" nothing recorded yet"))
	}
	for i := start; i < len(m.rows) && i < start+rows; i++ {
		lines = append(lines, m.row(&m.rows[i], i == m.cursor, inner))
	}
	for len(lines) < h-3 {
		lines = append(lines, "")
	}
	lines = append(lines, th.Muted.Render(" j/k scroll · / filter · esc closes"))
	return m.c.Dialog("Activity", lines, w, h)
}

// row draws one entry: when, kind, who or carrier, order, text.
func (m *Model) row(a *store.Activity, selected bool, width int) string {
	th := m.c.Theme
	style := th.Text
	switch a.Level {
	case "warn":
		style = th.Warn
	case "error":
		style = th.Bad
	}
	subject := a.Carrier
	if a.Who != "" {
		subject = a.Who
	}
	line := fmt.Sprintf(" %s  %-8s %-14s %-16s ", m.c.Zone.Long(a.At), a.Kind,
		draw.Cut(draw.Clean(subject), 14), draw.Cut(draw.Clean(a.OrderID), 16))
	text := draw.Clean(a.Text)
	if selected {
		return th.Selected.Render(draw.Fit(line+text, width))
	}
	return draw.Cut(line+style.Render(text), width)
}
