package widget

import (
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Chooser is what the choosing overlays (the command palette, the carrier
// picker) share: a text input that fuzzy-filters a fixed list of names, a
// cursor over the names it keeps, and the keys that move, cancel and
// choose. An overlay embeds it and decides what enter does.
type Chooser struct {
	// Input is the filter text; the overlay draws it.
	Input   Input
	names   []string
	pattern func(typed string) string
	shown   []int // indexes into names, best first
	cursor  int   // position in shown
	done    bool
	w, h    int
}

// NewChooser returns a chooser over names, showing them all. pattern turns
// the typed text into the filter pattern; nil filters by all of it.
func NewChooser(prompt, placeholder string, names []string, pattern func(typed string) string) Chooser {
	c := Chooser{Input: NewInput(prompt, placeholder), names: names, pattern: pattern}
	c.filter()
	return c
}

// CapturesKeys implements Overlay: typing goes to the filter.
func (c *Chooser) CapturesKeys() bool { return true }

// Done implements Overlay.
func (c *Chooser) Done() bool { return c.done }

// Finish marks the overlay done, for the root to close.
func (c *Chooser) Finish() { c.done = true }

// SetSize implements Component.
func (c *Chooser) SetSize(w, h int) { c.w, c.h = w, h }

// Screen is the size of the screen the overlay is drawn over.
func (c *Chooser) Screen() (int, int) { return c.w, c.h }

// Len is the number of names, shown or not.
func (c *Chooser) Len() int { return len(c.names) }

// Item is the i-th name.
func (c *Chooser) Item(i int) string { return c.names[i] }

// Shown lists the names the filter keeps, best first.
func (c *Chooser) Shown() []string {
	out := make([]string, len(c.shown))
	for i, n := range c.shown {
		out[i] = c.names[n]
	}
	return out
}

// Chosen is the index (into the names) of the highlighted name; false
// when the filter keeps none.
func (c *Chooser) Chosen() (int, bool) {
	if c.cursor >= len(c.shown) {
		return 0, false
	}
	return c.shown[c.cursor], true
}

// Select puts the cursor on the first shown name keep accepts, if any.
func (c *Chooser) Select(keep func(name string) bool) {
	for i, n := range c.shown {
		if keep(c.names[n]) {
			c.cursor = i
			return
		}
	}
}

// Window returns the shown names (as indexes) that fit in rows lines,
// scrolled to keep the cursor in sight, and the cursor's position among
// them.
func (c *Chooser) Window(rows int) (idx []int, cursor int) {
	start := WindowStart(c.cursor, rows)
	end := min(len(c.shown), start+max(0, rows))
	if start > end {
		start = end
	}
	return c.shown[start:end], c.cursor - start
}

// Handle applies a dialog action, a key or a paste: next, previous and the
// page actions move the cursor, cancel closes, anything typed edits the
// text and refilters. It reports whether the action was accept, which the
// overlay acts on.
func (c *Chooser) Handle(msg tea.Msg) (accept bool) {
	if d, ok := msg.(common.DialogMsg); ok {
		if cur, moved := MoveCursor(d.Action, c.cursor, len(c.shown), 1); moved {
			c.cursor = cur
			return false
		}
		switch d.Action {
		case "cancel":
			c.done = true
		case "accept":
			return true
		}
		return false
	}
	if c.Input.Update(msg) {
		c.filter()
	}
	return false
}

// Refilter filters again after the overlay changed the text itself (tab
// completion).
func (c *Chooser) Refilter() { c.filter() }

// filter keeps the names matching the typed pattern, an exact name first
// (over a better fuzzy score), and moves the cursor to the top.
func (c *Chooser) filter() {
	c.cursor = 0
	c.shown = c.shown[:0]
	pat := c.Input.Value()
	if c.pattern != nil {
		pat = c.pattern(pat)
	}
	if pat == "" {
		for i := range c.names {
			c.shown = append(c.shown, i)
		}
		return
	}
	ms := fuzzy.Find(pat, c.names)
	for _, exact := range []bool{true, false} {
		for _, mt := range ms {
			if (c.names[mt.Index] == pat) == exact {
				c.shown = append(c.shown, mt.Index)
			}
		}
	}
}
