// Package queues is the queues pane: order counts per local state and per
// marketplace status (ON_HOLD is its own bucket, and so are the orders
// TikTok ships), and a windowed list of the selected queue sorted by
// ship-by deadline with the countdown coloured by urgency; the new, held
// and TikTok-ships queues also say why each order is there, and the new
// queue how long until an order leaves the buyer-remorse window.
package queues

import (
	"context"
	"maps"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/orderlist"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Source reads pages of a queue; the console's engine satisfies it.
type Source interface {
	orderlist.FilterSource
	Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error)
	QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error)
}

// bucket is one selectable queue: a local state or a marketplace status.
type bucket struct {
	state  store.State
	status store.MarketStatus
}

func (b bucket) count(c store.Counts) int64 {
	if b.state != "" {
		return c.ByState[b.state]
	}
	return c.ByStatus[b.status]
}

// Model is the queues pane.
type Model struct {
	c       *common.Common
	src     Source
	buckets []bucket
	sel     int
	counts  store.Counts
	list    *orderlist.Model
	chips   []string
	width   int
	height  int
}

// New returns the queues pane showing the orders awaiting shipment first:
// everything TikTok still expects to be dispatched, by deadline, which is
// what an operator checks before anything else.
func New(c *common.Common, src Source) *Model {
	m := &Model{c: c, src: src}
	for _, s := range store.States() {
		m.buckets = append(m.buckets, bucket{state: s})
	}
	for _, s := range store.MarketStatuses() {
		m.buckets = append(m.buckets, bucket{status: s})
	}
	for i, b := range m.buckets {
		if b.status == store.StatusAwaitingShipment {
			m.sel = i
		}
	}
	m.list = orderlist.New(c, m.fetchFor(m.buckets[m.sel]), m.columnsFor(m.buckets[m.sel]))
	return m
}

// Name implements common.Pane.
func (m *Model) Name() string { return "queues" }

// Title implements common.Pane; it names the active filter.
func (m *Model) Title() string { return common.FilterTitle("Queues", m.list) }

// SetFilter implements common.OrderPane: with f the list shows only the
// orders f selects (the state chips stay, none highlighted); nil goes back
// to the selected queue.
func (m *Model) SetFilter(f *store.Filter) tea.Cmd {
	if f == nil {
		m.list.Widen()
		return m.selectBucket(m.sel)
	}
	m.list.Narrow(m.src, *f, m.filterColumns())
	m.layout()
	return m.list.Refresh()
}

// ViewFilter implements common.OrderPane: the active filter, else the
// selected queue's state, else (a marketplace status bucket) every state.
func (m *Model) ViewFilter() store.Filter {
	if f, ok := m.list.Filter(); ok {
		return f
	}
	if b := m.buckets[m.sel]; b.state != "" {
		return store.Filter{States: []store.State{b.state}}
	}
	return store.Filter{States: store.States()}
}

// ActiveFilter implements common.OrderPane.
func (m *Model) ActiveFilter() (store.Filter, bool) { return m.list.Filter() }

func (m *Model) filterColumns() []orderlist.Column {
	return []orderlist.Column{orderlist.IDColumn(), orderlist.BuyerColumn(), orderlist.StateColumn(),
		orderlist.CarrierColumn(), orderlist.ClassColumn(), orderlist.ShipByColumn()}
}

// Selected implements common.OrderPane.
func (m *Model) Selected() (store.Order, bool) { return m.list.Selected() }

// Filter implements common.OrderPane: the active filter, else the selected
// queue when it holds retryable orders, else failed and dead.
func (m *Model) Filter() (store.Filter, string) {
	if f, ok := m.list.Filter(); ok {
		return common.RetryFilter(f)
	}
	b := m.buckets[m.sel]
	switch b.state {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return store.Filter{States: []store.State{b.state}}, string(b.state) + " orders"
	}
	return common.FailedFilter()
}

// SelectedQueue names the selected queue (a state or a status).
func (m *Model) SelectedQueue() string {
	b := m.buckets[m.sel]
	if b.state != "" {
		return string(b.state)
	}
	return string(b.status)
}

func (m *Model) fetchFor(b bucket) orderlist.FetchFunc {
	if b.state != "" {
		return func(ctx context.Context, offset, limit int) ([]store.Order, error) {
			return m.src.Queue(ctx, b.state, offset, limit)
		}
	}
	return func(ctx context.Context, offset, limit int) ([]store.Order, error) {
		return m.src.QueueByStatus(ctx, b.status, offset, limit)
	}
}

func (m *Model) columnsFor(b bucket) []orderlist.Column {
	id, buyer := orderlist.IDColumn(), orderlist.BuyerColumn()
	switch b.state {
	case store.StateNew:
		// Why each order is not pushed yet, and for those waiting out the
		// buyer-remorse window, how long until it is.
		return []orderlist.Column{id, buyer, orderlist.WaitColumn(), orderlist.ShipByColumn(), orderlist.MessageColumn()}
	case store.StateTikTokShips:
		return []orderlist.Column{id, buyer, orderlist.StatusColumn(), orderlist.MessageColumn()}
	case store.StateHeld:
		return []orderlist.Column{id, buyer, orderlist.CarrierColumn(), orderlist.ShipByColumn(), orderlist.MessageColumn()}
	}
	cols := []orderlist.Column{id, buyer, orderlist.SKUColumn()}
	if b.status != "" {
		cols = append(cols, orderlist.StateColumn())
	}
	return append(cols, orderlist.CarrierColumn(), orderlist.ShipByColumn())
}

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// layout splits the pane between the count chips and the list.
func (m *Model) layout() {
	m.chips = m.chipLines()
	m.list.SetSize(m.width, max(0, m.height-len(m.chips)))
}

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.SnapshotMsg:
		changed := !countsEqual(m.counts, msg.Snapshot.Counts)
		m.counts = msg.Snapshot.Counts
		resized := m.list.SetTotal(int(m.buckets[m.sel].count(m.counts)))
		prevRows := len(m.chips)
		m.layout()
		if changed || resized || m.list.Stale() || prevRows != len(m.chips) {
			return m.list.Refresh()
		}
		return nil
	case common.ActionDoneMsg:
		return m.list.Refresh()
	case common.ClickMsg:
		return m.list.Click(msg.Y - len(m.chips))
	case common.NavMsg:
		if _, filtered := m.list.Filter(); filtered && (msg.Name == "prev-queue" || msg.Name == "next-queue") {
			// Leaving the filter for a queue: the chips move from where
			// they were.
			m.list.Widen()
		}
		switch msg.Name {
		case "prev-queue":
			return m.selectBucket(m.sel - 1)
		case "next-queue":
			return m.selectBucket(m.sel + 1)
		}
	}
	return m.list.Update(msg)
}

// selectBucket switches the list to bucket i (wrapping around).
func (m *Model) selectBucket(i int) tea.Cmd {
	n := len(m.buckets)
	m.sel = ((i % n) + n) % n
	b := m.buckets[m.sel]
	m.list.SetFetch(m.fetchFor(b), m.columnsFor(b))
	m.list.SetTotal(int(b.count(m.counts)))
	m.layout()
	return m.list.Refresh()
}

// SelectQueue selects a queue by state or status name (tests use it to
// reach a queue directly).
func (m *Model) SelectQueue(name string) tea.Cmd {
	m.list.Widen()
	for i, b := range m.buckets {
		if string(b.state) == name || string(b.status) == name {
			return m.selectBucket(i)
		}
	}
	return nil
}

func countsEqual(a, b store.Counts) bool {
	return a.Total == b.Total && maps.Equal(a.ByState, b.ByState) && maps.Equal(a.ByStatus, b.ByStatus)
}

// Refresh refetches the page on screen.
func (m *Model) Refresh() tea.Cmd { return m.list.Refresh() }

// VisibleRows is the number of order rows on screen.
func (m *Model) VisibleRows() int { return m.list.Visible() }
