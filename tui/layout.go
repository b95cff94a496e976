package tui

import (
	tea "charm.land/bubbletea/v2"
)

// Size thresholds: below gridMin the panes stack behind tabs; below
// tooSmall the console only says so (and still shows the key counts).
const (
	gridMinWidth  = 100
	gridMinHeight = 24
	minWidth      = 60
	minHeight     = 15
)

type layoutMode int

const (
	modeTooSmall layoutMode = iota
	modeTabs
	modeGrid
)

func (m *Model) mode() layoutMode {
	switch {
	case m.width < minWidth || m.height < minHeight:
		return modeTooSmall
	case m.width < gridMinWidth || m.height < gridMinHeight:
		return modeTabs
	}
	return modeGrid
}

// rect is a pane's frame on screen.
type rect struct{ x, y, w, h int }

// frames returns where each pane is drawn; panes not on screen get a zero
// rect.
func (m *Model) frames() []rect {
	out := make([]rect, len(m.panes))
	bodyY, bodyH := 1, max(0, m.height-2)
	switch m.mode() {
	case modeTooSmall:
		return out
	case modeTabs:
		i := m.visibleTab()
		out[i] = rect{0, bodyY + 1, m.width, max(0, bodyH-1)}
		return out
	}
	if m.zoom >= 0 {
		out[m.zoom] = rect{0, bodyY, m.width, bodyH}
		return out
	}
	lw := m.width / 2
	rw := m.width - lw
	th := (bodyH + 1) / 2
	bh := bodyH - th
	out[0] = rect{0, bodyY, lw, th}
	out[1] = rect{lw, bodyY, rw, th}
	out[2] = rect{0, bodyY + th, lw, bh}
	out[3] = rect{lw, bodyY + th, rw, bh}
	return out
}

// visibleTab is the pane shown in tabs mode.
func (m *Model) visibleTab() int {
	if m.zoom >= 0 {
		return m.zoom
	}
	return m.focus
}

// resize records the terminal size and re-lays out.
func (m *Model) resize(w, h int) tea.Cmd {
	m.width, m.height = max(0, w), max(0, h)
	if m.overlay != nil {
		m.overlay.SetSize(m.width, m.height)
	}
	return m.layout()
}

// layout gives every pane its inner size (its frame minus the border) and
// refetches the panes whose size changed. Panes off screen keep the size of
// the single-pane area, so switching tabs does not refetch.
func (m *Model) layout() tea.Cmd {
	frames := m.frames()
	var full rect
	for _, f := range frames {
		if f.w > full.w || f.h > full.h {
			full = f
		}
	}
	var cmds []tea.Cmd
	for i, p := range m.panes {
		f := frames[i]
		if f.w == 0 || f.h == 0 {
			f = full
		}
		w, h := max(0, f.w-2), max(0, f.h-2)
		if m.sizes[i] == [2]int{w, h} {
			continue
		}
		m.sizes[i] = [2]int{w, h}
		p.SetSize(w, h)
		if r, ok := p.(interface{ Refresh() tea.Cmd }); ok {
			cmds = append(cmds, r.Refresh())
		}
	}
	return tea.Batch(cmds...)
}
