package keys

import (
	"slices"

	"github.com/shipdeck/shipdeck/store"
)

// Table is the key table: the bindings in display order and an index from
// key to binding. A Table belongs to one session; Remap changes it.
type Table struct {
	bindings []Binding
	byKey    map[string]int
	// inOverlay indexes the dialog bindings by overlay, then key.
	inOverlay map[string]map[string]int
}

// Default returns the built-in key table.
func Default() *Table {
	t := &Table{bindings: defaultBindings()}
	t.reindex()
	return t
}

// Lookup returns the binding a key triggers.
func (t *Table) Lookup(key string) (Binding, bool) {
	i, ok := t.byKey[key]
	if !ok {
		return Binding{}, false
	}
	return t.bindings[i], true
}

// LookupIn returns the dialog binding a key triggers inside the named
// overlay; keys it does not find there are the overlay's text.
func (t *Table) LookupIn(overlay, key string) (Binding, bool) {
	i, ok := t.inOverlay[overlay][key]
	if !ok {
		return Binding{}, false
	}
	return t.bindings[i], true
}

// Binding returns the binding with the given name.
func (t *Table) Binding(name string) (Binding, bool) {
	for _, b := range t.bindings {
		if b.Name == name {
			return b, true
		}
	}
	return Binding{}, false
}

// Bindings returns every binding in display order.
func (t *Table) Bindings() []Binding { return slices.Clone(t.bindings) }

func (t *Table) reindex() {
	t.byKey = make(map[string]int, len(t.bindings)*2)
	t.inOverlay = map[string]map[string]int{}
	for i, b := range t.bindings {
		for _, k := range b.Keys {
			if len(b.In) == 0 {
				t.byKey[k] = i
				continue
			}
			for _, o := range b.In {
				if t.inOverlay[o] == nil {
					t.inOverlay[o] = map[string]int{}
				}
				t.inOverlay[o][k] = i
			}
		}
	}
}

// Scopes lists where a binding's keys are looked up: "" for the dashboard,
// else the overlays it acts in. Two bindings conflict only within a scope.
func (b Binding) Scopes() []string {
	if len(b.In) == 0 {
		return []string{""}
	}
	return b.In
}

func defaultBindings() []Binding {
	op := store.RoleOperator
	return []Binding{
		// Actions.
		{Name: "retry", Keys: []string{"r"}, Short: "retry", Help: "retry the selected push (or the marked ones)",
			Group: GroupActions, Role: op, Palette: true, Footer: true, Disabled: retryDisabled},
		{Name: "retry-all", Keys: []string{"R"}, Short: "retry all", Help: "retry every order matching the current view",
			Group: GroupActions, Role: op, Palette: true, Footer: true, Disabled: retryAllDisabled},
		{Name: "reroute", Keys: []string{"e"}, Short: "re-route", Help: "re-route the selected order to another carrier",
			Group: GroupActions, Role: op, Palette: true, Footer: true, Disabled: rerouteDisabled},
		{Name: "hold", Keys: []string{"h"}, Short: "hold", Help: "hold or release the selected order (or the marked ones)",
			Group: GroupActions, Role: op, Palette: true, Footer: true, Disabled: holdDisabled},
		{Name: "release", Short: "release", Help: "release the selected held order",
			Group: GroupActions, Role: op, Palette: true, Disabled: releaseDisabled},
		{Name: "resolve", Keys: []string{"x"}, Short: "resolve", Help: "resolve the selected order with a reason",
			Group: GroupActions, Role: op, Palette: true, Footer: true, Disabled: resolveDisabled},
		{Name: "mark", Keys: []string{"space"}, Short: "mark", Help: "mark or unmark the selected order for bulk actions",
			Group: GroupActions, Footer: true, Disabled: needsOrder},
		{Name: "pause", Keys: []string{"p"}, Short: "pause", Help: "pause or resume the sync worker",
			Group: GroupActions, Role: op, Palette: true, Footer: true},
		{Name: "export", Short: "export", Help: "export a view as CSV to the working directory (:export failed)",
			Group: GroupActions, Role: op, Palette: true},

		{Name: "copy", Keys: []string{"y"}, Short: "copy id", Help: "copy the selected order's id to the clipboard (works over SSH)",
			Group: GroupActions, Palette: true, Disabled: needsOrder},

		// Filters and jumps: they narrow an order list; esc clears.
		{Name: "state", Keys: []string{"s"}, Arg: "STATE[,STATE]", Short: "by state",
			Help: "show only orders in one or more states", Group: GroupFilter, Palette: true},
		{Name: "carrier", Keys: []string{"c"}, Arg: "NAME", Short: "by carrier",
			Help: "show only one carrier's orders", Group: GroupFilter, Palette: true},
		{Name: "class", Keys: []string{"C"}, Arg: "CLASS", Short: "by error",
			Help: "show only orders whose last error has this class", Group: GroupFilter, Palette: true},
		{Name: "dead", Short: "dead", Help: "jump to the dead orders", Group: GroupFilter, Palette: true},
		{Name: "failed", Short: "failed", Help: "jump to the failed orders", Group: GroupFilter, Palette: true},
		{Name: "held", Short: "held", Help: "jump to the held orders", Group: GroupFilter, Palette: true},
		{Name: "order", Arg: "ID", Short: "order", Help: "open an order's detail by id", Group: GroupFilter, Palette: true},
		{Name: "clear", Short: "clear filter", Help: "clear the filter (esc does too)", Group: GroupFilter, Palette: true,
			Disabled: clearDisabled},

		// Views.
		{Name: "detail", Keys: []string{"enter"}, Short: "detail", Help: "open the selected order's detail, or the selected carrier's",
			Group: GroupView, Palette: true, Footer: true, Disabled: detailDisabled},
		{Name: "search", Keys: []string{"/"}, Short: "search", Help: "fuzzy search orders",
			Group: GroupView, Palette: true, Footer: true},
		{Name: "activity", Keys: []string{"a"}, Short: "activity", Help: "the activity log: polls, failed pushes, circuits, operators, newest first",
			Group: GroupView, Palette: true},
		{Name: "health", Keys: []string{"H"}, Short: "health", Help: "account health: TikTok's LDR, VTR, SFCR, OTDR estimated, scan watch, reconciliation",
			Group: GroupView, Palette: true},
		{Name: "palette", Keys: []string{":"}, Short: "commands", Help: "open the command palette",
			Group: GroupView, Footer: true},
		{Name: "help", Keys: []string{"?"}, Short: "help", Help: "show every key",
			Group: GroupView, Palette: true, Footer: true},
		{Name: "zoom-queues", Keys: []string{"1"}, Short: "queues", Help: "zoom the queues pane (again to unzoom)",
			Group: GroupView, Palette: true},
		{Name: "zoom-quota", Keys: []string{"2"}, Short: "quota", Help: "zoom the quota pane (again to unzoom)",
			Group: GroupView, Palette: true},
		{Name: "zoom-carriers", Keys: []string{"3"}, Short: "carriers", Help: "zoom the carriers pane (again to unzoom)",
			Group: GroupView, Palette: true},
		{Name: "zoom-failed", Keys: []string{"4"}, Short: "failed", Help: "zoom the failed pushes pane (again to unzoom)",
			Group: GroupView, Palette: true},

		// Navigation.
		{Name: "up", Keys: []string{"k", "up"}, Short: "up", Help: "move up", Group: GroupNavigate},
		{Name: "down", Keys: []string{"j", "down"}, Short: "down", Help: "move down", Group: GroupNavigate},
		{Name: "pgup", Keys: []string{"pgup", "ctrl+b"}, Short: "page up", Help: "move up a page", Group: GroupNavigate},
		{Name: "pgdown", Keys: []string{"pgdown", "ctrl+f"}, Short: "page down", Help: "move down a page", Group: GroupNavigate},
		{Name: "home", Keys: []string{"home", "g"}, Short: "top", Help: "go to the first row", Group: GroupNavigate},
		{Name: "end", Keys: []string{"end", "G"}, Short: "bottom", Help: "go to the last row", Group: GroupNavigate},
		{Name: "prev-queue", Keys: []string{"left", "["}, Short: "prev queue", Help: "select the previous queue", Group: GroupNavigate},
		{Name: "next-queue", Keys: []string{"right", "]"}, Short: "next queue", Help: "select the next queue", Group: GroupNavigate},
		{Name: "focus-next", Keys: []string{"tab"}, Short: "next pane", Help: "focus the next pane", Group: GroupNavigate},
		{Name: "focus-prev", Keys: []string{"shift+tab"}, Short: "prev pane", Help: "focus the previous pane", Group: GroupNavigate},

		// In dialogs: the keys of the overlays that take typing.
		{Name: "confirm", Keys: []string{"y", "Y"}, Short: "confirm", Help: "answer yes to a question (enter never confirms)",
			Group: GroupDialog, In: []string{"confirm"}},
		{Name: "decline", Keys: []string{"n", "N", "enter", "q"}, Short: "decline", Help: "answer no to a question",
			Group: GroupDialog, In: []string{"confirm"}},
		{Name: "accept", Keys: []string{"enter"}, Short: "accept", Help: "take the highlighted entry or the text typed",
			Group: GroupDialog, In: []string{"prompt", "palette", "picker", "choose", "search", "activity"}},
		{Name: "cancel", Keys: []string{"esc", "ctrl+c"}, Short: "cancel", Help: "close the dialog without doing anything",
			Group: GroupDialog, In: []string{"confirm", "prompt", "palette", "picker", "choose", "search", "activity"}},
		{Name: "next", Keys: []string{"down", "ctrl+n"}, Short: "next", Help: "highlight the next entry",
			Group: GroupDialog, In: []string{"palette", "picker", "choose", "search"}},
		{Name: "previous", Keys: []string{"up", "ctrl+p"}, Short: "previous", Help: "highlight the previous entry",
			Group: GroupDialog, In: []string{"palette", "picker", "choose", "search"}},
		{Name: "tab-next", Keys: []string{"tab"}, Short: "next", Help: "highlight the next entry (as down)",
			Group: GroupDialog, In: []string{"picker", "choose", "search"}},
		{Name: "tab-previous", Keys: []string{"shift+tab"}, Short: "previous", Help: "highlight the previous entry (as up)",
			Group: GroupDialog, In: []string{"palette", "picker", "choose", "search"}},
		{Name: "page-down", Keys: []string{"pgdown"}, Short: "page down", Help: "highlight an entry a page further",
			Group: GroupDialog, In: []string{"palette", "picker", "choose", "search"}},
		{Name: "page-up", Keys: []string{"pgup"}, Short: "page up", Help: "highlight an entry a page back",
			Group: GroupDialog, In: []string{"palette", "picker", "choose", "search"}},
		{Name: "complete", Keys: []string{"tab"}, Short: "complete", Help: "complete the command or its argument",
			Group: GroupDialog, In: []string{"palette"}},

		// Console.
		{Name: "back", Keys: []string{"esc"}, Short: "back", Help: "close the overlay or unzoom", Group: GroupApp},
		{Name: "repaint", Keys: []string{"ctrl+l"}, Short: "repaint", Help: "repaint the whole screen", Group: GroupApp, Palette: true},
		{Name: "quit", Keys: []string{"q", "ctrl+c"}, Short: "quit", Help: "quit the console", Group: GroupApp, Palette: true, Footer: true},
	}
}
