// Package confirm is the y/N confirmation overlay for destructive and bulk
// actions. Only y confirms; enter, n and esc cancel, so a reflexive enter
// never retries a thousand orders.
package confirm

import (
	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// Model is a confirmation dialog.
type Model struct {
	c     *common.Common
	title string
	text  string
	onYes tea.Cmd
	done  bool
	w, h  int
}

// New asks text under title and runs onYes when the operator presses y.
func New(c *common.Common, title, text string, onYes tea.Cmd) *Model {
	return &Model{c: c, title: title, text: text, onYes: onYes}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "confirm" }

// CapturesKeys implements common.Overlay: no key reaches the key table
// while a question is open.
func (m *Model) CapturesKeys() bool { return true }

// Done implements common.Overlay.
func (m *Model) Done() bool { return m.done }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	d, ok := msg.(common.DialogMsg)
	if !ok {
		return nil
	}
	switch d.Action {
	case "confirm":
		m.done = true
		return m.onYes
	case "decline", "cancel":
		m.done = true
		return common.Toast(common.ToastInfo, "cancelled: "+m.title)
	}
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	// Wide enough for the question: it names what will be touched.
	w, h := draw.DialogSize(max(64, draw.Width(m.text)+4), 7, m.w, m.h)
	lines := []string{
		"",
		" " + th.Strong.Render(m.text),
		"",
		" " + th.Key.Render(m.c.KeysOf("confirm")) + " confirm   " + th.Key.Render(m.c.KeysOf("decline")+"/"+m.c.KeysOf("cancel")) + " cancel   " +
			th.Muted.Render("(enter does not confirm)"),
	}
	return m.c.Dialog(m.title, lines, w, h)
}
