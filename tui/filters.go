package tui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/overlay/choose"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// classSample is how many failed and dead orders the error-class chooser
// reads to offer the classes that exist now.
const classSample = 500

// classesMsg carries the error classes found among failed and dead orders.
type classesMsg struct {
	classes []string
	err     error
}

// filterTarget is the order pane a carrier or class filter narrows: the
// focused one, or the queues pane when the focused pane lists no orders.
func (m *Model) filterTarget() common.OrderPane {
	if p, ok := m.focused().(common.OrderPane); ok {
		return p
	}
	return m.queues
}

// showFilter sets f on pane p and brings p into view.
func (m *Model) showFilter(p common.OrderPane, f store.Filter) tea.Cmd {
	for i, q := range m.panes {
		if q == common.Pane(p) {
			m.focus = i
			if m.zoom >= 0 {
				m.zoom = i
			}
		}
	}
	return tea.Batch(m.layout(), p.SetFilter(&f))
}

// filterState narrows the queues pane to one or more states (":state
// failed,dead", or a chooser), keeping its carrier and class.
func (m *Model) filterState(arg string) tea.Cmd {
	apply := func(list string) tea.Cmd {
		states, err := store.ParseStates(list)
		if err != nil || len(states) == 0 {
			why := "name one or more states"
			if err != nil {
				why = err.Error()
			}
			return m.toasts.Push(common.ToastWarn, "state: "+why)
		}
		f := m.queues.ViewFilter()
		f.States = states
		return m.showFilter(m.queues, f)
	}
	if strings.TrimSpace(arg) != "" {
		return apply(arg)
	}
	names := make([]string, 0, len(store.States()))
	for _, s := range store.States() {
		names = append(names, string(s))
	}
	m.openOverlay(choose.New(m.c, "Show state", names, false, apply))
	return nil
}

// jumpState shows the orders of one state in the queues pane.
func (m *Model) jumpState(s store.State) func(string) tea.Cmd {
	return func(string) tea.Cmd {
		return m.showFilter(m.queues, store.Filter{States: []store.State{s}})
	}
}

// filterCarrier narrows the focused order list to one carrier's orders.
func (m *Model) filterCarrier(arg string) tea.Cmd {
	carriers := m.eng.Carriers()
	apply := func(name string) tea.Cmd {
		i := slices.IndexFunc(carriers, func(c string) bool { return strings.EqualFold(c, strings.TrimSpace(name)) })
		if i < 0 {
			return m.toasts.Push(common.ToastWarn, fmt.Sprintf("carrier: no carrier %q (%s)",
				draw.Clean(name), strings.Join(carriers, ", ")))
		}
		p := m.filterTarget()
		f := p.ViewFilter()
		f.Carrier = carriers[i]
		return m.showFilter(p, f)
	}
	if strings.TrimSpace(arg) != "" {
		return apply(arg)
	}
	m.openOverlay(choose.New(m.c, "Show carrier", carriers, false, apply))
	return nil
}

// filterClass narrows the focused order list to one error class. Without
// an argument it offers the classes failed and dead orders have now, and
// takes any typed class too.
func (m *Model) filterClass(arg string) tea.Cmd {
	if c := strings.TrimSpace(arg); c != "" {
		return m.applyClass(c)
	}
	eng := m.eng
	return m.call(func(ctx context.Context) tea.Msg {
		f, _ := common.FailedFilter()
		f.States = append(f.States, store.StateUnknown)
		orders, err := eng.Matching(ctx, f, 0, classSample)
		seen := map[string]bool{}
		for _, o := range orders {
			if o.ErrorClass != "" {
				seen[o.ErrorClass] = true
			}
		}
		classes := slices.Sorted(maps.Keys(seen))
		return classesMsg{classes: classes, err: err}
	})
}

// chooseClass opens the class chooser over the classes found.
func (m *Model) chooseClass(msg classesMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(common.ToastError, "class: could not read failed orders: "+msg.err.Error())
	}
	m.openOverlay(choose.New(m.c, "Show error class", msg.classes, true, m.applyClass))
	return nil
}

func (m *Model) applyClass(class string) tea.Cmd {
	p := m.filterTarget()
	f := p.ViewFilter()
	f.ErrorClass = class
	return m.showFilter(p, f)
}

// jumpOrder opens an order's detail by id (":order ID").
func (m *Model) jumpOrder(arg string) tea.Cmd {
	id := strings.TrimSpace(arg)
	if id == "" {
		return m.toasts.Push(common.ToastWarn, "order: name an order id (:order ORD-123)")
	}
	return m.openDetail(id)
}

// clearFilter drops the focused list's filter (the queues pane's when the
// focused pane lists no orders).
func (m *Model) clearFilter(string) tea.Cmd {
	p := m.filterTarget()
	if _, ok := p.ActiveFilter(); !ok {
		return nil
	}
	return tea.Batch(p.SetFilter(nil), m.layout())
}

// completions lists what a palette command's argument may be, for tab
// completion.
func (m *Model) completions(name string) []string {
	switch name {
	case "state", "export":
		out := make([]string, 0, len(store.States())+1)
		if name == "export" {
			out = append(out, "all")
		}
		for _, s := range store.States() {
			out = append(out, string(s))
		}
		return out
	case "carrier", "reroute":
		return m.eng.Carriers()
	}
	return nil
}
