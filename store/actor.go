package store

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what an operator may do. Roles are ordered: each includes the
// ones before it.
type Role int

// Roles.
const (
	RoleViewer Role = iota
	RoleOperator
	RoleAdmin
)

// String names the role as the operators file spells it.
func (r Role) String() string {
	switch r {
	case RoleOperator:
		return "operator"
	case RoleAdmin:
		return "admin"
	}
	return "viewer"
}

// Actor is who runs a command: an SSH operator by name, or the local OS
// user.
type Actor struct {
	Name string
	Role Role
}

// Filter selects orders for bulk commands. Empty fields match everything.
type Filter struct {
	// States limits the match to these local states (default failed and
	// dead).
	States  []State
	Carrier string
	// ErrorClass matches the order's last error class.
	ErrorClass string
}

// StatesOrDefault is the filter's states, failed and dead when it names
// none.
func (f Filter) StatesOrDefault() []State {
	if len(f.States) == 0 {
		return []State{StateFailed, StateDead}
	}
	return f.States
}

// Matches reports whether the filter selects o.
func (f Filter) Matches(o *Order) bool {
	return slices.Contains(f.StatesOrDefault(), o.State) &&
		(f.Carrier == "" || o.Carrier() == f.Carrier) &&
		(f.ErrorClass == "" || o.ErrorClass == f.ErrorClass)
}

// IsZero reports whether the filter narrows nothing.
func (f Filter) IsZero() bool {
	return len(f.States) == 0 && f.Carrier == "" && f.ErrorClass == ""
}

// String spells the filter as the console's pane titles and the CLI show it,
// the narrowest part first and with the states it really selects:
// "carrier=flaky class=retryable state=failed,dead".
func (f Filter) String() string {
	var parts []string
	if f.Carrier != "" {
		parts = append(parts, "carrier="+f.Carrier)
	}
	if f.ErrorClass != "" {
		parts = append(parts, "class="+f.ErrorClass)
	}
	states := make([]string, 0, len(f.StatesOrDefault()))
	for _, s := range f.StatesOrDefault() {
		states = append(states, string(s))
	}
	return strings.Join(append(parts, "state="+strings.Join(states, ",")), " ")
}

// ParseStates reads a comma-separated list of local states ("failed,dead"),
// ignoring case and blanks; it names the first word that is not a state.
func ParseStates(list string) ([]State, error) {
	var out []State
	for _, w := range strings.Split(list, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		s := State(w)
		if !s.Valid() {
			return nil, fmt.Errorf("%q is not a state: use one of %v", w, States())
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// SearchHit is one fuzzy search result.
type SearchHit struct {
	Order Order
	// Text is the string that matched and Matched the rune indexes that
	// matched in it, for highlighting.
	Text    string
	Matched []int
}
