package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/overlay/account"
	"github.com/shipdeck/shipdeck/tui/overlay/activity"
	"github.com/shipdeck/shipdeck/tui/overlay/carrier"
	"github.com/shipdeck/shipdeck/tui/overlay/confirm"
	"github.com/shipdeck/shipdeck/tui/overlay/detail"
	"github.com/shipdeck/shipdeck/tui/overlay/help"
	"github.com/shipdeck/shipdeck/tui/overlay/palette"
	"github.com/shipdeck/shipdeck/tui/overlay/picker"
	"github.com/shipdeck/shipdeck/tui/overlay/prompt"
	"github.com/shipdeck/shipdeck/tui/overlay/search"
	"github.com/shipdeck/shipdeck/tui/panes/carriers"
)

// actionHandlers maps key-table names to what they do. Navigation bindings
// have no handler: they go to the focused pane or overlay.
func (m *Model) actionHandlers() map[string]func(string) tea.Cmd {
	return map[string]func(string) tea.Cmd{
		"retry":         m.retry,
		"retry-all":     m.retryAll,
		"reroute":       m.reroute,
		"hold":          m.hold,
		"release":       m.release,
		"resolve":       m.resolve,
		"mark":          m.mark,
		"pause":         m.pause,
		"export":        m.export,
		"detail":        m.detail,
		"search":        m.search,
		"palette":       m.palette,
		"help":          m.help,
		"zoom-queues":   m.zoomTo(0),
		"zoom-quota":    m.zoomTo(1),
		"zoom-carriers": m.zoomTo(2),
		"zoom-failed":   m.zoomTo(3),
		"focus-next":    m.focusBy(1),
		"focus-prev":    m.focusBy(-1),
		"back":          m.back,
		"state":         m.filterState,
		"carrier":       m.filterCarrier,
		"class":         m.filterClass,
		"dead":          m.jumpState(store.StateDead),
		"failed":        m.jumpState(store.StateFailed),
		"held":          m.jumpState(store.StateHeld),
		"order":         m.jumpOrder,
		"clear":         m.clearFilter,
		"copy":          m.copyID,
		"activity":      m.activity,
		"health":        m.health,
		"repaint":       func(string) tea.Cmd { return tea.ClearScreen },
		"quit":          m.quit,
	}
}

func (m *Model) retry(string) tea.Cmd {
	eng, actor := m.eng, m.c.Actor
	if ids := m.c.Marks.IDs(); len(ids) > 0 {
		run := m.bulkCmd("retry", "retried", ids, func(ctx context.Context, id string) error {
			return eng.Retry(ctx, actor, id)
		})
		m.openOverlay(confirm.New(m.c, "Retry marked", fmt.Sprintf("Retry %d marked orders?", len(ids)), run))
		return nil
	}
	o, _ := m.target()
	id := o.ID
	return m.engineCmd("retry", "retried "+id, []string{id}, func(ctx context.Context) error {
		return eng.Retry(ctx, actor, id)
	})
}

func (m *Model) retryAll(string) tea.Cmd {
	f, desc := common.FailedFilter()
	if p, ok := m.focused().(common.OrderPane); ok {
		f, desc = p.Filter()
	}
	if len(f.States) == 0 {
		return m.toasts.Push(common.ToastInfo, "retry all: nothing in "+desc+" can be retried")
	}
	return m.countMatching(f, desc)
}

// confirmRetryAll asks to retry the real total the engine counted.
func (m *Model) confirmRetryAll(msg retryAllCountedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return m.toasts.Push(common.ToastError, "retry all: could not count: "+msg.err.Error())
	case msg.n == 0:
		return m.toasts.Push(common.ToastInfo, "retry all: no "+msg.desc+" to retry")
	}
	eng, actor, f := m.eng, m.c.Actor, msg.filter
	run := m.call(func(ctx context.Context) tea.Msg {
		n, err := eng.RetryMatching(ctx, actor, f)
		if err != nil {
			return common.ActionDoneMsg{Action: "retry-all", Err: err, Text: fmt.Sprintf("retry all failed after %d: %v", n, err)}
		}
		return common.ActionDoneMsg{Action: "retry-all", Text: fmt.Sprintf("retried %d orders", n)}
	})
	m.openOverlay(confirm.New(m.c, "Retry all", fmt.Sprintf("Retry all %d %s?", msg.n, msg.desc), run))
	return nil
}

func (m *Model) reroute(arg string) tea.Cmd {
	o, _ := m.target()
	eng, actor, id := m.eng, m.c.Actor, o.ID
	onPick := func(to string) tea.Cmd {
		return m.engineCmd("reroute", "re-routed "+id+" to "+to, []string{id}, func(ctx context.Context) error {
			return eng.Reroute(ctx, actor, id, to)
		})
	}
	// ":reroute fastship" names the carrier and skips the picker.
	if to := strings.TrimSpace(arg); to != "" {
		return onPick(to)
	}
	m.openOverlay(picker.New(m.c, "Re-route "+draw.Clean(id), eng.Carriers(), m.snap.Carriers, o.Carrier(), onPick))
	return nil
}

func (m *Model) hold(string) tea.Cmd {
	eng, actor := m.eng, m.c.Actor
	if ids := m.c.Marks.IDs(); len(ids) > 0 {
		what, verb, fn := "Hold", "held", eng.Hold
		if m.c.Marks.AllIn(store.StateHeld) {
			what, verb, fn = "Release", "released", eng.Release
		}
		run := m.bulkCmd("hold", verb, ids, func(ctx context.Context, id string) error { return fn(ctx, actor, id) })
		m.openOverlay(confirm.New(m.c, what+" marked", fmt.Sprintf("%s %d marked orders?", what, len(ids)), run))
		return nil
	}
	o, _ := m.target()
	if o.State == store.StateHeld {
		return m.release("")
	}
	id := o.ID
	return m.engineCmd("hold", "held "+id, []string{id}, func(ctx context.Context) error {
		return eng.Hold(ctx, actor, id)
	})
}

func (m *Model) release(string) tea.Cmd {
	o, _ := m.target()
	eng, actor, id := m.eng, m.c.Actor, o.ID
	return m.engineCmd("release", "released "+id, []string{id}, func(ctx context.Context) error {
		return eng.Release(ctx, actor, id)
	})
}

func (m *Model) resolve(arg string) tea.Cmd {
	o, _ := m.target()
	eng, actor, id := m.eng, m.c.Actor, o.ID
	submit := func(reason string) tea.Cmd {
		return m.engineCmd("resolve", "resolved "+id, []string{id}, func(ctx context.Context) error {
			return eng.Resolve(ctx, actor, id, reason)
		})
	}
	if strings.TrimSpace(arg) != "" {
		return submit(strings.TrimSpace(arg))
	}
	m.openOverlay(prompt.New(m.c, "Resolve "+draw.Clean(id), "Why is it resolved? (recorded in the audit trail)",
		"shipped by hand, refunded…", submit))
	return nil
}

func (m *Model) mark(string) tea.Cmd {
	o, _ := m.target()
	m.c.Marks.Toggle(o)
	if m.overlay == nil {
		return m.focused().Update(common.NavMsg{Name: "down"})
	}
	return nil
}

// copyID puts the selected order's id on the operator's clipboard with
// OSC 52, which the terminal carries out, so it works over SSH too.
func (m *Model) copyID(string) tea.Cmd {
	o, _ := m.target()
	return tea.Batch(tea.SetClipboard(o.ID), m.toasts.Push(common.ToastInfo, "copied "+draw.Clean(o.ID)))
}

func (m *Model) pause(string) tea.Cmd {
	eng, actor := m.eng, m.c.Actor
	paused := m.snap.Worker.State != store.WorkerPaused
	text := "worker paused"
	if !paused {
		text = "worker resumed"
	}
	return m.engineCmd("pause", text, nil, func(ctx context.Context) error {
		return eng.SetPaused(ctx, actor, paused)
	})
}

func (m *Model) export(arg string) tea.Cmd {
	view := strings.TrimSpace(arg)
	if view == "" {
		view = "failed"
	}
	if !validView(view) {
		return m.toasts.Push(common.ToastWarn, "export: unknown view "+fmt.Sprintf("%q", view)+
			" (failed, dead, all or a state name)")
	}
	return m.exportCmd(view)
}

// validView accepts the views Export knows: "all" or a state name (the
// "failed" view is failed and dead together).
func validView(v string) bool { return v == "all" || store.State(v).Valid() }

func (m *Model) detail(string) tea.Cmd {
	if c, ok := m.focused().(*carriers.Model); ok && m.overlay == nil {
		if name, ok := c.Selected(); ok {
			return m.drillCarrier(name)
		}
	}
	o, _ := m.target()
	return m.openDetail(o.ID)
}

// drillCarrier shows a carrier's orders (the queues list filtered to the
// states a carrier's orders pass through) under an overlay with its
// recent calls and circuit history.
func (m *Model) drillCarrier(name string) tea.Cmd {
	f := store.Filter{States: carrierStates(), Carrier: name}
	show := m.showFilter(m.queues, f)
	var stats store.CarrierStats
	for _, s := range m.snap.Carriers {
		if s.Name == name {
			stats = s
		}
	}
	o, load := carrier.New(m.c, m.eng, name, stats)
	m.openOverlay(o)
	return tea.Batch(show, load)
}

// carrierStates are the states of orders routed to a carrier and not yet
// finished: what a carrier's drill-down lists. Derived from store.States,
// so a new state shows unless it is one that no carrier holds.
func carrierStates() []store.State {
	return slices.DeleteFunc(store.States(), func(s store.State) bool {
		switch s {
		case store.StateNew, store.StateReady, store.StateShipped, store.StateCancelled, store.StateTikTokShips:
			return true
		}
		return false
	})
}

// health opens the account-health view.
func (m *Model) health(string) tea.Cmd {
	m.openOverlay(account.New(m.c, m.snap))
	return nil
}

// activity opens the activity log.
func (m *Model) activity(string) tea.Cmd {
	o, load := activity.New(m.c, m.eng)
	m.openOverlay(o)
	return load
}

func (m *Model) openDetail(id string) tea.Cmd {
	d, load := detail.New(m.c, m.eng, id)
	m.openOverlay(d)
	return load
}

func (m *Model) search(string) tea.Cmd {
	if a, ok := m.overlay.(*activity.Model); ok {
		a.StartFilter() // "/" filters the activity log
		return nil
	}
	m.openOverlay(search.New(m.c, m.eng))
	return nil
}

func (m *Model) palette(string) tea.Cmd {
	m.openOverlay(palette.New(m.c, m.keys, m.keyContext(), m.completions))
	return nil
}

func (m *Model) help(string) tea.Cmd {
	if m.overlay != nil && m.overlay.Name() == "help" {
		m.closeOverlay()
		return nil
	}
	ctx := m.keyContext()
	m.openOverlay(help.New(m.c, m.keys, ctx))
	return nil
}

func (m *Model) zoomTo(i int) func(string) tea.Cmd {
	return func(string) tea.Cmd {
		if m.mode() == modeTabs {
			// Stacked panes are already one at a time: the number picks
			// the tab.
			m.zoom, m.focus = -1, i
			return m.layout()
		}
		if m.zoom == i {
			m.zoom = -1
		} else {
			m.zoom = i
			m.focus = i
		}
		return m.layout()
	}
}

func (m *Model) focusBy(d int) func(string) tea.Cmd {
	return func(string) tea.Cmd {
		n := len(m.panes)
		m.focus = ((m.focus+d)%n + n) % n
		if m.zoom >= 0 {
			m.zoom = m.focus
		}
		return m.layout()
	}
}

func (m *Model) back(string) tea.Cmd {
	_, filtered := m.filterTarget().ActiveFilter()
	switch {
	case m.overlay != nil:
		m.closeOverlay()
	case filtered:
		return m.clearFilter("")
	case m.zoom >= 0:
		m.zoom = -1
		return m.layout()
	case m.c.Marks.Len() > 0:
		m.c.Marks.Clear()
	}
	return nil
}

func (m *Model) quit(string) tea.Cmd {
	m.Close()
	return tea.Quit
}

// actionDone shows a command's result, forgets the marks it handled and
// lets every component refetch.
func (m *Model) actionDone(msg common.ActionDoneMsg) tea.Cmd {
	kind := common.ToastOK
	if msg.Err != nil {
		kind = common.ToastError
		if len(msg.Done) > 0 {
			kind = common.ToastWarn
		}
	}
	m.c.Marks.Remove(msg.Done...)
	return tea.Batch(m.toasts.Push(kind, msg.Text), m.broadcast(msg))
}
