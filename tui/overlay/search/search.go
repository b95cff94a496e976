// Package search is the "/" fuzzy search overlay over orders. Each
// keystroke starts a search in a command and cancels the one before it; a
// generation counter drops any reply that a newer keystroke overtook, so
// the list never flickers back to an old pattern. Choosing a hit opens the
// order's detail.
package search

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Source runs the search; the console's engine satisfies it.
type Source interface {
	Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error)
}

// limit is how many hits a search asks for.
const limit = 50

// searchTimeout bounds one search.
const searchTimeout = 10 * time.Second

// resultMsg is the reply to a search.
type resultMsg struct {
	overlay int
	gen     uint64
	pattern string
	hits    []store.SearchHit
	err     error
}

// Model is the search overlay.
type Model struct {
	c       *common.Common
	src     Source
	id      int
	input   widget.Input
	gen     uint64
	cancel  context.CancelFunc
	pending bool
	pattern string
	hits    []store.SearchHit
	err     error
	cursor  int
	done    bool
	w, h    int
}

// New returns an empty search overlay.
func New(c *common.Common, src Source) *Model {
	return &Model{c: c, src: src, id: c.NewID(), input: widget.NewInput("/", "order id, buyer, SKU, carrier, city")}
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "search" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return true }

// Done implements common.Overlay.
func (m *Model) Done() bool { return m.done }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Hits returns the hits on screen.
func (m *Model) Hits() []store.SearchHit { return m.hits }

// Pending reports whether a search is under way.
func (m *Model) Pending() bool { return m.pending }

// Close cancels a search under way; the root calls it when the overlay is
// dropped.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// start cancels the running search and starts one for the current text.
func (m *Model) start() tea.Cmd {
	m.Close()
	m.gen++
	pattern := m.input.Value()
	if pattern == "" {
		m.pending, m.hits, m.err, m.pattern = false, nil, nil, ""
		return nil
	}
	ctx, cancel := context.WithTimeout(m.c.Ctx, searchTimeout)
	m.cancel, m.pending = cancel, true
	gen, id, src := m.gen, m.id, m.src
	return func() tea.Msg {
		hits, err := src.Search(ctx, pattern, limit)
		return resultMsg{overlay: id, gen: gen, pattern: pattern, hits: hits, err: err}
	}
}

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resultMsg:
		if msg.overlay != m.id || msg.gen != m.gen {
			return nil // overtaken by a newer keystroke
		}
		m.pending = false
		m.Close()
		m.pattern, m.hits, m.err, m.cursor = msg.pattern, msg.hits, msg.err, 0
		return nil
	case common.DialogMsg:
		if c, moved := widget.MoveCursor(msg.Action, m.cursor, len(m.hits), m.rows()); moved {
			m.cursor = c
			return nil
		}
		switch msg.Action {
		case "cancel":
			m.Close()
			m.done = true
			return nil
		case "accept":
			if len(m.hits) == 0 {
				return nil
			}
			m.Close()
			m.done = true
			id := m.hits[m.cursor].Order.ID
			return func() tea.Msg { return common.OpenDetailMsg{OrderID: id} }
		}
	}
	if m.input.Update(msg) {
		return m.start()
	}
	return nil
}
