// Package failed is the failed pushes pane: failed and dead orders with
// their carrier, error class, attempts, next retry and the last error
// message (cleaned and cut to fit; the detail overlay shows it whole).
package failed

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/orderlist"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Source reads pages of failed and dead orders; the console's engine
// satisfies it.
type Source interface {
	orderlist.FilterSource
	Failed(ctx context.Context, offset, limit int) ([]store.Order, error)
}

// Model is the failed pushes pane.
type Model struct {
	c      *common.Common
	src    Source
	cols   []orderlist.Column
	list   *orderlist.Model
	counts store.Counts
	width  int
	height int
}

// New returns the failed pushes pane.
func New(c *common.Common, src Source) *Model {
	cols := []orderlist.Column{
		orderlist.IDColumn(), orderlist.CarrierColumn(), orderlist.ClassColumn(),
		orderlist.AttemptsColumn(), orderlist.NextRetryColumn(), orderlist.MessageColumn(),
	}
	return &Model{c: c, src: src, cols: cols, list: orderlist.New(c, src.Failed, cols)}
}

// Name implements common.Pane.
func (m *Model) Name() string { return "failed" }

// Title implements common.Pane; it names the active filter.
func (m *Model) Title() string { return common.FilterTitle("Failed pushes", m.list) }

// SetFilter implements common.OrderPane: with f the list shows only the
// orders f selects; nil goes back to every failed and dead order.
func (m *Model) SetFilter(f *store.Filter) tea.Cmd {
	if f == nil {
		m.list.Widen()
		m.list.SetFetch(m.src.Failed, m.cols)
		m.list.SetTotal(int(m.counts.ByState[store.StateFailed] + m.counts.ByState[store.StateDead]))
		return m.list.Refresh()
	}
	m.list.Narrow(m.src, *f, nil)
	return m.list.Refresh()
}

// ViewFilter implements common.OrderPane: the active filter, else failed
// and dead.
func (m *Model) ViewFilter() store.Filter {
	if f, ok := m.list.Filter(); ok {
		return f
	}
	f, _ := common.FailedFilter()
	return f
}

// ActiveFilter implements common.OrderPane.
func (m *Model) ActiveFilter() (store.Filter, bool) { return m.list.Filter() }

// Selected implements common.OrderPane.
func (m *Model) Selected() (store.Order, bool) { return m.list.Selected() }

// Filter implements common.OrderPane: the active filter, else every
// failed and dead order.
func (m *Model) Filter() (store.Filter, string) {
	if f, ok := m.list.Filter(); ok {
		return common.RetryFilter(f)
	}
	return common.FailedFilter()
}

// SetSize implements common.Component; one line is the summary.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.list.SetSize(w, max(0, h-1))
}

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.SnapshotMsg:
		c := msg.Snapshot.Counts
		changed := c.ByState[store.StateFailed] != m.counts.ByState[store.StateFailed] ||
			c.ByState[store.StateDead] != m.counts.ByState[store.StateDead] || c.Total != m.counts.Total
		m.counts = c
		m.list.SetTotal(int(c.ByState[store.StateFailed] + c.ByState[store.StateDead]))
		if changed || m.list.Stale() {
			return m.list.Refresh()
		}
		return nil
	case common.ActionDoneMsg:
		return m.list.Refresh()
	case common.ClickMsg:
		return m.list.Click(msg.Y - 1) // below the summary line
	}
	return m.list.Update(msg)
}

// Refresh refetches the page on screen.
func (m *Model) Refresh() tea.Cmd { return m.list.Refresh() }
