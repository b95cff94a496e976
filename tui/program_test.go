package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// terminal is the console running in a terminal emulator.
type terminal = tuitest.Terminal

func startTerminal(t *testing.T, eng Engine, actor store.Actor, w, h int, tune ...func(*Options)) *terminal {
	t.Helper()
	opts := Options{Actor: actor, Theme: theme.New(theme.Options{Dark: true}), ExportDir: t.TempDir(),
		Now: func() time.Time { return testNow }}
	for _, f := range tune {
		f(&opts)
	}
	m, err := New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tuitest.StartTerminal(t, m, w, h)
}

func TestLiveConsoleRetriesAndFollowsTheEnginesSnapshots(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 120, 40)
	term.WaitFor("Acme Outfitters", "queued 6", "ORD-DEAD-0001", "312/500", "flakyexpress")
	term.TM.Type("4")
	term.WaitFor("Failed pushes", "MESSAGE")
	term.TM.Type("r")
	// The toast reports the result, and the engine's next snapshot (sent
	// on its own, through the subscription) updates the counts.
	term.WaitFor("retried ORD-DEAD-0001", "dead 1 · failed 3")
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateQueued {
		t.Fatalf("state = %s", o.State)
	}
	// A change made elsewhere (another session, the worker) shows up too.
	o, _ := eng.Order("ORD-FAIL-0001")
	o.State = store.StateDead
	eng.Add(o)
	eng.Publish()
	term.WaitFor("dead 2 · failed 2")

	term.TM.Type("e")
	term.WaitFor("Re-route ORD-FAIL-0001", "(current)")
	term.TM.Type("fast")
	term.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	term.WaitFor("re-routed ORD-FAIL-0001 to fastship")
	if o, _ := eng.Order("ORD-FAIL-0001"); o.Carrier() != "fastship" {
		t.Fatalf("carrier = %s", o.Carrier())
	}
	term.Quit()
	final := term.TM.FinalModel(t).(*Model)
	if !final.closed {
		t.Fatal("quitting did not close the session")
	}
}

func TestEscapeSequencesFromOutsideNeverReachTheTerminal(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 120, 40)
	s := term.WaitFor("Evil Buyer", "Katherine")
	titles := term.Titles()
	for _, title := range titles {
		if strings.Contains(title, "pwned") {
			t.Fatalf("the buyer name retitled the terminal: %q", title)
		}
	}
	if bytes.Contains(term.Raw.Bytes(), []byte("pwned")) {
		t.Fatal("the title payload reached the terminal")
	}
	// The evil name is drawn exactly like an honest one: no colour change.
	evil, honest := cellOf(term.Emu, s, "Evil Buyer"), cellOf(term.Emu, s, "Katherine")
	if evil == nil || honest == nil {
		t.Fatalf("cells not found:\n%s", s)
	}
	if !evil.Style.Equal(&honest.Style) {
		t.Fatalf("the buyer name changed the style: %+v vs %+v", evil.Style, honest.Style)
	}
	term.Quit()
}

// cellOf returns the emulator cell where text starts on screen s.
func cellOf(emu *vt.SafeEmulator, s, text string) *uv.Cell {
	for y, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return emu.CellAt(ansi.StringWidth(line[:i]), y)
		}
	}
	return nil
}
