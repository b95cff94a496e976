package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// waitLimit bounds every wait for an event; it is a hang guard, never an
// expectation about speed.
const waitLimit = sshtest.WaitLimit

// testHandler serves a tiny console that shows who is connected, and a
// few commands.
type testHandler struct{}

func (testHandler) Console(ctx context.Context, op Operator, _ ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	m := testModel{op: op, held: &consoleHeld{}}
	// Like serve's console, release what the model holds once ctx ends,
	// without a lock: the program must be done with the model by then (the
	// race detector checks).
	go func() {
		<-ctx.Done()
		m.held.released = true
	}()
	return m, nil, nil
}

// consoleHeld stands for what a console holds for its session (an engine
// subscription, say), released when the console's context ends.
type consoleHeld struct{ released bool }

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
	held *consoleHeld
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
	text := fmt.Sprintf("hello %s (%s) keys=%d", m.op.Name, m.op.Role, m.keys)
	if m.held.released {
		text += " (drawn after its context ended)"
	}
	v := tea.NewView(text)
	v.AltScreen = true
	return v
}

// testServer is a server on 127.0.0.1:0 with named operators.
type testServer struct {
	srv      *Server
	addr     string
	dir      string
	opsPath  string
	keys     map[string]sshtest.Key
	log      *sshtest.Buffer
	serveErr chan error
}

type operatorSpec struct{ name, role string }

// startServer serves cfg (HostKeyDir and Operators filled in) with the
// given operators, and shuts it down at the end of the test.
func startServer(t *testing.T, cfg Config, ops ...operatorSpec) *testServer {
	t.Helper()
	return startServerWith(t, cfg, testHandler{}, ops...)
}

// startServerWith is startServer with another Handler.
func startServerWith(t *testing.T, cfg Config, h Handler, ops ...operatorSpec) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{dir: dir, opsPath: filepath.Join(dir, "operators.toml"), keys: map[string]sshtest.Key{},
		log: &sshtest.Buffer{}, serveErr: make(chan error, 1)}
	for _, o := range ops {
		k := sshtest.NewKey(t, o.name+"@test")
		if err := Add(ts.opsPath, o.name, o.role, k.Line); err != nil {
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
	ts.srv, err = New(cfg, h)
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
	return sshtest.Dial(ts.addr, ts.srv.HostKeyFingerprint(), user, auth...)
}

// dial connects as the named operator.
func (ts *testServer) dial(t *testing.T, name string) *gossh.Client {
	t.Helper()
	return sshtest.MustDial(t, ts.addr, ts.srv.HostKeyFingerprint(), name, ts.keys[name])
}

// wantAuthRefused fails the test unless dialing ended with the server
// refusing every authentication the client offered (rather than, say, a
// connection that never reached it).
func wantAuthRefused(t *testing.T, who string, c *gossh.Client, err error) {
	t.Helper()
	if err == nil {
		_ = c.Close()
		t.Fatalf("%s got in", who)
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("%s: dial failed with %v, want the authentication refused", who, err)
	}
}

// openConsole starts a console session on an 80×24 terminal.
func openConsole(t *testing.T, c *gossh.Client) *sshtest.Term {
	t.Helper()
	return sshtest.OpenTerm(t, c, 80, 24, true)
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
