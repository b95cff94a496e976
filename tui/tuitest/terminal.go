package tuitest

import (
	"bytes"
	"io"
	"strings"
	gosync "sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
)

// WaitLimit bounds how long a screen may take to show something; it is a
// safety net against hangs, not a speed check.
const WaitLimit = 20 * time.Second

// Terminal runs a console model as a real Bubble Tea program and reads
// what it draws through a terminal emulator, as an operator would see it.
type Terminal struct {
	t *testing.T
	// TM is the running program; Emu the emulator it draws into; Raw every
	// byte it wrote.
	TM  *teatest.TestModel
	Emu *vt.SafeEmulator
	Raw bytes.Buffer

	mu     gosync.Mutex
	titles []string
}

// StartTerminal runs m in a w×h terminal until the test ends.
func StartTerminal(t *testing.T, m tea.Model, w, h int) *Terminal {
	t.Helper()
	term := &Terminal{t: t, Emu: vt.NewSafeEmulator(w, h)}
	term.Emu.SetCallbacks(vt.Callbacks{Title: func(s string) {
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
		_, _ = io.Copy(io.Discard, term.Emu)
	}()
	t.Cleanup(func() {
		if c, ok := term.Emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
			<-drained
		}
	})
	// Force a colour profile: without a TTY Bubble Tea would strip every
	// style and escape, and the screen would prove nothing.
	term.TM = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	return term
}

// Titles are the window titles the program set.
func (term *Terminal) Titles() []string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return append([]string(nil), term.titles...)
}

// Pump moves the program's output into the emulator.
func (term *Terminal) Pump() {
	b, _ := io.ReadAll(term.TM.Output())
	if len(b) == 0 {
		return
	}
	term.Raw.Write(b)
	// The renderer writes bare newlines for a non-TTY output and relies on
	// the tty's ONLCR; the emulator needs the carriage return.
	_, _ = term.Emu.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
}

// WaitFor waits until the screen shows every string, and returns it.
func (term *Terminal) WaitFor(want ...string) string {
	term.t.Helper()
	deadline := time.Now().Add(WaitLimit)
	for {
		term.Pump()
		s := term.Emu.String()
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

// RawHas waits until the program has written b to the terminal.
func (term *Terminal) RawHas(b []byte) bool {
	deadline := time.Now().Add(WaitLimit)
	for time.Now().Before(deadline) {
		term.Pump()
		if bytes.Contains(term.Raw.Bytes(), b) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// Quit presses q and waits for the program to end.
func (term *Terminal) Quit() {
	term.t.Helper()
	term.TM.Type("q")
	term.TM.WaitFinished(term.t, teatest.WithFinalTimeout(WaitLimit))
}

// Key is the key press Bubble Tea reports for a key spelled as the key
// table spells it ("enter", "esc", "shift+tab", "r").
func Key(k string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"space":     {Code: tea.KeySpace, Text: " "},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"pgup":      {Code: tea.KeyPgUp},
		"pgdown":    {Code: tea.KeyPgDown},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"backspace": {Code: tea.KeyBackspace},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
		"ctrl+l":    {Code: 'l', Mod: tea.ModCtrl},
	}
	if k, ok := special[k]; ok {
		return k
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}
