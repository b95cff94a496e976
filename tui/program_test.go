package tui

import (
	"bytes"
	"io"
	"strings"
	gosync "sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// terminal runs the console as a real Bubble Tea program and reads what it
// draws through a terminal emulator, as an operator would see it.
type terminal struct {
	t   *testing.T
	tm  *teatest.TestModel
	emu *vt.SafeEmulator
	raw bytes.Buffer

	mu     gosync.Mutex
	titles []string
}

// waitLimit bounds how long a screen may take to show something; it is a
// safety net against hangs, not a speed check.
const waitLimit = 20 * time.Second

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
	term := &terminal{t: t, emu: vt.NewSafeEmulator(w, h)}
	term.emu.SetCallbacks(vt.Callbacks{Title: func(s string) {
		term.mu.Lock()
		defer term.mu.Unlock()
		term.titles = append(term.titles, s)
	}})
	// Drain the emulator's replies to the program's queries; closing the
	// pipe's write end ends the drain (the emulator's own Close is not
	// safe against a concurrent Read).
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, term.emu)
	}()
	t.Cleanup(func() {
		if c, ok := term.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
			<-drained
		}
	})
	// Force a colour profile: without a TTY Bubble Tea would strip every
	// style and escape, and the screen would prove nothing.
	term.tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	return term
}

// pump moves the program's output into the emulator.
func (term *terminal) pump() {
	b, _ := io.ReadAll(term.tm.Output())
	if len(b) == 0 {
		return
	}
	term.raw.Write(b)
	// The renderer writes bare newlines for a non-TTY output and relies on
	// the tty's ONLCR; the emulator needs the carriage return.
	_, _ = term.emu.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
}

// waitFor waits until the screen shows every string, and returns it.
func (term *terminal) waitFor(want ...string) string {
	term.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		term.pump()
		s := term.emu.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (term *terminal) quit() {
	term.t.Helper()
	term.tm.Type("q")
	term.tm.WaitFinished(term.t, teatest.WithFinalTimeout(waitLimit))
}

func TestLiveConsoleRetriesAndFollowsTheEnginesSnapshots(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 120, 40)
	term.waitFor("Acme Outfitters", "queued 6", "ORD-DEAD-0001", "312/500", "flakyexpress")
	term.tm.Type("4")
	term.waitFor("Failed pushes", "MESSAGE")
	term.tm.Type("r")
	// The toast reports the result, and the engine's next snapshot (sent
	// on its own, through the subscription) updates the counts.
	term.waitFor("retried ORD-DEAD-0001", "dead 1 · failed 3")
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateQueued {
		t.Fatalf("state = %s", o.State)
	}
	// A change made elsewhere (another session, the worker) shows up too.
	o, _ := eng.Order("ORD-FAIL-0001")
	o.State = store.StateDead
	eng.Add(o)
	eng.Publish()
	term.waitFor("dead 2 · failed 2")

	term.tm.Type("e")
	term.waitFor("Re-route ORD-FAIL-0001", "(current)")
	term.tm.Type("fast")
	term.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	term.waitFor("re-routed ORD-FAIL-0001 to fastship")
	if o, _ := eng.Order("ORD-FAIL-0001"); o.Carrier() != "fastship" {
		t.Fatalf("carrier = %s", o.Carrier())
	}
	term.quit()
	final := term.tm.FinalModel(t).(*Model)
	if !final.closed {
		t.Fatal("quitting did not close the session")
	}
}

func TestEscapeSequencesFromOutsideNeverReachTheTerminal(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	term := startTerminal(t, eng, operator, 120, 40)
	s := term.waitFor("Evil Buyer", "Katherine")
	term.mu.Lock()
	titles := append([]string(nil), term.titles...)
	term.mu.Unlock()
	for _, title := range titles {
		if strings.Contains(title, "pwned") {
			t.Fatalf("the buyer name retitled the terminal: %q", title)
		}
	}
	if bytes.Contains(term.raw.Bytes(), []byte("pwned")) {
		t.Fatal("the title payload reached the terminal")
	}
	// The evil name is drawn exactly like an honest one: no colour change.
	evil, honest := cellOf(term.emu, s, "Evil Buyer"), cellOf(term.emu, s, "Katherine")
	if evil == nil || honest == nil {
		t.Fatalf("cells not found:\n%s", s)
	}
	if !evil.Style.Equal(&honest.Style) {
		t.Fatalf("the buyer name changed the style: %+v vs %+v", evil.Style, honest.Style)
	}
	term.quit()
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
