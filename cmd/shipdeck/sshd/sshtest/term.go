package sshtest

import (
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"
)

// Term is a console session on a PTY, as an operator's terminal shows it:
// the output goes through a terminal emulator (the renderer sends cell
// diffs, not lines), or is only counted.
type Term struct {
	sess  *gossh.Session
	stdin io.WriteCloser

	mu      sync.Mutex
	emu     *vt.Emulator // nil when only counting
	bytes   int64
	reads   int
	bursts  int
	lastAt  time.Time
	watches []*screenWatch

	// outputEnded is closed when the session's output has ended.
	outputEnded chan struct{}
	// exited is closed when the session has ended; exitErr is then what
	// its Wait returned.
	exited  chan struct{}
	exitErr error
}

// screenWatch waits for the screen to match.
type screenWatch struct {
	match func(screen string) bool
	seen  chan time.Time
}

// OpenTerm starts a console session (a shell on a w×h PTY). With emulate
// false the output is counted and dropped. The session is closed when the
// test ends.
func OpenTerm(t testing.TB, c *gossh.Client, w, h int, emulate bool) *Term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("console: new session: %v", err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatalf("console: request a PTY: %v", err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatalf("console: start the shell: %v", err)
	}
	term := &Term{sess: sess, stdin: stdin, outputEnded: make(chan struct{}), exited: make(chan struct{})}
	var drained chan struct{}
	if emulate {
		term.emu = vt.NewEmulator(w, h)
		// The emulator answers the program's terminal queries through a
		// pipe that must be drained; closing it once the output has ended
		// (so nothing writes to the emulator any more) ends the drain.
		drained = make(chan struct{})
		go func() {
			defer close(drained)
			_, _ = io.Copy(io.Discard, term.emu)
		}()
	}
	t.Cleanup(func() {
		_ = sess.Close()
		select {
		case <-term.outputEnded:
		case <-time.After(WaitLimit):
			t.Errorf("console output never ended")
			return
		}
		if drained == nil {
			return
		}
		if c, ok := term.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
			<-drained
		}
	})
	go term.pump(stdout)
	go func() {
		term.exitErr = sess.Wait()
		close(term.exited)
	}()
	return term
}

// pump feeds the session's output to the emulator and fires watches.
func (term *Term) pump(r io.Reader) {
	defer close(term.outputEnded)
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			now := time.Now()
			term.mu.Lock()
			term.bytes += int64(n)
			term.reads++
			// Reads closer together than a frame interval belong to one frame.
			if now.Sub(term.lastAt) > 10*time.Millisecond {
				term.bursts++
			}
			term.lastAt = now
			if term.emu != nil {
				_, _ = term.emu.Write(buf[:n])
				if len(term.watches) > 0 {
					s := term.emu.String()
					term.watches = slices.DeleteFunc(term.watches, func(w *screenWatch) bool {
						if w.match(s) {
							w.seen <- now
							return true
						}
						return false
					})
				}
			}
			term.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Type sends s as keyboard input.
func (term *Term) Type(t testing.TB, s string) {
	t.Helper()
	if _, err := term.stdin.Write([]byte(s)); err != nil {
		t.Fatalf("type %q: %v", s, err)
	}
}

// Watch reports, on the returned channel, the time the screen first
// matches (at once if it already does).
func (term *Term) Watch(match func(string) bool) <-chan time.Time {
	w := &screenWatch{match: match, seen: make(chan time.Time, 1)}
	term.mu.Lock()
	defer term.mu.Unlock()
	if match(term.screenLocked()) {
		w.seen <- time.Now()
		return w.seen
	}
	term.watches = append(term.watches, w)
	return w.seen
}

// Resize tells the server the client's window is now w×h (the emulator
// keeps its size).
func (term *Term) Resize(t testing.TB, w, h int) {
	t.Helper()
	if err := term.sess.WindowChange(h, w); err != nil {
		t.Fatalf("window change: %v", err)
	}
}

// Screen is the emulated screen's text ("" when only counting).
func (term *Term) Screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screenLocked()
}

func (term *Term) screenLocked() string {
	if term.emu == nil {
		return ""
	}
	return term.emu.String()
}

// WaitFor waits until the screen shows every string.
func (term *Term) WaitFor(t testing.TB, want ...string) {
	t.Helper()
	select {
	case <-term.Watch(func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}):
	case <-time.After(WaitLimit):
		t.Fatalf("screen never showed %q; it shows:\n%s", want, term.Screen())
	}
}

// Counters returns the bytes, reads and frame-sized bursts received so far.
func (term *Term) Counters() (bytes int64, reads, bursts int) {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.bytes, term.reads, term.bursts
}

// OutputEnded is closed once the session's output has ended.
func (term *Term) OutputEnded() <-chan struct{} { return term.outputEnded }

// Wait waits for the session to end and returns its exit status, once the
// last output has reached the screen.
func (term *Term) Wait(t testing.TB) int {
	t.Helper()
	select {
	case <-term.exited:
	case <-time.After(WaitLimit):
		t.Fatalf("console session did not end; screen:\n%s", term.Screen())
	}
	select {
	case <-term.outputEnded:
	case <-time.After(WaitLimit):
		t.Fatal("console output never ended")
	}
	code, ok := ExitStatus(term.exitErr)
	if !ok {
		t.Fatalf("console session: %v", term.exitErr)
	}
	return code
}

// Running reports whether the session is still open right now.
func (term *Term) Running() bool {
	select {
	case <-term.exited:
		return false
	default:
		return true
	}
}
