// Package orderlist is the windowed order list the queues and failed panes
// are built on. It knows the total from the snapshot's counters, keeps a
// cursor over the whole list and holds only the rows on screen: when the
// window moves it asks the engine for that page, in a command, and drops
// replies that a newer request has overtaken. Drawing never touches the
// engine, so a frame costs the same with a thousand orders or a million.
package orderlist

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
)

// FetchFunc reads one page of the list.
type FetchFunc func(ctx context.Context, offset, limit int) ([]store.Order, error)

// FilterSource reads the orders a filter selects and counts them; the
// console's engine satisfies it.
type FilterSource interface {
	Matching(ctx context.Context, f store.Filter, offset, limit int) ([]store.Order, error)
	CountMatching(ctx context.Context, f store.Filter) (int, error)
}

// staleAfter is how old a page may get before a snapshot refetches it even
// when no counter moved (attempts and retry times change in place).
const staleAfter = 5 * time.Second

// fetchTimeout bounds one page read.
const fetchTimeout = 10 * time.Second

// pageMsg is the reply to a page request.
type pageMsg struct {
	list   int
	gen    uint64
	offset int
	rows   []store.Order
	err    error
	// counted is set when the list counts itself (a filtered list): total
	// is then the list's length as the engine counted it.
	counted bool
	total   int
}

// Model is a windowed, cursor-driven list of orders.
type Model struct {
	c       *common.Common
	id      int
	fetch   FetchFunc
	columns []Column
	// filter and src are set while the list shows only what a filter
	// selects; no counter holds that length, so the list counts it.
	filter *store.Filter
	src    FilterSource

	total  int
	cursor int
	// offset is the first row on screen.
	offset int
	// rows is the cached page, starting at pageOffset.
	rows       []store.Order
	pageOffset int
	fetchedAt  time.Time
	gen        uint64
	loading    bool
	err        error

	width, height int
}

// New returns an empty list that reads pages with fetch and draws columns.
func New(c *common.Common, fetch FetchFunc, columns []Column) *Model {
	return &Model{c: c, id: c.NewID(), fetch: fetch, columns: columns}
}

// SetFetch replaces the page source (the queues pane switching queue) and
// moves back to the top.
func (m *Model) SetFetch(fetch FetchFunc, columns []Column) {
	m.fetch = fetch
	if columns != nil {
		m.columns = columns
	}
	m.cursor, m.offset = 0, 0
	m.rows, m.pageOffset = nil, 0
	m.err = nil
	m.gen++ // replies for the old source are now stale
}

// Narrow shows only the orders f selects, read and counted through src,
// from the top. The pane that owns the list restores its own source with
// SetFetch after Widen.
func (m *Model) Narrow(src FilterSource, f store.Filter, columns []Column) {
	m.filter, m.src = &f, src
	m.SetFetch(func(ctx context.Context, offset, limit int) ([]store.Order, error) {
		return src.Matching(ctx, f, offset, limit)
	}, columns)
}

// Widen drops the filter; the caller sets the list's own source again.
func (m *Model) Widen() { m.filter, m.src = nil, nil }

// Filter returns the active filter, if any.
func (m *Model) Filter() (store.Filter, bool) {
	if m.filter == nil {
		return store.Filter{}, false
	}
	return *m.filter, true
}

// SetSize sets the list's rectangle; one line is the column header.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(0, w), max(0, h)
	m.clamp()
}

// Visible is the number of order rows on screen, which is the page size
// the list asks for.
func (m *Model) Visible() int { return max(0, m.height-1) }

// Total is the list's length as the counters report it.
func (m *Model) Total() int { return m.total }

// SetTotal records the list's length and reports whether it changed. A
// filtered list ignores it: no counter holds its length.
func (m *Model) SetTotal(n int) bool {
	if m.filter != nil {
		// A filtered list counts itself on Refresh.
		return false
	}
	n = max(0, n)
	if n == m.total {
		return false
	}
	m.total = n
	m.clamp()
	return true
}

// Selected returns the highlighted order, when its row is loaded.
func (m *Model) Selected() (store.Order, bool) {
	i := m.cursor - m.pageOffset
	if m.total == 0 || i < 0 || i >= len(m.rows) {
		return store.Order{}, false
	}
	return m.rows[i], true
}

// Stale reports whether the cached page is old enough to refetch on the
// next snapshot.
func (m *Model) Stale() bool {
	return m.fetchedAt.IsZero() || m.c.Now().Sub(m.fetchedAt) >= staleAfter
}

// Refresh fetches the page on screen.
func (m *Model) Refresh() tea.Cmd {
	limit := m.Visible()
	if m.fetch == nil || limit == 0 {
		return nil
	}
	m.gen++
	if m.filter != nil {
		return m.refreshCounted(limit)
	}
	if m.total == 0 {
		// The counters say there is nothing; do not ask.
		m.rows, m.pageOffset, m.loading, m.err = nil, m.offset, false, nil
		m.fetchedAt = m.c.Now()
		return nil
	}
	m.loading = true
	gen, offset, fetch, id, base := m.gen, m.offset, m.fetch, m.id, m.c.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, fetchTimeout)
		defer cancel()
		rows, err := fetch(ctx, offset, limit)
		return pageMsg{list: id, gen: gen, offset: offset, rows: rows, err: err}
	}
}

// refreshCounted counts a filtered list and reads its page in one command.
func (m *Model) refreshCounted(limit int) tea.Cmd {
	m.loading = true
	gen, offset, fetch, id, base, src, f := m.gen, m.offset, m.fetch, m.id, m.c.Ctx, m.src, *m.filter
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, fetchTimeout)
		defer cancel()
		n, err := src.CountMatching(ctx, f)
		if err != nil {
			return pageMsg{list: id, gen: gen, offset: offset, err: err}
		}
		var rows []store.Order
		if n > 0 {
			rows, err = fetch(ctx, min(offset, max(0, n-1)), limit)
		}
		return pageMsg{list: id, gen: gen, offset: min(offset, max(0, n-1)), rows: rows, err: err, counted: true, total: n}
	}
}

// covered reports whether the cached page holds every row on screen.
func (m *Model) covered() bool {
	if m.rows == nil && m.total > 0 {
		return false
	}
	end := min(m.total, m.offset+m.Visible())
	return m.offset >= m.pageOffset && end <= m.pageOffset+len(m.rows)
}

// Update applies page replies and navigation.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageMsg:
		if msg.list != m.id || msg.gen != m.gen {
			return nil
		}
		m.loading = false
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		m.err = nil
		if msg.counted {
			m.total = msg.total
			m.clamp()
		}
		m.rows, m.pageOffset = msg.rows, msg.offset
		m.fetchedAt = m.c.Now()
		// The list shrank under us: the counters will catch up, but
		// never show a cursor past the end of what exists.
		if len(msg.rows) < m.Visible() && msg.offset+len(msg.rows) < m.total {
			m.total = msg.offset + len(msg.rows)
			m.clamp()
		}
		return nil
	case common.NavMsg:
		return m.navigate(msg.Name)
	case common.ClickMsg:
		return m.Click(msg.Y)
	}
	return nil
}

// Click puts the cursor on the row drawn on line y of the list (line 0 is
// the column header).
func (m *Model) Click(y int) tea.Cmd {
	i := m.offset + y - 1
	if y < 1 || i >= m.total || i >= m.offset+m.Visible() {
		return nil
	}
	m.cursor = i
	return nil
}

// navigate moves the cursor and fetches when the window moved past the
// cached page.
func (m *Model) navigate(name string) tea.Cmd {
	page := max(1, m.Visible())
	switch name {
	case "up":
		m.cursor--
	case "down":
		m.cursor++
	case "pgup":
		m.cursor -= page
	case "pgdown":
		m.cursor += page
	case "home":
		m.cursor = 0
	case "end":
		m.cursor = m.total - 1
	default:
		return nil
	}
	m.clamp()
	if !m.covered() {
		return m.Refresh()
	}
	return nil
}

// clamp keeps the cursor inside the list and the window around the
// cursor.
func (m *Model) clamp() {
	if m.cursor >= m.total {
		m.cursor = m.total - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	v := m.Visible()
	if v == 0 {
		m.offset = m.cursor
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+v {
		m.offset = m.cursor - v + 1
	}
	if m.offset > max(0, m.total-v) {
		m.offset = max(0, m.total-v)
	}
	if m.offset < 0 {
		m.offset = 0
	}
}
