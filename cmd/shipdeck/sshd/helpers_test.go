package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"
)

// waitLimit bounds every wait for an event; it is a hang guard, never an
// expectation about speed.
const waitLimit = 15 * time.Second

// testKey is an operator's client key.
type testKey struct {
	signer gossh.Signer
	line   string // authorized_keys line
}

func newKey(t *testing.T, comment string) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + comment
	return testKey{signer: signer, line: line}
}

func (k testKey) fingerprint() string { return gossh.FingerprintSHA256(k.signer.PublicKey()) }

// testHandler serves a tiny console that shows who is connected, and a
// few commands.
type testHandler struct{}

func (testHandler) Console(_ context.Context, op Operator, _ ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	return testModel{op: op}, nil, nil
}

// Command understands: whoami, echo ARGS..., exit N, wait, panic.
func (testHandler) Command(ctx context.Context, op Operator, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch args[0] {
	case "whoami":
		fmt.Fprintf(stdout, "%s %s\n", op.Name, op.Role)
		return 0
	case "echo":
		fmt.Fprintf(stdout, "%s: %s\n", op.Role, strings.Join(args[1:], "|"))
		return 0
	case "exit":
		n, _ := strconv.Atoi(args[1])
		fmt.Fprintf(stderr, "exiting with %d\n", n)
		return n
	case "wait":
		fmt.Fprintln(stdout, "waiting")
		eof := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, stdin); close(eof) }()
		select {
		case <-eof:
			return 0
		case <-ctx.Done():
			return 2
		}
	case "panic":
		panic("test handler panic")
	}
	fmt.Fprintf(stderr, "unknown command %q\n", args[0])
	return 64
}

// testModel shows the operator and counts keys; q quits, ! panics.
type testModel struct {
	op   Operator
	keys int
}

func (m testModel) Init() tea.Cmd { return nil }

func (m testModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "q":
			return m, tea.Quit
		case "!":
			panic("test model panic")
		}
		m.keys++
	}
	return m, nil
}

func (m testModel) View() tea.View {
	v := tea.NewView(fmt.Sprintf("hello %s (%s) keys=%d", m.op.Name, m.op.Role, m.keys))
	v.AltScreen = true
	return v
}

// syncBuffer collects the server log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a server on 127.0.0.1:0 with named operators.
type testServer struct {
	srv      *Server
	addr     string
	dir      string
	opsPath  string
	keys     map[string]testKey
	log      *syncBuffer
	serveErr chan error
}

type operatorSpec struct{ name, role string }

// startServer serves cfg (HostKeyDir and Operators filled in) with the
// given operators, and shuts it down at the end of the test.
func startServer(t *testing.T, cfg Config, ops ...operatorSpec) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{dir: dir, opsPath: filepath.Join(dir, "operators.toml"), keys: map[string]testKey{},
		log: &syncBuffer{}, serveErr: make(chan error, 1)}
	for _, o := range ops {
		k := newKey(t, o.name+"@test")
		if err := Add(ts.opsPath, o.name, o.role, k.line); err != nil {
			t.Fatal(err)
		}
		ts.keys[o.name] = k
	}
	reg, err := NewRegistry(ts.opsPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HostKeyDir, cfg.Operators = dir, reg
	cfg.Logger = slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts.srv, err = New(cfg, testHandler{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	go func() { ts.serveErr <- ts.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = ts.srv.Shutdown(ctx)
		if err := <-ts.serveErr; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// dialAs connects with the given user name and auth methods, pinning the
// server's host key.
func (ts *testServer) dialAs(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	fp := ts.srv.HostKeyFingerprint()
	return gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: user, Auth: auth, Timeout: waitLimit,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if gossh.FingerprintSHA256(key) != fp {
				return errors.New("host key mismatch")
			}
			return nil
		},
	})
}

// dial connects as the named operator.
func (ts *testServer) dial(t *testing.T, name string) *gossh.Client {
	t.Helper()
	c, err := ts.dialAs(name, gossh.PublicKeys(ts.keys[name].signer))
	if err != nil {
		t.Fatalf("dial as %s: %v", name, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// run runs a command session and returns its output and exit status.
func run(t *testing.T, c *gossh.Client, cmd string) (stdout, stderr string, code int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Close() }()
	var o, e bytes.Buffer
	sess.Stdout, sess.Stderr = &o, &e
	err = sess.Run(cmd)
	var exit *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	default:
		t.Fatalf("run %q: %v (stderr %q)", cmd, err, e.String())
	}
	return o.String(), e.String(), code
}

// console is an interactive session with a PTY, its output rendered by a
// terminal emulator.
type console struct {
	sess   *gossh.Session
	stdin  io.WriteCloser
	screen *screen
	ended  chan error
}

func openConsole(t *testing.T, c *gossh.Client) *console {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
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
		t.Fatal(err)
	}
	con := &console{sess: sess, stdin: stdin, screen: newScreen(stdout, 80, 24), ended: make(chan error, 1)}
	go func() { con.ended <- sess.Wait() }()
	return con
}

func (c *console) typeText(t *testing.T, s string) {
	t.Helper()
	if _, err := c.stdin.Write([]byte(s)); err != nil {
		t.Fatalf("type %q: %v", s, err)
	}
}

// wait waits for the session to end and returns its exit status, after
// the last output has reached the screen.
func (c *console) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-c.ended:
		c.screen.drained(t)
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		default:
			t.Fatalf("console session: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("console session did not end; screen:\n%s", c.screen.text())
	}
	return -1
}

// isOpen reports whether the session is still running right now.
func (c *console) isOpen() bool {
	select {
	case err := <-c.ended:
		c.ended <- err
		return false
	default:
		return true
	}
}

// screen feeds a byte stream into a VT emulator, because the v2 renderer
// sends cell diffs, not whole lines.
type screen struct {
	mu   sync.Mutex
	emu  *vt.Emulator
	done chan struct{}
}

func newScreen(r io.Reader, w, h int) *screen {
	sc := &screen{emu: vt.NewEmulator(w, h), done: make(chan struct{})}
	// The emulator answers terminal queries through a pipe that must be
	// drained. It has no race-free Close, so this reader lives until the
	// test binary exits.
	go func() { _, _ = io.Copy(io.Discard, sc.emu) }()
	go func() {
		defer close(sc.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				sc.mu.Lock()
				_, _ = sc.emu.Write(buf[:n])
				sc.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return sc
}

func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.emu.String()
}

func (sc *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(sc.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q; it shows:\n%s", want, sc.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (sc *screen) drained(t *testing.T) {
	t.Helper()
	select {
	case <-sc.done:
	case <-time.After(waitLimit):
		t.Fatal("session output never ended")
	}
}

// eventually polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
