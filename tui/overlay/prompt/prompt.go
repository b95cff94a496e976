// Package prompt is a one-line text prompt overlay, used to ask for the
// reason when resolving an order.
package prompt

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is a text prompt dialog.
type Model struct {
	c      *common.Common
	title  string
	label  string
	input  widget.Input
	submit func(string) tea.Cmd
	done   bool
	w, h   int
}

// New asks for a line of text under title; enter with non-blank text calls
// submit, esc cancels.
func New(c *common.Common, title, label, placeholder string, submit func(string) tea.Cmd) *Model {
	return &Model{c: c, title: title, label: label, input: widget.NewInput("› ", placeholder), submit: submit}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "prompt" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return true }

// Done implements common.Overlay.
func (m *Model) Done() bool { return m.done }

// Value is the text typed so far.
func (m *Model) Value() string { return m.input.Value() }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if d, ok := msg.(common.DialogMsg); ok {
		switch d.Action {
		case "cancel":
			m.done = true
			return common.Toast(common.ToastInfo, "cancelled: "+m.title)
		case "accept":
			v := strings.TrimSpace(m.input.Value())
			if v == "" {
				return common.Toast(common.ToastWarn, "a reason is required")
			}
			m.done = true
			return m.submit(v)
		}
	}
	m.input.Update(msg)
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	w, h := draw.DialogSize(64, 7, m.w, m.h)
	lines := []string{
		" " + m.label,
		" " + m.input.View(m.c, max(0, w-4)),
		"",
		" " + th.Key.Render(m.c.KeysOf("accept")) + " submit   " + th.Key.Render(m.c.KeysOf("cancel")) + " cancel",
	}
	return m.c.Dialog(m.title, lines, w, h)
}
