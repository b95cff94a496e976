package common

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
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
				if c.Handle(DialogMsg{Action: a}) {
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
			if !c.Handle(DialogMsg{Action: "accept"}) || c.Done() {
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
	c.Handle(DialogMsg{Action: "cancel"})
	if !c.Done() {
		t.Fatal("esc did not cancel")
	}
}

func TestWrapAndDropColumns(t *testing.T) {
	if got := Wrap([]string{"aa", "bb", "cc"}, " ", 5); !slices.Equal(got, []string{"aa bb", "cc"}) {
		t.Errorf("Wrap = %q", got)
	}
	if got := Wrap([]string{"toolong", "x"}, " ", 3); !slices.Equal(got, []string{"toolong", "x"}) {
		t.Errorf("Wrap of a wide item = %q", got)
	}
	// Widths 4, 4, 4 ranked 0, 1, 2: the rank-2 column goes first, the
	// unranked one never.
	width := []int{4, 4, 4}
	fitsIn := func(w int) func([]bool) bool {
		return func(shown []bool) bool {
			n := 0
			for i, s := range shown {
				if s {
					n += width[i]
				}
			}
			return n <= w
		}
	}
	for _, tt := range []struct {
		w    int
		want []bool
	}{
		{12, []bool{true, true, true}}, {8, []bool{true, true, false}}, {4, []bool{true, false, false}},
		{1, []bool{true, false, false}},
	} {
		if got := DropColumns([]int{0, 1, 2}, fitsIn(tt.w)); !slices.Equal(got, tt.want) {
			t.Errorf("DropColumns at %d = %v, want %v", tt.w, got, tt.want)
		}
	}
}
