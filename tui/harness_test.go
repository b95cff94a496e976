package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// testNow is the fixed clock every direct test runs on.
var testNow = time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)

var (
	operator = store.Actor{Name: "olga", Role: store.RoleOperator}
	viewer   = store.Actor{Name: "vic", Role: store.RoleViewer}
)

// harness drives the root model directly: it runs every command a message
// returns and feeds the results back, synchronously, so tests need no
// sleeps. Timers never fire (Tick returns nil); the engine's subscription is
// replaced by sync, which delivers the engine's current snapshot.
type harness struct {
	t   testing.TB
	m   *Model
	eng Engine
}

func newHarness(t testing.TB, eng Engine, actor store.Actor, w, h int) *harness {
	t.Helper()
	m, err := New(eng, Options{Actor: actor, Now: func() time.Time { return testNow },
		Theme: theme.New(theme.Options{Dark: true}), ExportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m.c.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	t.Cleanup(m.Close)
	hs := &harness{t: t, m: m, eng: eng}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.sync()
	return hs
}

// send delivers one message and runs everything it sets off.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run executes commands breadth first, feeding their messages back.
func (h *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			h.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := h.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// sync delivers the engine's current snapshot, as the subscription would.
func (h *harness) sync() {
	h.send(snapshotMsg{snap: h.eng.Snapshot()})
}

// press sends key presses, each spelled as Bubble Tea spells keys.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyPress(k))
	}
}

// typeText types each rune as a key press.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen is the rendered screen without styling.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) requireScreen(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (h *harness) rejectScreen(unwanted ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range unwanted {
		if strings.Contains(s, w) {
			h.t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

func keyPress(k string) tea.KeyPressMsg { return tuitest.Key(k) }

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
