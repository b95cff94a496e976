// Package palette is the ":" command palette: every action of the key table
// with a fuzzy filter over the names. The first word picks the action and
// the rest is its argument (":export failed"). Running an entry goes
// through the same permission check as pressing its key. Tab completes
// the command word, then its argument (states, carriers, views).
package palette

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/tui/keys"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the command palette. The embedded Chooser filters the binding
// names by the command word.
type Model struct {
	widget.Chooser
	c        *common.Common
	ctx      keys.Context
	all      []keys.Binding
	complete func(name string) []string
}

// New returns the palette over the table's palette bindings as they apply
// in ctx; complete lists a command's possible arguments (nil: none).
func New(c *common.Common, table *keys.Table, ctx keys.Context, complete func(name string) []string) *Model {
	m := &Model{c: c, ctx: ctx, complete: complete}
	var names []string
	for _, b := range table.Bindings() {
		if b.Palette {
			m.all = append(m.all, b)
			names = append(names, b.Name)
		}
	}
	m.Chooser = widget.NewChooser(":", "command (retry, reroute, export failed…)", names,
		func(typed string) string { word, _ := split(typed); return word })
	return m
}

// Name implements common.Overlay.
func (m *Model) Name() string { return "palette" }

// split cuts the typed line into the command word and its argument.
func split(typed string) (string, string) {
	v := strings.TrimPrefix(strings.TrimSpace(typed), ":")
	word, arg, _ := strings.Cut(v, " ")
	return word, strings.TrimSpace(arg)
}

// Update implements common.Component: enter runs the highlighted action
// with the rest of the line as its argument.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if d, ok := msg.(common.DialogMsg); ok && d.Action == "complete" {
		m.completeLine()
		return nil
	}
	if !m.Handle(msg) {
		return nil
	}
	word, arg := split(m.Input.Value())
	i, ok := m.Chosen()
	if !ok {
		return common.Toast(common.ToastWarn, fmt.Sprintf("no command %q", word))
	}
	m.Finish()
	name := m.all[i].Name
	return func() tea.Msg { return common.RunActionMsg{Name: name, Arg: arg} }
}

// completeLine completes the command word, or, after it, the argument's
// last comma-separated part to the longest prefix its candidates share.
func (m *Model) completeLine() {
	typed := strings.TrimPrefix(m.Input.Value(), ":")
	_, arg, hasArg := strings.Cut(strings.TrimLeft(typed, " "), " ")
	i, ok := m.Chosen()
	if !ok {
		return
	}
	b := m.all[i]
	if !hasArg {
		line := b.Name
		if b.Arg != "" {
			line += " "
		}
		m.Input.SetValue(line)
		m.Refilter()
		return
	}
	head, last := "", strings.TrimLeft(arg, " ")
	if j := strings.LastIndex(last, ","); j >= 0 {
		head, last = last[:j+1], last[j+1:]
	}
	cands := m.candidates(b.Name, last)
	if len(cands) == 0 {
		return
	}
	m.Input.SetValue(b.Name + " " + head + commonPrefix(cands))
	m.Refilter()
}

// candidates are the arguments of command name that start with prefix,
// ignoring case.
func (m *Model) candidates(name, prefix string) []string {
	if m.complete == nil {
		return nil
	}
	var out []string
	for _, c := range m.complete(name) {
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(prefix)) {
			out = append(out, c)
		}
	}
	return out
}

// commonPrefix is the longest prefix every string shares.
func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// View implements common.Component.
func (m *Model) View() string {
	th := m.c.Theme
	sw, sh := m.Screen()
	w, h := draw.DialogSize(80, len(m.all)+4, sw, sh)
	inner := max(0, w-2)
	lines := []string{" " + m.Input.View(m.c, max(0, inner-2)), ""}
	idx, cursor := m.Window(max(0, h-4))
	for j, i := range idx {
		b := m.all[i]
		name := b.Name
		if b.Arg != "" {
			name += " " + b.Arg
		}
		name = fmt.Sprintf("%-20s", name)
		var line string
		if why := b.Reason(m.ctx); why != "" {
			line = th.KeyDisabled.Render(" "+name+" "+b.Help) + " " + th.Muted.Render("("+why+")")
		} else {
			line = " " + th.Key.Render(name) + " " + b.Help + " " + th.Muted.Render(b.KeyHelp())
		}
		if j == cursor {
			line = th.Selected.Render(draw.Fit(draw.Cut(ansi.Strip(line), inner), inner))
		}
		lines = append(lines, line)
	}
	if i, ok := m.Chosen(); !ok {
		lines = append(lines, th.Muted.Render(" no matching command"))
	} else if word, arg := split(m.Input.Value()); word != "" && strings.Contains(m.Input.Value(), " ") {
		last := arg[strings.LastIndex(arg, ",")+1:]
		if cands := m.candidates(m.all[i].Name, last); len(cands) > 0 {
			lines = append(lines, "", th.Muted.Render(" tab completes: ")+draw.Cut(strings.Join(cands, "  "), max(0, inner-16)))
		}
	}
	return m.c.Dialog("Commands", lines, w, h)
}
