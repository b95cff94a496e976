package common

import (
	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
)

// SnapshotMsg carries a new engine snapshot to every component.
type SnapshotMsg struct {
	Snapshot store.Snapshot
}

// TickMsg is the once-a-second clock tick for countdowns.
type TickMsg struct{}

// ToastKind says how a toast is coloured.
type ToastKind string

// Toast kinds.
const (
	ToastInfo  ToastKind = "info"
	ToastOK    ToastKind = "ok"
	ToastWarn  ToastKind = "warn"
	ToastError ToastKind = "error"
)

// ToastMsg asks the root to show a toast.
type ToastMsg struct {
	Kind ToastKind
	Text string
}

// Toast is the command a component returns to show a toast.
func Toast(kind ToastKind, text string) tea.Cmd {
	return func() tea.Msg { return ToastMsg{Kind: kind, Text: text} }
}

// ActionDoneMsg reports the end of an engine command. Panes refetch their
// page on it, because a command may change rows without changing counts.
type ActionDoneMsg struct {
	// Action is the key-table name of the action.
	Action string
	// Text is the result in words for the toast; Err is set on failure.
	Text string
	Err  error
	// Done lists the order ids the command succeeded on, so the root can
	// drop them from the multi-selection.
	Done []string
}

// OpenDetailMsg asks the root to open the detail overlay for an order.
type OpenDetailMsg struct {
	OrderID string
}

// RunActionMsg asks the root to run an action from the key table by name,
// exactly as if its key had been pressed (the palette sends it). Arg is the
// rest of the palette line, such as "failed" in ":export failed".
type RunActionMsg struct {
	Name string
	Arg  string
}

// ClickMsg is a mouse click inside a pane, in the pane's own cells: X and
// Y count from its top-left content cell (inside the border).
type ClickMsg struct {
	X, Y int
}

// DialogMsg is a key-table action for the open overlay that takes typing
// (accept, cancel, confirm, decline, next, previous, page-down, page-up,
// complete): the root looks the key up in the overlay's scope of the key
// table, so dialog keys are remappable and listed in help like any other.
type DialogMsg struct {
	Action string
}

// NavMsg is a navigation action from the key table delivered to the
// focused pane or overlay (down, up, pgdown, home, next-queue...).
type NavMsg struct {
	Name string
}
