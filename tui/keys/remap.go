package keys

import (
	"fmt"
	"slices"
	"strings"
)

// RemapError lists everything wrong with a key remapping: binding names
// that do not exist and keys claimed by more than one binding.
type RemapError struct {
	// Unknown are the binding names that are not in the table.
	Unknown []string
	// Conflicts are the keys bound to more than one binding.
	Conflicts []Conflict
	// Empty are the bindings given an empty key string.
	Empty []string
}

// Conflict is one key bound to several bindings.
type Conflict struct {
	Key      string
	Bindings []string
}

// Error names every unknown binding and conflicting key.
func (e *RemapError) Error() string {
	var parts []string
	if len(e.Unknown) > 0 {
		parts = append(parts, "unknown binding "+quoteAll(e.Unknown))
	}
	for _, c := range e.Conflicts {
		parts = append(parts, fmt.Sprintf("key %q is bound to both %s", c.Key, quoteAll(c.Bindings)))
	}
	if len(e.Empty) > 0 {
		parts = append(parts, "empty key for "+quoteAll(e.Empty))
	}
	return "remap keys: " + strings.Join(parts, "; ")
}

// Remap replaces the keys of the named bindings (binding name → keys, as
// config's [keys] section gives them). It changes nothing and returns a
// *RemapError when a name is unknown or the result binds one key to two
// bindings. Remapping a binding to no keys leaves it reachable only from
// the palette.
func (t *Table) Remap(m map[string][]string) error {
	next := t.Bindings()
	e := &RemapError{}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i := slices.IndexFunc(next, func(b Binding) bool { return b.Name == name })
		if i < 0 {
			e.Unknown = append(e.Unknown, name)
			continue
		}
		ks := make([]string, 0, len(m[name]))
		for _, k := range m[name] {
			k = normalizeKey(k)
			if k == "" {
				e.Empty = append(e.Empty, name)
				continue
			}
			if !slices.Contains(ks, k) {
				ks = append(ks, k)
			}
		}
		next[i].Keys = ks
	}
	e.Conflicts = conflicts(next)
	if len(e.Unknown) > 0 || len(e.Conflicts) > 0 || len(e.Empty) > 0 {
		return e
	}
	t.bindings = next
	t.reindex()
	return nil
}

// normalizeKey accepts the spellings people write in config: a literal
// space, "Space", "Enter", "Esc", "ctrl+C".
func normalizeKey(k string) string {
	if k == " " {
		return "space"
	}
	k = strings.TrimSpace(k)
	if len([]rune(k)) == 1 {
		return k
	}
	lower := strings.ToLower(k)
	switch lower {
	case "escape":
		return "esc"
	case "return":
		return "enter"
	case "pageup":
		return "pgup"
	case "pagedown":
		return "pgdown"
	}
	// Modifier combinations keep the case of a final single letter out of
	// it: "ctrl+C" and "ctrl+c" are the same key in Bubble Tea.
	return lower
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// conflicts lists the keys bound to more than one binding within one
// scope (the dashboard, or one overlay), in table order.
func conflicts(bs []Binding) []Conflict {
	type scoped struct{ scope, key string }
	owners := map[scoped][]string{}
	var order []scoped
	for _, b := range bs {
		for _, k := range b.Keys {
			for _, sc := range b.Scopes() {
				at := scoped{sc, k}
				if _, seen := owners[at]; !seen {
					order = append(order, at)
				}
				owners[at] = append(owners[at], b.Name)
			}
		}
	}
	var out []Conflict
	for _, at := range order {
		if len(owners[at]) > 1 && !slices.ContainsFunc(out, func(c Conflict) bool {
			return c.Key == at.key && slices.Equal(c.Bindings, owners[at])
		}) {
			out = append(out, Conflict{Key: at.key, Bindings: owners[at]})
		}
	}
	return out
}
