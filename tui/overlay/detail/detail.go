// Package detail is the order detail overlay: state and reason, the
// current push, every deadline, the full recipient address (shown only
// here), line items, push attempts and the audit trail. Actions from the
// key table apply to the order it shows.
package detail

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Source reads one order's detail; the console's engine satisfies it.
type Source interface {
	OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error)
}

const fetchTimeout = 10 * time.Second

// loadedMsg is the reply to a detail request.
type loadedMsg struct {
	overlay  int
	gen      uint64
	order    store.Order
	attempts []store.Attempt
	audit    []store.AuditEntry
	err      error
}

// Model is the detail overlay.
type Model struct {
	c        *common.Common
	src      Source
	id       string
	overlay  int
	gen      uint64
	loaded   bool
	order    store.Order
	attempts []store.Attempt
	audit    []store.AuditEntry
	err      error
	scroll   int
	w, h     int
}

// New returns the overlay for order id and the command that loads it.
func New(c *common.Common, src Source, id string) (*Model, tea.Cmd) {
	m := &Model{c: c, src: src, id: id, overlay: c.NewID()}
	return m, m.load()
}

func (m *Model) load() tea.Cmd {
	m.gen++
	gen, id, src, base, ov := m.gen, m.id, m.src, m.c.Ctx, m.overlay
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, fetchTimeout)
		defer cancel()
		o, atts, audit, err := src.OrderDetail(ctx, id)
		return loadedMsg{overlay: ov, gen: gen, order: o, attempts: atts, audit: audit, err: err}
	}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "detail" }

// CapturesKeys implements common.Overlay: the key table stays live so
// actions apply to this order.
func (m *Model) CapturesKeys() bool { return false }

// Done implements common.Overlay; the detail closes with esc.
func (m *Model) Done() bool { return false }

// Order implements common.OrderOverlay.
func (m *Model) Order() (store.Order, bool) {
	if !m.loaded || m.err != nil {
		return store.Order{}, false
	}
	return m.order, true
}

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.overlay != m.overlay || msg.gen != m.gen {
			return nil
		}
		m.loaded = true
		m.order, m.attempts, m.audit, m.err = msg.order, msg.attempts, msg.audit, msg.err
	case common.ActionDoneMsg:
		// The order may have changed; show it as it is now.
		return m.load()
	case common.NavMsg:
		m.navigate(msg.Name)
	}
	return nil
}

func (m *Model) navigate(name string) {
	page := max(1, m.bodyHeight()-1)
	switch name {
	case "up":
		m.scroll--
	case "down":
		m.scroll++
	case "pgup":
		m.scroll -= page
	case "pgdown":
		m.scroll += page
	case "home":
		m.scroll = 0
	case "end":
		m.scroll = 1 << 30
	}
	m.scroll = max(0, m.scroll)
}
