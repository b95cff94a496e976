package tui

import (
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/tui/panes/carriers"

	"github.com/shipdeck/shipdeck/tui/common"
)

// target is the order actions apply to: the one in the detail overlay, or
// the highlighted row of the focused order pane.
func (m *Model) target() (store.Order, bool) {
	if o, ok := m.overlay.(common.OrderOverlay); ok {
		return o.Order()
	}
	if m.overlay != nil {
		return store.Order{}, false
	}
	if p, ok := m.focused().(common.OrderPane); ok {
		return p.Selected()
	}
	return store.Order{}, false
}

// keyContext is what the key table's disabled checks see right now.
func (m *Model) keyContext() keys.Context {
	ctx := keys.Context{
		Role:   m.c.Actor.Role,
		Pane:   m.focused().Name(),
		Marked: m.c.Marks.Len(),
		Paused: m.snap.Worker.State == store.WorkerPaused,
		Retryable: m.snap.Counts.ByState[store.StateFailed] + m.snap.Counts.ByState[store.StateDead] +
			m.snap.Counts.ByState[store.StateUnknown],
		Now: m.c.Now(),
	}
	if m.overlay != nil {
		ctx.Overlay = m.overlay.Name()
	}
	_, ctx.Filtered = m.filterTarget().ActiveFilter()
	if c, ok := m.focused().(*carriers.Model); ok && m.overlay == nil {
		ctx.Carrier, _ = c.Selected()
	}
	if o, ok := m.target(); ok {
		ctx.Order = &o
	}
	return ctx
}
