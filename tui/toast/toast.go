// Package toast shows short results and errors in the corner of the
// console and dismisses each after a few seconds, so no command finishes
// silently and none leaves a message behind forever.
package toast

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// Lifetime is how long a toast stays; errors stay twice as long.
const Lifetime = 4 * time.Second

// maxShown caps the toasts on screen; older ones go first.
const maxShown = 3

type item struct {
	id   int
	kind common.ToastKind
	text string
}

// expireMsg dismisses one toast.
type expireMsg struct {
	stack int
	id    int
}

// Model is the toast stack.
type Model struct {
	c     *common.Common
	stack int
	items []item
	next  int
}

// New returns an empty toast stack.
func New(c *common.Common) *Model { return &Model{c: c, stack: c.NewID()} }

// Push shows a toast and returns the timer that dismisses it.
func (m *Model) Push(kind common.ToastKind, text string) tea.Cmd {
	m.next++
	m.items = append(m.items, item{id: m.next, kind: kind, text: draw.Clean(text)})
	if len(m.items) > maxShown {
		m.items = m.items[len(m.items)-maxShown:]
	}
	life := Lifetime
	if kind == common.ToastError {
		life *= 2
	}
	id, stack := m.next, m.stack
	return m.c.Tick(life, func(time.Time) tea.Msg { return expireMsg{stack: stack, id: id} })
}

// Update implements common.Component for expiry messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if e, ok := msg.(expireMsg); ok && e.stack == m.stack {
		for i, it := range m.items {
			if it.id == e.id {
				m.items = append(m.items[:i], m.items[i+1:]...)
				break
			}
		}
	}
	return nil
}

// Texts returns the toasts on screen, oldest first.
func (m *Model) Texts() []string {
	out := make([]string, len(m.items))
	for i, it := range m.items {
		out[i] = it.text
	}
	return out
}

// Lines renders the toasts, oldest first, each at most w cells wide.
func (m *Model) Lines(w int) []string {
	if w <= 4 {
		return nil
	}
	out := make([]string, 0, len(m.items))
	for _, it := range m.items {
		icon := "•"
		switch it.kind {
		case common.ToastOK:
			icon = "✓"
		case common.ToastWarn:
			icon = "!"
		case common.ToastError:
			icon = "✗"
		}
		out = append(out, m.c.Theme.Toast(string(it.kind)).Render(" "+icon+" "+draw.Cut(it.text, w-4)+" "))
	}
	return out
}
