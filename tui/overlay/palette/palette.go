// Package palette is the ":" command palette: every action of the key table
// with a fuzzy filter over the names. The first word picks the action and
// the rest is its argument (":export failed"). Running an entry goes
// through the same permission check as pressing its key.
package palette

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/keys"
)

// Model is the command palette.
type Model struct {
	c       *common.Common
	ctx     keys.Context
	all     []keys.Binding
	shown   []keys.Binding
	matched [][]int
	input   common.Input
	cursor  int
	done    bool
	w, h    int
}

// New returns the palette over the table's palette bindings as they apply
// in ctx.
func New(c *common.Common, table *keys.Table, ctx keys.Context) *Model {
	m := &Model{c: c, ctx: ctx, input: common.NewInput(":", "command (retry, reroute, export failed…)")}
	for _, b := range table.Bindings() {
		if b.Palette {
			m.all = append(m.all, b)
		}
	}
	m.filter()
	return m
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "palette" }

// CapturesKeys implements common.Overlay.
func (m *Model) CapturesKeys() bool { return true }

// Done implements common.Overlay.
func (m *Model) Done() bool { return m.done }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Shown lists the names of the entries the filter keeps, best first.
func (m *Model) Shown() []string {
	out := make([]string, len(m.shown))
	for i, b := range m.shown {
		out[i] = b.Name
	}
	return out
}

// split cuts the input into the command word and its argument.
func (m *Model) split() (string, string) {
	v := strings.TrimSpace(m.input.Value())
	v = strings.TrimPrefix(v, ":")
	word, arg, _ := strings.Cut(v, " ")
	return word, strings.TrimSpace(arg)
}

// names lets fuzzy match over binding names.
type names []keys.Binding

// String implements fuzzy.Source.
func (n names) String(i int) string { return n[i].Name }

// Len implements fuzzy.Source.
func (n names) Len() int { return len(n) }

func (m *Model) filter() {
	word, _ := m.split()
	m.cursor = 0
	if word == "" {
		m.shown, m.matched = m.all, make([][]int, len(m.all))
		return
	}
	ms := fuzzy.FindFrom(word, names(m.all))
	m.shown, m.matched = make([]keys.Binding, 0, len(ms)), make([][]int, 0, len(ms))
	// An exact name wins over a better fuzzy score.
	for _, mt := range ms {
		if m.all[mt.Index].Name == word {
			m.shown = append(m.shown, m.all[mt.Index])
			m.matched = append(m.matched, mt.MatchedIndexes)
		}
	}
	for _, mt := range ms {
		if m.all[mt.Index].Name != word {
			m.shown = append(m.shown, m.all[mt.Index])
			m.matched = append(m.matched, mt.MatchedIndexes)
		}
	}
}

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if c, moved := common.MoveCursor(k.String(), m.cursor, len(m.shown), 1); moved {
			m.cursor = c
			return nil
		}
		switch k.String() {
		case "esc", "ctrl+c":
			m.done = true
			return nil
		case "enter":
			if len(m.shown) == 0 {
				word, _ := m.split()
				return func() tea.Msg {
					return common.ToastMsg{Kind: common.ToastWarn, Text: fmt.Sprintf("no command %q", word)}
				}
			}
			m.done = true
			name := m.shown[m.cursor].Name
			_, arg := m.split()
			return func() tea.Msg { return common.RunActionMsg{Name: name, Arg: arg} }
		}
	}
	if m.input.Update(msg) {
		m.filter()
	}
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	w, h := common.DialogSize(80, len(m.all)+4, m.w, m.h)
	inner := max(0, w-2)
	lines := []string{" " + m.input.View(m.c, max(0, inner-2)), ""}
	rows := max(0, h-4)
	start := 0
	if m.cursor >= rows {
		start = m.cursor - rows + 1
	}
	for i := start; i < len(m.shown) && i < start+rows; i++ {
		b := m.shown[i]
		name := fmt.Sprintf("%-14s", b.Name)
		why := b.Reason(m.ctx)
		var line string
		switch {
		case why != "":
			line = th.KeyDisabled.Render(" "+name+" "+b.Help) + " " + th.Muted.Render("("+why+")")
		default:
			line = " " + th.Key.Render(name) + " " + b.Help + " " + th.Muted.Render(b.KeyHelp())
		}
		if i == m.cursor {
			line = th.Selected.Render(common.Fit(common.Cut(ansi.Strip(line), inner), inner))
		}
		lines = append(lines, line)
	}
	if len(m.shown) == 0 {
		lines = append(lines, th.Muted.Render(" no matching command"))
	}
	return m.c.Dialog("Commands", lines, w, h)
}
