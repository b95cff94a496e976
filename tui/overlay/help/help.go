// Package help is the help overlay, generated from the key table: every
// binding with its keys and help text, grouped, and for each one that does
// not apply right now the reason why.
package help

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/keys"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the help overlay.
type Model struct {
	c      *common.Common
	table  *keys.Table
	ctx    keys.Context
	scroll int
	w, h   int
}

// New returns the help overlay for the table as it applies in ctx.
func New(c *common.Common, table *keys.Table, ctx keys.Context) *Model {
	return &Model{c: c, table: table, ctx: ctx}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "help" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return false }

// Done implements common.Overlay.
func (m *Model) Done() bool { return false }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Update implements common.Component: j/k scroll.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if nav, ok := msg.(common.NavMsg); ok {
		m.scroll = widget.Scroll(nav.Name, m.scroll)
	}
	return nil
}

// lines renders the help text, one binding a line.
func (m *Model) lines() []string {
	th := m.c.Theme
	var lines []string
	all := m.table.Bindings()
	for _, g := range keys.Groups() {
		lines = append(lines, th.Accent.Render(" "+string(g)))
		for _, b := range all {
			if b.Group != g {
				continue
			}
			ks := b.KeyHelp()
			if ks == "" {
				ks = ":" + b.Name
			}
			line := th.Key.Render(fmt.Sprintf("  %-14s", ks)) + " " + fmt.Sprintf("%-52s", b.Help)
			if why := b.Reason(m.ctx); why != "" {
				line = th.KeyDisabled.Render(fmt.Sprintf("  %-14s %-52s", ks, b.Help)) + " " + th.Muted.Render("("+why+")")
			}
			lines = append(lines, line)
		}
		lines = append(lines, "")
	}
	lines = append(lines, th.Muted.Render(" Keys can be remapped in the [keys] section of the config, by binding name."))
	return lines
}

// View implements common.Component.
func (m *Model) View() string {
	return m.c.ScrollDialog("Help — esc closes", m.lines(), 110, m.w, m.h, &m.scroll)
}
