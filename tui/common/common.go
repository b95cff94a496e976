// Package common holds the shared types and messages of the shipdeck
// console: the session state every component reads (theme, clock, zone,
// operator, the command context, the multi-selection), the interfaces of
// panes and overlays, and the messages components send each other. Text
// and layout helpers are in package draw; reusable widgets in widget.
package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/zone"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// TickFunc schedules fn after d, like tea.Tick. It is injected so tests can
// drive timers without sleeping.
type TickFunc func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

// Common is the state shared by every component of one console session. It
// is owned by the root model and passed by pointer, so a theme switch is
// seen by everyone at once. Components only read it.
type Common struct {
	// Ctx is cancelled when the session ends; every engine call made from
	// a command derives from it.
	Ctx context.Context
	// Theme is the current theme.
	Theme *theme.Theme
	// Now is the session clock.
	Now func() time.Time
	// Zone is the display time zone every shown time is in, labelled.
	Zone zone.Zone
	// Tick schedules timers.
	Tick TickFunc
	// Actor is the operator running this session.
	Actor store.Actor
	// Marks is the multi-selection, shared by the order panes.
	Marks *Selection
	// Keys spells the first key of a key-table binding ("y"), so dialogs
	// name the keys the session really uses, remaps included.
	Keys func(binding string) string

	nextID int
}

// KeysOf spells a binding's first key, its palette name when it has no
// key, or the name itself when no key table is set.
func (c *Common) KeysOf(binding string) string {
	if c.Keys == nil {
		return binding
	}
	if k := c.Keys(binding); k != "" {
		return k
	}
	return ":" + binding
}

// NewID returns an id unique within the session, for components that must
// recognise their own asynchronous replies.
func (c *Common) NewID() int {
	c.nextID++
	return c.nextID
}

// Component is a part of the console that draws into a rectangle it is
// given. Update returns only a command; components are used by pointer.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
}

// Pane is one of the four dashboard panes.
type Pane interface {
	Component
	// Name is the pane's key-table name (queues, quota, carriers, failed).
	Name() string
	// Title is the pane's heading.
	Title() string
}

// OrderPane is a pane that lists orders and has a highlighted one.
type OrderPane interface {
	Pane
	// Selected returns the highlighted order, if its row is loaded.
	Selected() (store.Order, bool)
	// Filter is the bulk filter the pane's view corresponds to, and a
	// description of it for the confirmation prompt.
	Filter() (store.Filter, string)
	// SetFilter narrows the list to what f selects; nil clears it.
	SetFilter(f *store.Filter) tea.Cmd
	// ActiveFilter is the filter the list shows, if any.
	ActiveFilter() (store.Filter, bool)
	// ViewFilter is the filter equivalent to what the list shows now: the
	// active filter, else the pane's own view (its queue's state), which
	// a new filter narrows.
	ViewFilter() store.Filter
}

// FailedFilter is the bulk filter of every failed and dead order, with its
// description: what retry-all touches unless the focused pane narrows it.
func FailedFilter() (store.Filter, string) {
	return store.Filter{States: []store.State{store.StateFailed, store.StateDead}}, "failed and dead orders"
}

// RetryFilter is what "retry all" touches in a filtered view: the filter
// narrowed to the states a retry applies to, and its description for the
// confirmation. A view of only, say, queued orders leaves no states, which
// the caller must treat as nothing to retry (an empty list of states would
// mean the default, failed and dead).
func RetryFilter(f store.Filter) (store.Filter, string) {
	desc := "orders in this view (" + f.String() + ")"
	var states []store.State
	for _, s := range f.StatesOrDefault() {
		// The engine's own rule decides which states a retry applies to.
		if policy.Retry(&store.Order{State: s}) == nil {
			states = append(states, s)
		}
	}
	f.States = states
	return f, desc
}

// Filtered is a list that may show a filter.
type Filtered interface {
	Filter() (store.Filter, bool)
}

// FilterTitle is a pane's title with its active filter, if any.
func FilterTitle(title string, l Filtered) string {
	if f, ok := l.Filter(); ok {
		return title + " · " + draw.Clean(f.String())
	}
	return title
}

// Overlay is a dialog drawn over the dashboard.
type Overlay interface {
	Component
	// Name names the overlay (search, palette, picker, confirm, prompt,
	// detail, help).
	Name() string
	// CapturesKeys is true when the overlay has a text input, so every
	// key goes to it and none to the key table.
	CapturesKeys() bool
	// Done is true once the overlay has finished (confirmed, cancelled,
	// picked); the root closes it right after the Update that finished it.
	Done() bool
}

// OrderOverlay is an overlay showing one order, which actions may target.
type OrderOverlay interface {
	Overlay
	Order() (store.Order, bool)
}
