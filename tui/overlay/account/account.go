package account

import (
	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the account-health overlay. It keeps the latest snapshot's
// estimate and reconciliation, so it stays live while open.
type Model struct {
	c      *common.Common
	v      View
	scroll int
	w, h   int
}

// New returns the overlay showing snap's estimate until the next snapshot.
func New(c *common.Common, snap store.Snapshot) *Model {
	return &Model{c: c, v: View{Health: snap.Health, Reconcile: snap.Reconcile, Costs: snap.Costs}}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "account" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return false }

// Done implements common.Overlay.
func (m *Model) Done() bool { return false }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Update implements common.Component: new snapshots redraw it, j/k scroll.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.SnapshotMsg:
		m.v = View{Health: msg.Snapshot.Health, Reconcile: msg.Snapshot.Reconcile, Costs: msg.Snapshot.Costs}
	case common.NavMsg:
		m.scroll = widget.Scroll(msg.Name, m.scroll)
	}
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	w, _ := draw.DialogSize(110, 10, m.w, m.h)
	return m.c.ScrollDialog("Account health — estimated from shipdeck's data · esc closes",
		Lines(m.c, m.v, max(20, w-4)), 110, m.w, m.h, &m.scroll)
}
