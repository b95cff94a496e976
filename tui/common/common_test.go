package common

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
)

func testCommon() *Common {
	return &Common{Ctx: context.Background(), Theme: theme.New(theme.Options{Dark: true}),
		Now: func() time.Time { return time.Unix(0, 0) }, Marks: NewSelection()}
}

func TestFitAndBlockAreExact(t *testing.T) {
	th := theme.New(theme.Options{Dark: true})
	inputs := []string{"", "abc", "王芳 ordered", th.Bad.Render("styled text that is long"), "Zoë"}
	for _, in := range inputs {
		for _, w := range []int{0, 1, 2, 5, 30} {
			if got := ansi.StringWidth(Fit(in, w)); got != w {
				t.Errorf("Fit(%q, %d) is %d wide", in, w, got)
			}
		}
	}
	b := Block(inputs, 7, 3)
	lines := strings.Split(b, "\n")
	if len(lines) != 3 {
		t.Fatalf("Block gave %d lines", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) != 7 {
			t.Fatalf("Block line %q is not 7 wide", l)
		}
	}
	if Block(inputs, 0, 3) != "" || Block(inputs, 3, 0) != "" {
		t.Fatal("an empty rectangle drew something")
	}
}

func TestBoxAndPlaceKeepTheRectangle(t *testing.T) {
	th := theme.New(theme.Options{Dark: true})
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {4, 3}, {10, 4}, {40, 10}} {
		box := Box(" Title that is long ", "a\nb\nc", sz[0], sz[1], th.Border, th.Title)
		lines := strings.Split(box, "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != sz[0] {
				t.Fatalf("%v: line %q", sz, ansi.Strip(l))
			}
		}
	}
	base := Block([]string{"0123456789", "abcdefghij", "ABCDEFGHIJ"}, 10, 3)
	got := ansi.Strip(Place(base, "XY\nZW", 3, 1))
	if got != "0123456789\nabcXYfghij\nABCZWFGHIJ" {
		t.Fatalf("Place = %q", got)
	}
}

func TestDurations(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, "—"},
		{now.Add(45 * time.Second), "45s"},
		{now.Add(12 * time.Minute), "12m"},
		{now.Add(3*time.Hour + 5*time.Minute), "3h05m"},
		{now.Add(50 * time.Hour), "2d02h"},
		{now.Add(-35 * time.Minute), "late 35m"},
	}
	for _, tt := range tests {
		if got := Countdown(tt.at, now); got != tt.want {
			t.Errorf("Countdown(%v) = %q, want %q", tt.at.Sub(now), got, tt.want)
		}
	}
	if got := Latency(1300 * time.Millisecond); got != "1.3s" {
		t.Errorf("Latency = %q", got)
	}
}

func TestInputEditsAndCleansPastes(t *testing.T) {
	in := NewInput("> ", "")
	for _, r := range "retry" {
		in.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	in.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	in.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	in.Update(tea.PasteMsg{Content: "x\x1b]0;t\x07y"})
	if got := in.Value(); got != "retr xy" {
		t.Fatalf("value = %q", got)
	}
	in.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if got := in.Value(); got != "retr " {
		t.Fatalf("after ctrl+w: %q", got)
	}
	if changed := in.Update(tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}); changed {
		t.Fatal("a control key typed text")
	}
	c := testCommon()
	if w := ansi.StringWidth(in.View(c, 4)); w > 4 {
		t.Fatalf("view is %d wide", w)
	}
}

func TestSelectionIsKeyedByID(t *testing.T) {
	s := NewSelection()
	s.Toggle(store.Order{ID: "b", State: store.StateHeld})
	s.Toggle(store.Order{ID: "a", State: store.StateHeld})
	if !s.AllIn(store.StateHeld) || s.Len() != 2 || strings.Join(s.IDs(), ",") != "a,b" {
		t.Fatalf("selection = %v", s.IDs())
	}
	s.Toggle(store.Order{ID: "a"})
	s.Toggle(store.Order{ID: "c", State: store.StateDead})
	if s.Has("a") || !s.Has("c") || s.AllIn(store.StateHeld) {
		t.Fatalf("selection = %v", s.IDs())
	}
	s.Remove("b", "c")
	if s.Len() != 0 {
		t.Fatal("remove left marks")
	}
}
