package sshd

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

func TestKnownKeySeesItsConsole(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "operator"})
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana (operator) keys=0")
	con.Type(t, "ab")
	con.WaitFor(t, "keys=2")
	con.Type(t, "q")
	if code := con.Wait(t); code != 0 {
		t.Fatalf("console exit status %d, want 0", code)
	}
	eventually(t, "session released", func() bool { return ts.srv.Sessions() == 0 })
}

func TestUnknownKeyIsRefused(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "operator"})
	stranger := sshtest.NewKey(t, "stranger")
	c, err := ts.dialAs("ana", gossh.PublicKeys(stranger.Signer))
	wantAuthRefused(t, "an unknown key", c, err)
}

func TestPasswordAndKeyboardInteractiveAreNotOffered(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"admin", "admin"})
	var mu sync.Mutex
	asked := []string{}
	note := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, what)
	}
	c, err := ts.dialAs("admin",
		gossh.PasswordCallback(func() (string, error) { note("password"); return "admin", nil }),
		gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			note("keyboard-interactive")
			return nil, nil
		}),
	)
	wantAuthRefused(t, "a client without a key", c, err)
	mu.Lock()
	defer mu.Unlock()
	if len(asked) > 0 {
		t.Fatalf("the server accepted these methods: %v", asked)
	}
}

func TestConsoleNeedsATerminal(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "viewer"})
	sess, err := ts.dial(t, "ana").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	sess.Stderr = &stderr
	err = sess.Run("") // a shell without a PTY
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("shell without a PTY ended with %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "shipdeck needs a terminal: ssh -t") {
		t.Fatalf("stderr = %q, want the ssh -t hint", stderr.String())
	}
}

func TestCommandSessions(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"bob", "viewer"})
	c := ts.dial(t, "bob")
	tests := []struct {
		cmd              string
		wantOut, wantErr string
		wantCode         int
	}{
		{cmd: `echo orders --state "dead letter" --json`, wantOut: "viewer: orders|--state|dead letter|--json\n"},
		{cmd: "exit 3", wantErr: "exiting with 3\n", wantCode: 3},
		{cmd: "frobnicate", wantErr: "unknown command \"frobnicate\"\n", wantCode: 64},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			out, errOut, code := sshtest.Run(t, c, tt.cmd)
			if out != tt.wantOut || errOut != tt.wantErr || code != tt.wantCode {
				t.Fatalf("got stdout %q stderr %q exit %d, want %q %q %d", out, errOut, code, tt.wantOut, tt.wantErr, tt.wantCode)
			}
		})
	}
}

func TestIdentityComesFromTheKeyNotTheUserName(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"admin", "admin"}, operatorSpec{"bob", "viewer"})
	c, err := ts.dialAs("admin", gossh.PublicKeys(ts.keys["bob"].Signer))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if out, _, _ := sshtest.Run(t, c, "whoami"); out != "bob viewer\n" {
		t.Fatalf("whoami as user admin with bob's key = %q, want bob viewer", out)
	}
}

func TestIdleTimeoutCountsKeyboardInputOnly(t *testing.T) {
	ts := startServer(t, Config{IdleTimeout: time.Second}, operatorSpec{"ana", "operator"})
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
	// Typing keeps the session open well past the idle timeout: each key
	// comes a small fraction of the timeout after the last.
	const keys = 30
	for i := 0; i < keys; i++ {
		con.Type(t, "x")
		time.Sleep(70 * time.Millisecond)
		if !con.Running() {
			t.Fatalf("session ended after %d keys while typing; screen:\n%s", i+1, con.Screen())
		}
	}
	con.WaitFor(t, "keys=30")
	// Then, with no input (the console keeps drawing nothing new), it ends
	// and says why.
	if code := con.Wait(t); code != 1 {
		t.Fatalf("idle console exit status %d, want 1", code)
	}
	if got := con.Screen(); !strings.Contains(got, "no keyboard input for 1s") {
		t.Fatalf("screen after idle timeout:\n%s", got)
	}
}

func TestMaxSessionTimeEndsTheSession(t *testing.T) {
	ts := startServer(t, Config{MaxSessionTime: 300 * time.Millisecond}, operatorSpec{"ana", "operator"})
	con := openConsole(t, ts.dial(t, "ana"))
	if code := con.Wait(t); code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	if got := con.Screen(); !strings.Contains(got, "reached the time limit of 300ms") {
		t.Fatalf("screen after the time limit:\n%s", got)
	}
}

func TestSessionCaps(t *testing.T) {
	ts := startServer(t, Config{MaxSessions: 2, MaxSessionsPerKey: 1},
		operatorSpec{"ana", "operator"}, operatorSpec{"bob", "viewer"}, operatorSpec{"cid", "admin"})
	ana, bob, cid := ts.dial(t, "ana"), ts.dial(t, "bob"), ts.dial(t, "cid")

	holdAna := hold(t, ana)
	if _, errOut, code := sshtest.Run(t, ana, "whoami"); code != 1 || !strings.Contains(errOut, "ana already has 1 sessions open") {
		t.Fatalf("ana's second session: exit %d stderr %q, want the per-key refusal", code, errOut)
	}
	holdBob := hold(t, bob)
	if ts.srv.Sessions() != 2 {
		t.Fatalf("Sessions() = %d, want 2", ts.srv.Sessions())
	}
	if _, errOut, code := sshtest.Run(t, cid, "whoami"); code != 1 || !strings.Contains(errOut, "limit of 2 sessions") {
		t.Fatalf("third session: exit %d stderr %q, want the total refusal", code, errOut)
	}
	holdAna.release(t)
	eventually(t, "ana's session released", func() bool { return ts.srv.Sessions() == 1 })
	if out, _, code := sshtest.Run(t, cid, "whoami"); code != 0 || out != "cid admin\n" {
		t.Fatalf("after a slot freed: exit %d stdout %q", code, out)
	}
	holdBob.release(t)
}

// held is a command session ("wait") kept open until release.
type held struct {
	sess   *gossh.Session
	stdin  io.WriteCloser
	stderr *sshtest.Buffer
}

func hold(t *testing.T, c *gossh.Client) held {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	h := held{sess: sess, stderr: &sshtest.Buffer{}}
	sess.Stderr = h.stderr
	if h.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.stdin.Close() })
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("wait"); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, len("waiting\n"))
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "waiting\n" {
		t.Fatalf("held session said %q (%v)", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return h
}

// release ends the command (its input reaches EOF) and waits for it.
func (h held) release(t *testing.T) {
	t.Helper()
	_ = h.stdin.Close()
	if err := h.sess.Wait(); err != nil {
		t.Fatalf("held session: %v", err)
	}
}

func TestConnectionRateLimitClosesBeforeHandshake(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, Config{ConnectionsPerMinute: 2, Now: clock.now}, operatorSpec{"ana", "operator"})
	for i := 0; i < 2; i++ {
		ts.dial(t, "ana")
	}
	if c, err := ts.dialAs("ana", gossh.PublicKeys(ts.keys["ana"].Signer)); err == nil {
		_ = c.Close()
		t.Fatal("third connection in the same minute got in")
	}
	// A raw TCP client gets no SSH banner at all: closed before the
	// handshake.
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetDeadline(time.Now().Add(waitLimit))
	if b, _ := io.ReadAll(raw); len(b) != 0 {
		t.Fatalf("rate-limited connection received %q", b)
	}
	_ = raw.Close()
	clock.advance(time.Minute)
	ts.dial(t, "ana")
	if !strings.Contains(ts.log.String(), "rate limit") {
		t.Error("the refusal was not logged")
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestHandshakeTimeoutDropsSilentClients(t *testing.T) {
	ts := startServer(t, Config{HandshakeTimeout: 300 * time.Millisecond}, operatorSpec{"ana", "operator"})
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = raw.Close() }()
	_ = raw.SetDeadline(time.Now().Add(waitLimit))
	// The server sends its version and then waits; a client that never
	// answers is disconnected by the server (not by our deadline).
	got, err := io.ReadAll(raw)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a silent client connected")
	}
	if !strings.HasPrefix(string(got), "SSH-2.0-") {
		t.Fatalf("the server sent %q, want its SSH version before dropping the client", got)
	}
}

func TestNoForwardingAgentOrEnvironment(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "admin"})
	c := ts.dial(t, "ana")
	if conn, err := c.Dial("tcp", ts.addr); err == nil {
		_ = conn.Close()
		t.Error("local port forwarding was allowed")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		_ = ln.Close()
		t.Error("remote port forwarding was allowed")
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Close() }()
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Error("agent forwarding was accepted")
	}
	if err := sess.Setenv("NO_COLOR", "1"); err == nil {
		t.Error("an environment variable was accepted")
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("the sftp subsystem was accepted")
	}
}

func TestPanicsAreLoggedNotShown(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "operator"})
	c := ts.dial(t, "ana")
	out, errOut, code := sshtest.Run(t, c, "panic")
	if code != 1 || !strings.Contains(errOut, "internal error") || strings.Contains(out+errOut, "goroutine") {
		t.Fatalf("panicking command: exit %d stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(ts.log.String(), "test handler panic") {
		t.Error("the panic was not logged")
	}
	con := openConsole(t, c)
	con.WaitFor(t, "hello ana")
	con.Type(t, "!")
	if code := con.Wait(t); code != 1 {
		t.Fatalf("panicking console exit status %d, want 1", code)
	}
	if got := con.Screen(); !strings.Contains(got, "internal error") || strings.Contains(got, "goroutine") {
		t.Fatalf("screen after a console panic:\n%s", got)
	}
	eventually(t, "sessions released", func() bool { return ts.srv.Sessions() == 0 })
	// The server still serves.
	if out, _, _ := sshtest.Run(t, c, "whoami"); out != "ana operator\n" {
		t.Fatalf("after the panics whoami = %q", out)
	}
}

func TestShutdownTellsEverySession(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "operator"}, operatorSpec{"bob", "viewer"})
	con := openConsole(t, ts.dial(t, "ana"))
	con.WaitFor(t, "hello ana")
	bob := hold(t, ts.dial(t, "bob"))

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if code := con.Wait(t); code != 1 {
		t.Errorf("console exit status %d after shutdown, want 1", code)
	}
	if got := con.Screen(); !strings.Contains(got, "shipdeck is shutting down") || strings.Contains(got, "hello ana") {
		t.Fatalf("console screen after shutdown (want the message on the restored screen):\n%s", got)
	}
	var exit *gossh.ExitError
	if err := bob.sess.Wait(); !errors.As(err, &exit) || exit.ExitStatus() != 2 {
		t.Errorf("command session ended with %v, want the handler's exit status 2", err)
	}
	if !strings.Contains(bob.stderr.String(), "shipdeck is shutting down") {
		t.Fatalf("command session stderr = %q", bob.stderr.String())
	}
	if c, err := ts.dialAs("ana", gossh.PublicKeys(ts.keys["ana"].Signer)); err == nil {
		_ = c.Close()
		t.Fatal("a connection was accepted after shutdown")
	}
}

func TestReloadEndsSessionsOfRemovedOperators(t *testing.T) {
	ts := startServer(t, Config{}, operatorSpec{"ana", "admin"}, operatorSpec{"bob", "viewer"})
	bob := openConsole(t, ts.dial(t, "bob"))
	bob.WaitFor(t, "hello bob")
	ana := openConsole(t, ts.dial(t, "ana"))
	ana.WaitFor(t, "hello ana")

	if err := Remove(ts.opsPath, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.ReloadOperators(); err != nil {
		t.Fatal(err)
	}
	if code := bob.Wait(t); code != 1 {
		t.Errorf("bob's console exit status %d, want 1", code)
	}
	if got := bob.Screen(); !strings.Contains(got, "your key was removed") {
		t.Fatalf("bob's screen:\n%s", got)
	}
	if !ana.Running() {
		t.Fatal("ana's session ended on a reload that did not concern her")
	}
	c, err := ts.dialAs("bob", gossh.PublicKeys(ts.keys["bob"].Signer))
	wantAuthRefused(t, "a removed key", c, err)
	// A malformed file is refused and changes nothing.
	src, _ := os.ReadFile(ts.opsPath)
	writeFile(t, ts.opsPath, string(src)+"\n[[operator]]\nname = \"x\"\n")
	var fe *FileError
	if err := ts.srv.ReloadOperators(); !errors.As(err, &fe) {
		t.Fatalf("reload of a bad file = %v, want a *FileError", err)
	}
	if !ana.Running() {
		t.Fatal("a rejected reload ended a session")
	}
	ana.Type(t, "q")
	if code := ana.Wait(t); code != 0 {
		t.Fatalf("ana's console exit status %d after q, want 0", code)
	}
}

func TestServerReusesHostKeyAndLeavesTheWorkingDirectoryAlone(t *testing.T) {
	dir := t.TempDir()
	reg, err := NewRegistry(dir + "/operators.toml")
	if err != nil {
		t.Fatal(err)
	}
	first, err := New(Config{HostKeyDir: dir, Operators: reg}, testHandler{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := New(Config{HostKeyDir: dir, Operators: reg}, testHandler{})
	if err != nil {
		t.Fatal(err)
	}
	if first.HostKeyFingerprint() != second.HostKeyFingerprint() {
		t.Fatalf("host key changed across restarts: %s then %s", first.HostKeyFingerprint(), second.HostKeyFingerprint())
	}
	if _, err := os.Stat("id_ed25519"); err == nil {
		t.Fatal("a host key was written to the working directory")
	}
}
