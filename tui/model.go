// Package tui is shipdeck's live operations console: a header, four panes
// (queues, quota, carriers, failed pushes), a footer of the keys that apply
// now, and overlays for search, commands, re-routing, confirmation, order
// detail and help. The root model only composes: it routes messages to
// the panes and the open overlay, turns keys into actions through the one
// key table, and runs engine calls as commands.
package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/tui/panes/failed"
	"github.com/shipdeck/shipdeck/tui/panes/queues"
	"github.com/shipdeck/shipdeck/tui/toast"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Model is the console's root model. It implements tea.Model and is used by
// pointer.
type Model struct {
	eng       Engine
	c         *common.Common
	cancel    context.CancelFunc
	keys      *keys.Table
	exportDir string
	handlers  map[string]func(arg string) tea.Cmd

	snap     store.Snapshot
	haveSnap bool
	sub      <-chan store.Snapshot
	unsub    func()

	panes   []common.Pane
	sizes   [][2]int
	queues  *queues.Model
	failed  *failed.Model
	focus   int
	zoom    int
	overlay common.Overlay
	toasts  *toast.Model

	width, height int
	closed        bool
	mouse         bool
}

// snapshotMsg carries a snapshot from the engine; live ones came from the
// subscription, which is re-armed after each.
type snapshotMsg struct {
	snap store.Snapshot
	live bool
}

// Init subscribes to the engine and starts the clock.
func (m *Model) Init() tea.Cmd {
	if m.sub == nil && !m.closed {
		m.sub, m.unsub = m.eng.Subscribe()
	}
	eng := m.eng
	return tea.Batch(
		tea.RequestBackgroundColor,
		func() tea.Msg { return snapshotMsg{snap: eng.Snapshot()} },
		m.waitSnapshot(),
		m.tick(),
	)
}

// Close ends the session's engine subscription and cancels its commands.
// Quitting calls it; a caller whose program ended otherwise (an SSH
// disconnect) calls it too. It is safe to call more than once.
func (m *Model) Close() {
	if m.closed {
		return
	}
	m.closed = true
	m.cancel()
	if m.unsub != nil {
		m.unsub()
	}
	m.closeOverlay()
}

// waitSnapshot waits for the next snapshot from the subscription.
func (m *Model) waitSnapshot() tea.Cmd {
	ch, ctx := m.sub, m.c.Ctx
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case s, ok := <-ch:
			if !ok {
				return nil
			}
			return snapshotMsg{snap: s, live: true}
		case <-ctx.Done():
			return nil
		}
	}
}

// tick schedules the next one-second clock tick.
func (m *Model) tick() tea.Cmd {
	return m.c.Tick(time.Second, func(time.Time) tea.Msg { return common.TickMsg{} })
}

// Update routes a message. Keys go through the key table; component
// messages go to every component, which ignore what is not theirs.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m, m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		return m, m.setTheme(msg.IsDark())
	case snapshotMsg:
		var rearm tea.Cmd
		if msg.live {
			rearm = m.waitSnapshot()
		}
		return m, tea.Batch(m.applySnapshot(msg.snap), rearm)
	case common.TickMsg:
		if m.closed {
			return m, nil
		}
		return m, m.tick()
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.toOverlay(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.wheel(msg.Mouse())
	case common.ToastMsg:
		return m, m.toasts.Push(msg.Kind, msg.Text)
	case common.RunActionMsg:
		return m, m.run(msg.Name, msg.Arg)
	case common.OpenDetailMsg:
		return m, m.openDetail(msg.OrderID)
	case common.ActionDoneMsg:
		return m, m.actionDone(msg)
	case retryAllCountedMsg:
		return m, m.confirmRetryAll(msg)
	case classesMsg:
		return m, m.chooseClass(msg)
	}
	return m, m.broadcast(msg)
}

// applySnapshot records a snapshot and hands it to every component,
// skipping one older than what is on screen.
func (m *Model) applySnapshot(s store.Snapshot) tea.Cmd {
	if m.haveSnap && s.Seq != 0 && s.Seq < m.snap.Seq {
		return nil
	}
	m.snap, m.haveSnap = s, true
	return m.broadcast(common.SnapshotMsg{Snapshot: s})
}

// broadcast hands msg to every pane, the overlay and the toasts.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes)+2)
	for _, p := range m.panes {
		cmds = append(cmds, p.Update(msg))
	}
	if m.overlay != nil {
		cmds = append(cmds, m.overlay.Update(msg))
		m.closeIfDone()
	}
	cmds = append(cmds, m.toasts.Update(msg))
	return tea.Batch(cmds...)
}

// handleKey sends a key to an overlay that takes typing, or else looks it
// up in the key table.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.overlay != nil && m.overlay.CapturesKeys() {
		if b, ok := m.keys.LookupIn(m.overlay.Name(), k.String()); ok {
			return m.toOverlay(common.DialogMsg{Action: b.Name})
		}
		return m.toOverlay(k)
	}
	b, ok := m.keys.Lookup(k.String())
	if !ok {
		return nil
	}
	if m.mode() == modeTooSmall && b.Name != "quit" && b.Name != "repaint" {
		return nil
	}
	return m.run(b.Name, "")
}

// toOverlay delivers a message to the open overlay and closes it when it
// finished.
func (m *Model) toOverlay(msg tea.Msg) tea.Cmd {
	if m.overlay == nil {
		return nil
	}
	cmd := m.overlay.Update(msg)
	m.closeIfDone()
	return cmd
}

func (m *Model) closeIfDone() {
	if m.overlay != nil && m.overlay.Done() {
		m.closeOverlay()
	}
}

// closeOverlay drops the open overlay, if any, letting it stop what it
// runs (a search under way).
func (m *Model) closeOverlay() {
	if s, ok := m.overlay.(interface{ Close() }); ok {
		s.Close()
	}
	m.overlay = nil
}

// openOverlay shows o, replacing any overlay already open.
func (m *Model) openOverlay(o common.Overlay) {
	m.closeOverlay()
	o.SetSize(m.width, m.height)
	m.overlay = o
}

// run runs a key-table action by name: the binding's role and "disabled
// now" checks first (a refused action shows why and calls nothing), then
// its handler, or navigation for the focused pane or overlay.
func (m *Model) run(name, arg string) tea.Cmd {
	b, ok := m.keys.Binding(name)
	if !ok {
		return m.toasts.Push(common.ToastWarn, "no command "+name)
	}
	if why := b.Reason(m.keyContext()); why != "" {
		return m.toasts.Push(common.ToastWarn, b.Short+": "+why)
	}
	if h := m.handlers[name]; h != nil {
		return h(arg)
	}
	if b.Group == keys.GroupNavigate {
		return m.navigate(name)
	}
	return nil
}

// navigate sends a navigation action to the overlay if one is open, else
// to the focused pane.
func (m *Model) navigate(name string) tea.Cmd {
	nav := common.NavMsg{Name: name}
	if m.overlay != nil {
		return m.overlay.Update(nav)
	}
	return m.focused().Update(nav)
}

// focused is the focused (or zoomed) pane.
func (m *Model) focused() common.Pane {
	if m.zoom >= 0 {
		return m.panes[m.zoom]
	}
	return m.panes[m.focus]
}

// setTheme switches light/dark and re-lays out, since panes cache styled
// text.
func (m *Model) setTheme(dark bool) tea.Cmd {
	m.c.Theme = m.c.Theme.WithDark(dark)
	for i, p := range m.panes {
		p.SetSize(m.sizes[i][0], m.sizes[i][1])
	}
	return nil
}
