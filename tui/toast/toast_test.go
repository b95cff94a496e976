package toast

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/common"
)

func TestToastsExpireAfterTheirLifetime(t *testing.T) {
	type timer struct {
		d  time.Duration
		fn func(time.Time) tea.Msg
	}
	var timers []timer
	c := &common.Common{Ctx: context.Background(), Theme: theme.New(theme.Options{Dark: true}), Now: time.Now,
		Tick: func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			timers = append(timers, timer{d, fn})
			return nil
		}}
	m := New(c)
	m.Push(common.ToastOK, "retried ORD-1")
	m.Push(common.ToastError, "reroute failed: \x1b[31mboom")
	if len(timers) != 2 || timers[0].d != Lifetime || timers[1].d != 2*Lifetime {
		t.Fatalf("timers = %+v", timers)
	}
	lines := m.Lines(40)
	if len(lines) != 2 || !strings.Contains(ansi.Strip(lines[1]), "reroute failed: boom") || strings.Contains(lines[1], "\x1b[31mboom") {
		t.Fatalf("lines = %q", lines)
	}
	m.Update(timers[0].fn(time.Now()))
	if got := m.Texts(); len(got) != 1 || !strings.HasPrefix(got[0], "reroute failed") {
		t.Fatalf("after the first expiry: %q", got)
	}
	// Another stack's expiry is not ours, even when it carries the id of
	// one of our toasts.
	other := New(c)
	other.Push(common.ToastInfo, "x")
	other.Push(common.ToastInfo, "y")
	m.Update(timers[3].fn(time.Now()))
	if len(m.Texts()) != 1 {
		t.Fatal("a foreign expiry removed a toast")
	}
	for i := range 5 {
		m.Push(common.ToastInfo, strings.Repeat("x", i))
	}
	if len(m.Texts()) != maxShown {
		t.Fatalf("%d toasts shown", len(m.Texts()))
	}
}
