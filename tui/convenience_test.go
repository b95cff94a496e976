package tui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/tuitest"
	"github.com/shipdeck/shipdeck/zone"
)

// cellPos finds where text is drawn on screen s.
func cellPos(s, text string) (x, y int, ok bool) {
	for y, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return ansi.StringWidth(line[:i]), y, true
		}
	}
	return 0, 0, false
}

func TestCopyPutsTheSelectedOrderIDOnTheClipboardWithOSC52(t *testing.T) {
	term := startTerminal(t, tuitest.Fixture(testNow), operator, 140, 44)
	term.WaitFor("ORD-DEAD-0001")
	term.TM.Type("4")
	term.TM.Type("y")
	term.WaitFor("copied ORD-DEAD-0001")
	osc := []byte("\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("ORD-DEAD-0001")))
	if !term.RawHas(osc) {
		t.Fatalf("no OSC 52 with the order id in the output: %q", term.Raw.String())
	}
	term.Quit()
}

func TestCopyWithNothingSelectedSaysWhy(t *testing.T) {
	h := newHarness(t, tuitest.Fixture(testNow), operator, 140, 44)
	h.press("2", "y") // the quota pane has no orders
	h.requireScreen("copy id: nothing selected")
}

func TestMouseClickFocusesAPaneAndSelectsTheRow(t *testing.T) {
	term := startTerminal(t, tuitest.Fixture(testNow), operator, 140, 44, func(o *Options) { o.Mouse = true })
	s := term.WaitFor("ORD-FAIL-0002", "flakyexpress")
	if !term.RawHas([]byte("\x1b[?1002h")) {
		t.Fatal("mouse mode was not turned on")
	}
	x, y, ok := cellPos(s, "ORD-FAIL-0002")
	if !ok {
		t.Fatalf("row not on screen:\n%s", s)
	}
	term.TM.Send(tea.MouseClickMsg{X: x + 2, Y: y, Button: tea.MouseLeft})
	term.TM.Send(keyPress("enter"))
	term.WaitFor("Order ORD-FAIL-0002")
	term.TM.Send(keyPress("esc"))
	// A click on a carrier row selects that carrier; enter drills down.
	s = term.WaitFor("slowpost     900ms")
	x, y, _ = cellPos(s, "slowpost     900ms")
	term.TM.Send(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	term.TM.Send(keyPress("enter"))
	term.WaitFor("Carrier slowpost", "carrier=slowpost")
	term.TM.Send(keyPress("esc"))
	term.TM.Send(keyPress("esc"))
	term.Quit()
}

func TestMouseIsOffUnlessAskedFor(t *testing.T) {
	term := startTerminal(t, tuitest.Fixture(testNow), operator, 140, 44)
	term.WaitFor("ORD-FAIL-0002")
	if bytes.Contains(term.Raw.Bytes(), []byte("\x1b[?1002h")) || bytes.Contains(term.Raw.Bytes(), []byte("\x1b[?1003h")) {
		t.Fatal("mouse mode turned on without [console] mouse")
	}
	term.Quit()
}

func TestTimesShowInTheDisplayZoneWithTheirLabel(t *testing.T) {
	berlin, err := zone.Load("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(tuitest.Fixture(testNow), Options{Actor: operator, Now: func() time.Time { return testNow },
		Theme: theme.New(theme.Options{Dark: true}), Zone: berlin})
	if err != nil {
		t.Fatal(err)
	}
	m.c.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	h := &harness{t: t, m: m, eng: m.eng}
	t.Cleanup(m.Close)
	h.send(sizeMsg(140, 44))
	h.sync()
	// testNow is 15:04:05 UTC: 16:04:05 in Berlin, and it says so.
	h.requireScreen("16:04:05 CET", "runs out ~19:14 CET")
	h.press("4", "enter")
	// The dead order's ship-by is two hours after testNow.
	h.requireScreen("Nov 24 18:04 CET")
	h.rejectScreen("17:04Z")
}
