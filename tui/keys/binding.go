// Package keys is the console's one key table. Every binding carries its
// name, keys, help text, the least role that may use it and a function that
// says why it is disabled right now. The same table drives the footer, the
// help overlay, the command palette and the permission checks, so what an
// operator sees offered is exactly what they may do.
package keys

import (
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Group sorts bindings for the help overlay.
type Group string

// Binding groups, in the order help shows them.
const (
	GroupActions  Group = "Actions"
	GroupNavigate Group = "Navigation"
	GroupView     Group = "Views"
	GroupFilter   Group = "Filters and jumps"
	// GroupDialog holds the keys of the overlays that take typing: they
	// apply only inside the overlays their In names, where every other key
	// is text.
	GroupDialog Group = "In dialogs"
	GroupApp    Group = "Console"
)

// Groups lists the groups in display order.
func Groups() []Group {
	return []Group{GroupActions, GroupFilter, GroupNavigate, GroupView, GroupApp, GroupDialog}
}

// Context is what the console knows at the moment a binding is shown or
// pressed. Disabled functions read it; they never call the engine.
type Context struct {
	Role store.Role
	// Pane is the focused pane's name.
	Pane string
	// Overlay names the open overlay, "" when none.
	Overlay string
	// Order is the highlighted order (in the focused pane or the detail
	// overlay), nil when there is none.
	Order *store.Order
	// Carrier is the highlighted carrier in the carriers pane, "" when
	// that pane is not focused.
	Carrier string
	// Filtered is true while the focused order list shows a filter.
	Filtered bool
	// Marked is the number of multi-selected orders.
	Marked int
	// Paused is true while the worker is paused.
	Paused bool
	// Retryable is the number of failed, dead and unknown orders in the
	// store.
	Retryable int64
	// Now is the session clock's current time.
	Now time.Time
}

// Binding is one entry of the key table.
type Binding struct {
	// Name identifies the binding in config ([keys]) and in the palette.
	Name string
	// Keys are the key strings that trigger it, as Bubble Tea spells them
	// ("r", "R", "ctrl+c", "space", "shift+tab").
	Keys []string
	// Arg names the palette argument, such as "NAME" in ":carrier NAME";
	// "" when the binding takes none.
	Arg string
	// Help says what the binding does.
	Help string
	// Short is the footer's label.
	Short string
	Group Group
	// Role is the least role that may use the binding.
	Role store.Role
	// Palette is true for bindings the command palette offers.
	Palette bool
	// Footer is true for bindings the footer shows.
	Footer bool
	// Disabled says why the binding does not apply now, or "" when it
	// does. nil means it always applies (role permitting).
	Disabled func(Context) string
	// In names the overlays that take typing where the binding acts
	// (confirm, prompt, palette, picker, choose, search, activity). A
	// binding with In set is looked up only there (LookupIn), never from
	// the dashboard.
	In []string
}

// Reason says why the binding cannot be used in ctx: the role check first,
// then the binding's own condition. "" means it may be used.
func (b Binding) Reason(ctx Context) string {
	if ctx.Role < b.Role {
		if ctx.Role == store.RoleViewer {
			return "viewer role: read-only"
		}
		return "needs the " + b.Role.String() + " role"
	}
	if b.Disabled != nil {
		return b.Disabled(ctx)
	}
	return ""
}

// KeyHelp renders the binding's keys for help text ("j/↓"), or "" when it
// has none.
func (b Binding) KeyHelp() string {
	parts := make([]string, 0, len(b.Keys))
	for _, k := range b.Keys {
		parts = append(parts, prettyKey(k))
	}
	return strings.Join(parts, "/")
}

// prettyKey spells a key string the way a footer shows it.
func prettyKey(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	case "enter":
		return "⏎"
	}
	return k
}
