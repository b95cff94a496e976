package sshd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// floodRequests is how many window-change requests the flood tests send,
// as the attack in issue 11 did.
const floodRequests = 100_000

// fullScreenHandler serves a console that fills every cell of the
// terminal and takes a while to lay itself out on each resize, as the real
// console's panes do: a resize flood then backs up behind the program, and
// produces more output than a client that reads nothing lets through.
// With animate, it also repaints every cell every frame, like a live pane
// does, so a client that reads nothing soon has its window full.
type fullScreenHandler struct {
	testHandler
	animate bool
}

func (h fullScreenHandler) Console(ctx context.Context, op Operator, _ ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	return fullScreenModel{op: op, animate: h.animate}, nil, nil
}

// frameMsg advances an animated fullScreenModel.
type frameMsg struct{}

func nextFrame() tea.Cmd {
	return tea.Tick(10*time.Millisecond, func(time.Time) tea.Msg { return frameMsg{} })
}

// resizeCost stands for the real console's layout work on a resize.
const resizeCost = time.Millisecond

type fullScreenModel struct {
	op      Operator
	w, h    int
	animate bool
	frame   int
}

func (m fullScreenModel) Init() tea.Cmd {
	if m.animate {
		return nextFrame()
	}
	return nil
}

func (m fullScreenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		time.Sleep(resizeCost)
	case frameMsg:
		m.frame++
		return m, nextFrame()
	}
	return m, nil
}

func (m fullScreenModel) View() tea.View {
	lines := []string{fmt.Sprintf("hello %s (%s) %dx%d", m.op.Name, m.op.Role, m.w, m.h)}
	for i := 1; i < m.h; i++ {
		lines = append(lines, strings.Repeat(string(rune('a'+(m.w+m.h+i+m.frame)%26)), m.w))
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	return v
}

// openSilentConsole opens a w×h console on c whose output the client
// never reads (as an attacker would not), and waits until the server has
// admitted it.
func openSilentConsole(t *testing.T, ts *testServer, c *gossh.Client, w, h int) *gossh.Session {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	readNothing(t, sess)
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the console admitted", func() bool { return ts.srv.Sessions() == 1 })
	return sess
}

// floodWindowChanges sends n window-change requests on sess as fast as the
// connection takes them. With mayEnd, the server may end the session
// before all are sent (the idle timeout).
func floodWindowChanges(t *testing.T, sess *gossh.Session, n int, mayEnd bool) {
	t.Helper()
	sent := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := sess.WindowChange(80+i%20, 250+i%50); err != nil {
				if mayEnd {
					sent <- nil
				} else {
					sent <- fmt.Errorf("window change %d: %w", i, err)
				}
				return
			}
		}
		sent <- nil
	}()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the client stalled: the server stopped reading its window changes")
	}
}

// readNothing gives the session's output somewhere to wait that is never
// read (x/crypto/ssh otherwise discards unclaimed output, which reads it),
// so the server's writes stop once the client's window is full.
func readNothing(t *testing.T, sess *gossh.Session) {
	t.Helper()
	if _, err := sess.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StderrPipe(); err != nil {
		t.Fatal(err)
	}
}

func TestWindowChangeFloodFreesItsSlot(t *testing.T) {
	ts := startServerWith(t, Config{MaxSessions: 1}, fullScreenHandler{}, operatorSpec{"mal", "viewer"}, operatorSpec{"ana", "operator"})
	c := ts.dial(t, "mal")
	sess := openSilentConsole(t, ts, c, 80, 24)
	start := time.Now()
	floodWindowChanges(t, sess, floodRequests, false)
	sent := time.Since(start)
	if n := ts.srv.Sessions(); n != 1 {
		t.Fatalf("Sessions() = %d during the flood, want 1", n)
	}
	_ = c.Close()
	closed := time.Now()
	eventually(t, "the flooding session's slot freed after its connection closed", func() bool { return ts.srv.Sessions() == 0 })
	t.Logf("%d window changes sent in %s; slot freed %s after the connection closed", floodRequests, sent.Round(time.Millisecond),
		time.Since(closed).Round(time.Millisecond))
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
}

func TestWindowChangeFloodStillTimesOutIdle(t *testing.T) {
	ts := startServerWith(t, Config{MaxSessions: 1, IdleTimeout: 2 * time.Second}, fullScreenHandler{animate: true},
		operatorSpec{"mal", "viewer"}, operatorSpec{"ana", "operator"})
	// A big terminal and a console that repaints it all every frame: the
	// client's window (2 MB in x/crypto/ssh) fills within a second or two
	// and the console's writes block; the client keeps the connection
	// open and floods.
	start := time.Now()
	floodWindowChanges(t, openSilentConsole(t, ts, ts.dial(t, "mal"), 300, 100), floodRequests, true)
	// The console had no keyboard input: the idle timeout ends it, and the
	// connection is closed when the console cannot quit.
	eventually(t, "the idle flooding session ended", func() bool { return ts.srv.Sessions() == 0 })
	t.Logf("slot freed %s after the console opened (idle timeout 2s, grace %s)", time.Since(start).Round(time.Millisecond), quitGrace)
	if !strings.Contains(ts.log.String(), "closing its connection") {
		t.Errorf("the log does not say the connection was closed:\n%s", ts.log.String())
	}
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
}
