package tui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/keys"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// View composes the screen from the components' cached state; it never
// calls the engine, so its cost does not depend on how many orders exist.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.mode() == modeTooSmall {
		return m.tooSmall()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header())
	body := m.body()
	lines = append(lines, body...)
	lines = append(lines, m.footer())
	screen := draw.Block(lines, m.width, m.height)
	if m.overlay != nil {
		screen = draw.Center(screen, m.overlay.View(), m.width, m.height)
	}
	if ts := m.toasts.Lines(m.width - 2); len(ts) > 0 {
		for i, t := range ts {
			y := m.height - 1 - len(ts) + i
			screen = draw.Place(screen, t, max(0, m.width-draw.Width(t)-1), y)
		}
	}
	return screen
}

// body draws the panes (grid, tabs or zoomed) into height-2 lines.
func (m *Model) body() []string {
	bodyH := max(0, m.height-2)
	frames := m.frames()
	grid := make([][]string, bodyH)
	if m.mode() == modeTabs {
		grid[0] = []string{m.tabs()}
	}
	for i, p := range m.panes {
		f := frames[i]
		if f.w == 0 || f.h == 0 {
			continue
		}
		focused := i == m.focus
		border, title := m.c.Theme.Border, m.c.Theme.Title
		if focused {
			border, title = m.c.Theme.BorderFocused, m.c.Theme.TitleFocused
		}
		box := draw.Box(" "+strconv.Itoa(i+1)+" "+p.Title()+" ", p.View(), f.w, f.h, border, title)
		for j, line := range strings.Split(box, "\n") {
			row := f.y - 1 + j
			if row >= 0 && row < bodyH {
				grid[row] = append(grid[row], line)
			}
		}
	}
	out := make([]string, bodyH)
	for i, parts := range grid {
		out[i] = strings.Join(parts, "")
	}
	return out
}

// tabs draws the tab bar of the stacked layout.
func (m *Model) tabs() string {
	th := m.c.Theme
	var b strings.Builder
	for i, p := range m.panes {
		label := strconv.Itoa(i+1) + " " + p.Title()
		if i == m.visibleTab() {
			b.WriteString(th.TabActive.Render(label))
		} else {
			b.WriteString(th.Tab.Render(label))
		}
	}
	return b.String()
}

// header shows the shop, the demo badge, the worker state and the clock.
func (m *Model) header() string {
	th := m.c.Theme
	now := m.c.Now()
	sep := th.Muted.Render(th.Glyphs.Sep)
	left := th.AppName.Render(" shipdeck")
	if m.snap.Shop != "" {
		left += sep + th.Shop.Render(draw.Clean(m.snap.Shop))
	}
	if m.snap.Demo {
		left += " " + th.DemoBadge.Render("DEMO")
	}
	left += sep + m.workerStatus()
	if w := m.snap.Worker.Warning; w != "" {
		left += sep + th.Warn.Render("⚠ "+draw.Clean(w))
	}
	if a := m.snap.Alerts; len(a) > 0 {
		// The alert strip: how many fire and the most severe, in full with
		// `shipdeck alerts`.
		label := "⚠ " + strconv.Itoa(len(a)) + " alert"
		if len(a) > 1 {
			label += "s"
		}
		left += sep + th.Warn.Render(label+": "+draw.Cut(draw.Clean(a[0].Summary), 48))
	}
	if n := m.c.Marks.Len(); n > 0 {
		left += sep + th.Marked.Render(strconv.Itoa(n)+" marked")
	}
	if m.c.Actor.Name != "" {
		left += sep + th.Muted.Render(draw.Clean(m.c.Actor.Name)+" ("+m.c.Actor.Role.String()+")")
	}
	clock := th.Clock.Render(m.c.Zone.Clock(now) + " ")
	return draw.Right(left, clock, m.width)
}

// workerStatus describes what the worker is doing.
func (m *Model) workerStatus() string {
	th := m.c.Theme
	if !m.haveSnap {
		return th.Muted.Render("connecting…")
	}
	w := m.snap.Worker
	st := th.Worker(string(w.State))
	now := m.c.Now()
	switch w.State {
	case store.WorkerPolling:
		return st.Render("● polling")
	case store.WorkerSleeping:
		next := "next poll " + draw.Countdown(w.NextPoll, now)
		if !w.NextPoll.IsZero() && !w.NextPoll.After(now) {
			next = "poll due"
		}
		return st.Render("◌ sleeping") + " " + th.Muted.Render(next)
	case store.WorkerPaused:
		s := st.Render("❚❚ paused")
		if w.Reason != "" {
			s += " " + th.Muted.Render(draw.Clean(w.Reason))
		}
		return s
	case store.WorkerDegraded:
		s := st.Render("▲ degraded")
		if w.Reason != "" {
			s += " " + th.Warn.Render(draw.Clean(w.Reason))
		}
		return s
	}
	return st.Render(draw.Clean(string(w.State)))
}

// footer lists the keys that apply now, greying out the disabled ones;
// help and quit stay at the right edge whatever the width.
func (m *Model) footer() string {
	th := m.c.Theme
	ctx := m.keyContext()
	var left, right []string
	for _, b := range m.keys.Bindings() {
		if !b.Footer || len(b.Keys) == 0 {
			continue
		}
		k := keys.Binding{Keys: b.Keys[:1]}.KeyHelp()
		var item string
		if b.Reason(ctx) != "" {
			item = th.KeyDisabled.Render(k + " " + b.Short)
		} else {
			item = th.Key.Render(k) + " " + th.KeyHelp.Render(b.Short)
		}
		if b.Name == "help" || b.Name == "quit" {
			right = append(right, item)
		} else {
			left = append(left, item)
		}
	}
	return draw.Right(" "+strings.Join(left, "  "), "  "+strings.Join(right, "  ")+" ", m.width)
}

// tooSmall is the whole screen when the terminal cannot fit the panes: it
// says so and still shows the counts that matter.
func (m *Model) tooSmall() string {
	th := m.c.Theme
	c := m.snap.Counts.ByState
	counts := th.State("dead").Render("dead "+strconv.FormatInt(c[store.StateDead], 10)) +
		th.Muted.Render(" · ") + th.State("failed").Render("failed "+strconv.FormatInt(c[store.StateFailed], 10)) +
		th.Muted.Render(" · ") + th.State("queued").Render("queued "+strconv.FormatInt(c[store.StateQueued], 10))
	lines := []string{
		th.Strong.Render("terminal too small"),
		th.Muted.Render("need " + strconv.Itoa(minWidth) + "×" + strconv.Itoa(minHeight) +
			", have " + strconv.Itoa(m.width) + "×" + strconv.Itoa(m.height)),
		counts,
		th.Muted.Render("q quits"),
	}
	if m.height < len(lines) {
		// Counts first: they are why the operator looked.
		lines = []string{counts, lines[0], lines[1], lines[3]}
	}
	return draw.Block(lines, m.width, m.height)
}
