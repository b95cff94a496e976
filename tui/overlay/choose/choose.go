// Package choose is the small list overlay the filters open (a state, a
// carrier, an error class): the choices with a fuzzy filter, and enter
// takes the highlighted one, or the typed text when free text is allowed
// and nothing matches (error classes are open-ended).
package choose

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the chooser overlay.
type Model struct {
	widget.Chooser
	c      *common.Common
	title  string
	free   bool
	onPick func(choice string) tea.Cmd
}

// New returns a chooser titled title over choices; free accepts typed text
// that matches none of them.
func New(c *common.Common, title string, choices []string, free bool, onPick func(string) tea.Cmd) *Model {
	return &Model{Chooser: widget.NewChooser("› ", "filter", choices, nil), c: c, title: title, free: free, onPick: onPick}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "choose" }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if !m.Handle(msg) {
		return nil
	}
	choice := ""
	if i, ok := m.Chosen(); ok {
		choice = m.Item(i)
	} else if m.free {
		choice = strings.TrimSpace(m.Input.Value())
	}
	if choice == "" {
		return nil
	}
	m.Finish()
	return m.onPick(choice)
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	sw, sh := m.Screen()
	w, h := draw.DialogSize(48, m.Len()+5, sw, sh)
	inner := max(0, w-2)
	lines := []string{" " + m.Input.View(m.c, max(0, inner-2)), ""}
	idx, cursor := m.Window(max(0, h-5))
	for j, i := range idx {
		line := "   " + draw.Clean(m.Item(i))
		if j == cursor {
			line = th.Selected.Render(draw.Fit(" "+th.Glyphs.Cursor+" "+ansi.Strip(draw.Clean(m.Item(i))), inner))
		}
		lines = append(lines, line)
	}
	accept, cancel := m.c.KeysOf("accept"), m.c.KeysOf("cancel")
	hint := " " + accept + " picks · " + cancel + " cancels"
	if _, ok := m.Chosen(); !ok {
		if m.free && strings.TrimSpace(m.Input.Value()) != "" {
			hint = " " + accept + " uses what you typed · " + cancel + " cancels"
		} else {
			lines = append(lines, th.Muted.Render(" no match"))
		}
	}
	lines = append(lines, th.Muted.Render(hint))
	return m.c.Dialog(m.title, lines, w, h)
}
