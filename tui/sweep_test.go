package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// sweepSizes covers the degenerate sizes, both sides of every layout
// threshold and a spread of ordinary terminals.
func sweepSizes() [][2]int {
	ws := []int{0, 1, 2, 3, 4, 5, 10, 20, 39, 40, 59, 60, 61, 79, 80, 99, 100, 101, 120, 160, 240}
	hs := []int{0, 1, 2, 3, 4, 5, 8, 14, 15, 16, 20, 23, 24, 25, 40, 60}
	var out [][2]int
	for _, w := range ws {
		for _, h := range hs {
			out = append(out, [2]int{w, h})
		}
	}
	return out
}

// TestEverySizeDrawsExactlyTheScreen resizes through every size, with each
// overlay open, and checks the frame is exactly the terminal's size (so
// nothing wraps or garbles) and nothing panics.
func TestEverySizeDrawsExactlyTheScreen(t *testing.T) {
	// Setups named after an overlay must leave that overlay open.
	setups := map[string][]string{
		"grid":    nil,
		"zoomed":  {"4"},
		"focus":   {"tab", "tab", "tab"},
		"search":  {"/", "a", "d", "a"},
		"palette": {":"},
		"help":    {"?"},
		"detail":  {"4", "enter"},
		"picker":  {"4", "e"},
		"confirm": {"4", "R"},
		"prompt":  {"4", "x"},
	}
	overlays := map[string]bool{"search": true, "palette": true, "help": true, "detail": true, "picker": true,
		"confirm": true, "prompt": true}
	for name, keys := range setups {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
			h.press(keys...)
			got := ""
			if h.m.overlay != nil {
				got = h.m.overlay.Name()
			}
			if want := map[bool]string{true: name}[overlays[name]]; got != want {
				t.Fatalf("after %q the overlay is %q, want %q", keys, got, want)
			}
			for _, sz := range sweepSizes() {
				h.send(sizeMsg(sz[0], sz[1]))
				checkFrame(t, h.m.View().Content, sz[0], sz[1])
			}
			// And back: a large terminal after tiny ones draws everything.
			h.send(sizeMsg(120, 40))
			checkFrame(t, h.m.View().Content, 120, 40)
			h.requireScreen("shipdeck")
		})
	}
}

func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	if w == 0 || h == 0 {
		if frame != "" {
			t.Fatalf("%d×%d: frame not empty", w, h)
		}
		return
	}
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("%d×%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%d×%d: line %d is %d cells: %q", w, h, i, got, ansi.Strip(l))
		}
	}
}

func TestResizeKeepsTheCursorOnTheSameOrder(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
	h.press("4", "j", "j")
	before, ok := h.m.target()
	if !ok {
		t.Fatal("no order selected before resizing")
	}
	for _, sz := range [][2]int{{80, 24}, {30, 5}, {200, 60}, {120, 40}} {
		h.send(sizeMsg(sz[0], sz[1]))
	}
	after, ok := h.m.target()
	if !ok || after.ID != before.ID {
		t.Fatalf("cursor moved from %s to %s", before.ID, fmt.Sprint(after.ID))
	}
}
