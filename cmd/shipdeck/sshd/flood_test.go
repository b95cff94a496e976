package sshd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// floodRequests is how many window-change requests the flood tests send,
// as the attack in issue 11 did.
const floodRequests = 100_000

// clientWindow is the most a session can send that the client has not
// read: x/crypto/ssh's channel window.
const clientWindow = 2 << 20

// floodHandler serves a console that takes a while to lay itself out on
// each resize and repaints every cell, as the real console's panes do, so
// a resize flood backs up behind the program. The console of operator
// stuckFor also starts by writing more than the client's window to the
// session, so once a client that reads nothing has that much waiting,
// every later write of the session blocks; written counts what went out.
type floodHandler struct {
	testHandler
	stuckFor string
	written  *atomic.Int64
}

func (h floodHandler) Console(ctx context.Context, op Operator, s ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	m := floodModel{op: op}
	if op.Name == h.stuckFor {
		m.init = func() tea.Msg {
			chunk := []byte(strings.Repeat("x", 16<<10))
			for range 2 * clientWindow / len(chunk) {
				if _, err := s.Write(chunk); err != nil {
					return nil
				}
				h.written.Add(int64(len(chunk)))
			}
			return nil
		}
	}
	return m, nil, nil
}

// resizeCost stands for the real console's layout work on a resize.
const resizeCost = time.Millisecond

type floodModel struct {
	op   Operator
	w, h int
	init tea.Cmd
}

func (m floodModel) Init() tea.Cmd { return m.init }

func (m floodModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.w, m.h = ws.Width, ws.Height
		time.Sleep(resizeCost)
	}
	return m, nil
}

func (m floodModel) View() tea.View {
	lines := []string{fmt.Sprintf("hello %s (%s) %dx%d", m.op.Name, m.op.Role, m.w, m.h)}
	for i := 1; i < m.h; i++ {
		lines = append(lines, strings.Repeat(string(rune('a'+(m.w+m.h+i)%26)), m.w))
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	return v
}

// openSilentConsole opens a console on c whose output the client never
// reads (as an attacker would not; x/crypto/ssh would otherwise discard
// unclaimed output, which reads it), waits until the server has admitted
// it, and returns the session and its input.
func openSilentConsole(t *testing.T, ts *testServer, c *gossh.Client) (*gossh.Session, io.Writer) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StderrPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the console admitted", func() bool { return ts.srv.Sessions() == 1 })
	return sess, stdin
}

// floodWindowChanges sends n window-change requests on sess as fast as the
// connection takes them, and fails the test if the client stalls (the
// server stopped reading them). With mayEnd, the server may end the
// session before all are sent.
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

func TestWindowChangeFloodFreesItsSlot(t *testing.T) {
	ts := startServerWith(t, Config{MaxSessions: 1}, floodHandler{}, operatorSpec{"mal", "viewer"}, operatorSpec{"ana", "operator"})
	c := ts.dial(t, "mal")
	sess, _ := openSilentConsole(t, ts, c)
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
	eventually(t, "the log reports the limited requests", func() bool {
		return strings.Contains(ts.log.String(), "ssh session requests limited")
	})
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
}

func TestWindowChangeFloodStillTimesOutIdle(t *testing.T) {
	const idle = 2 * time.Second
	written := &atomic.Int64{}
	ts := startServerWith(t, Config{MaxSessions: 1, IdleTimeout: idle}, floodHandler{stuckFor: "mal", written: written},
		operatorSpec{"mal", "viewer"}, operatorSpec{"ana", "operator"})
	sess, stdin := openSilentConsole(t, ts, ts.dial(t, "mal"))
	// Keys keep the session from idling until the client's window is full
	// and the console's writes block; from then on nothing it writes gets
	// out, so it cannot quit the polite way.
	deadline := time.Now().Add(waitLimit)
	for written.Load() < clientWindow-16<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("the console wrote only %d bytes", written.Load())
		}
		if _, err := stdin.Write([]byte("k")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(idle / 10)
	}
	lastKey := time.Now()
	floodWindowChanges(t, sess, floodRequests, true)
	eventually(t, "the idle flooding session ended", func() bool { return ts.srv.Sessions() == 0 })
	t.Logf("slot freed %s after the last key (idle timeout %s, grace %s)", time.Since(lastKey).Round(time.Millisecond), idle, quitGrace)
	if !strings.Contains(ts.log.String(), "closing its connection") {
		t.Errorf("the log does not say the connection was closed:\n%s", ts.log.String())
	}
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
}

func TestWindowChangesReachTheConsole(t *testing.T) {
	ts := startServerWith(t, Config{}, floodHandler{}, operatorSpec{"ana", "operator"})
	con := sshtest.OpenTerm(t, ts.dial(t, "ana"), 80, 24, true)
	con.WaitFor(t, "hello ana (operator) 80x24")
	// Smaller than the emulator, so the whole frame stays on its screen.
	for _, h := range []int{20, 21, 22} {
		con.Resize(t, 70, h)
	}
	con.WaitFor(t, "hello ana (operator) 70x22")
}
