package widget

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
)

func typeInto(c *Chooser, s string) {
	for _, r := range s {
		c.Handle(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func TestChooserFiltersMovesAndChooses(t *testing.T) {
	names := []string{"retry-all", "reroute", "retry", "export"}
	tests := []struct {
		name    string
		pattern func(string) string
		typed   string
		actions []string
		shown   []string
		chosen  string // "" when nothing matches
	}{
		{name: "all when empty", shown: names, chosen: "retry-all"},
		{name: "an exact name comes first", typed: "retry", shown: []string{"retry", "retry-all"}, chosen: "retry"},
		{name: "fuzzy", typed: "xpt", shown: []string{"export"}, chosen: "export"},
		{name: "down moves", typed: "retry", actions: []string{"next"}, shown: []string{"retry", "retry-all"},
			chosen: "retry-all"},
		{name: "down stops at the end", actions: slices.Repeat([]string{"next"}, 6), shown: names,
			chosen: "export"},
		{name: "no match", typed: "zzz", shown: []string{}},
		{name: "pattern picks the word", pattern: func(s string) string { w, _, _ := strings.Cut(s, " "); return w },
			typed: "export failed", shown: []string{"export"}, chosen: "export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChooser("> ", "", names, tt.pattern)
			typeInto(&c, tt.typed)
			for _, a := range tt.actions {
				if c.Handle(common.DialogMsg{Action: a}) {
					t.Fatalf("%s reported accept", a)
				}
			}
			if got := c.Shown(); !slices.Equal(got, tt.shown) {
				t.Fatalf("shown %q, want %q", got, tt.shown)
			}
			i, ok := c.Chosen()
			if got := map[bool]string{true: c.Item(i)}[ok]; got != tt.chosen {
				t.Fatalf("chosen %q, want %q", got, tt.chosen)
			}
			if !c.Handle(common.DialogMsg{Action: "accept"}) || c.Done() {
				t.Fatal("accept was not reported, or finished the chooser by itself")
			}
		})
	}
}

func TestChooserWindowKeepsTheCursorInSightAndEscCancels(t *testing.T) {
	names := []string{"a1", "a2", "a3", "a4", "a5"}
	c := NewChooser("> ", "", names, nil)
	c.Select(func(n string) bool { return n == "a4" })
	idx, cur := c.Window(2)
	if len(idx) != 2 || c.Item(idx[cur]) != "a4" {
		t.Fatalf("window %v with cursor at %d", idx, cur)
	}
	if idx, cur := c.Window(0); len(idx) != 0 || cur >= 0 {
		t.Fatalf("an empty window holds %v, cursor %d", idx, cur)
	}
	c.Handle(common.DialogMsg{Action: "cancel"})
	if !c.Done() {
		t.Fatal("esc did not cancel")
	}
}
