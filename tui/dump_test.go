package tui

import (
	"testing"

	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func TestDump(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 120, 40)
	h.press("/")
	h.typeText("ada")
	t.Log("\n" + h.screen())
	h.press("enter")
	t.Log("\n" + h.screen())
	h.press("esc", "4", "e")
	t.Log("\n" + h.screen())
	h.press("esc", ":")
	t.Log("\n" + h.screen())
	h.press("esc", "?")
	t.Log("\n" + h.screen())
	h.press("esc", "R")
	t.Log("\n" + h.screen())
}
