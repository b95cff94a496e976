package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
)

// paneAt returns the pane drawn at screen cell (x, y) and the cell inside
// its border, or -1.
func (m *Model) paneAt(x, y int) (int, common.ClickMsg) {
	for i, f := range m.frames() {
		if f.w == 0 || f.h == 0 {
			continue
		}
		if x >= f.x && x < f.x+f.w && y >= f.y && y < f.y+f.h {
			return i, common.ClickMsg{X: x - f.x - 1, Y: y - f.y - 1}
		}
	}
	return -1, common.ClickMsg{}
}

// click focuses the pane under the pointer and lets it select the row
// clicked. Clicks while an overlay is open, or on no pane, do nothing.
func (m *Model) click(ms tea.Mouse) tea.Cmd {
	if m.overlay != nil || ms.Button != tea.MouseLeft {
		return nil
	}
	i, at, cmd := m.focusAt(ms)
	if i < 0 {
		return nil
	}
	if at.X < 0 || at.Y < 0 {
		return cmd // the border
	}
	return tea.Batch(cmd, m.panes[i].Update(at))
}

// wheel scrolls the open overlay, or the pane under the pointer (focusing
// it), one row a notch.
func (m *Model) wheel(ms tea.Mouse) tea.Cmd {
	name := ""
	switch ms.Button {
	case tea.MouseWheelUp:
		name = "up"
	case tea.MouseWheelDown:
		name = "down"
	default:
		return nil
	}
	if m.overlay != nil {
		return m.overlay.Update(common.NavMsg{Name: name})
	}
	i, _, cmd := m.focusAt(ms)
	if i < 0 {
		return nil
	}
	return tea.Batch(cmd, m.panes[i].Update(common.NavMsg{Name: name}))
}

// focusAt focuses the pane under the pointer, if any, and returns it (or
// -1), the cell inside it, and the re-layout a focus change needs.
func (m *Model) focusAt(ms tea.Mouse) (int, common.ClickMsg, tea.Cmd) {
	i, at := m.paneAt(ms.X, ms.Y)
	if i < 0 || i == m.focus {
		return i, at, nil
	}
	m.focus = i
	return i, at, m.layout()
}
