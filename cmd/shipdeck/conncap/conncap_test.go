package conncap

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/logging"
)

// TestCapRefusesOverflowAndFreesSlots: with a cap of 5, 40 held connections
// leave 5 open and 35 closed at once; closing the 5 lets new ones in.
func TestCapRefusesOverflowAndFreesSlots(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs sshtest.Buffer
	l := Wrap(raw, Config{Name: "webhook", Max: 5, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer l.Close()
	server := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			server <- c
		}
	}()
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := 0; i < 40; i++ {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	waitFor(t, func() bool { s := l.Stats(); return s.Accepted+s.Refused == 40 })
	if s := l.Stats(); s.Accepted != 5 || s.Refused != 35 || s.Open != 5 {
		t.Fatalf("stats %+v, want 5 accepted and open, 35 refused", s)
	}
	// A refused client finds its connection closed.
	closed := 0
	for _, c := range clients {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
			closed++
		}
	}
	if closed != 35 {
		t.Errorf("%d clients saw their connection closed, want 35", closed)
	}
	if got := strings.Count(logs.String(), "webhook: connection refused: too many open"); got != 35 {
		t.Errorf("%d refusal lines logged, want one per refusal (35):\n%s", got, logs.String())
	}
	for i := 0; i < 5; i++ {
		(<-server).Close()
	}
	if s := l.Stats(); s.Open != 0 {
		t.Fatalf("open %d after closing every accepted connection", s.Open)
	}
	c, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case sc := <-server:
		sc.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("a freed slot was not reused")
	}
}

// TestAcceptErrorsAreLoggedAndRetried: "too many open files" from accept
// is retried with a pause and logged through slog, never reaching the
// server loop; through the project's rate-limited handler a long run of
// them costs the burst and one count of the rest.
func TestAcceptErrorsAreLoggedAndRetried(t *testing.T) {
	var logs sshtest.Buffer
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	log, _, err := logging.New(&logs, logging.Options{Level: "info", Format: "text", Burst: 2, Window: time.Minute, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	f := &failingListener{fails: 4, err: &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}}
	l := Wrap(f, Config{Name: "webhook", Logger: log})
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("accept returned the retryable error: %v", err)
	}
	c.Close()
	if s := l.Stats(); s.AcceptErrors != 4 || s.Accepted != 1 {
		t.Errorf("stats %+v, want 4 accept errors then 1 accepted", s)
	}
	if got := strings.Count(logs.String(), "webhook: accept failed; retrying"); got != 2 {
		t.Errorf("%d accept-error lines, want the burst of 2:\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), "too many open files") {
		t.Errorf("log does not name the error:\n%s", logs.String())
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	f.fails = 1
	c, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !strings.Contains(logs.String(), "dropped=2") {
		t.Errorf("the 2 lines over the burst are not counted:\n%s", logs.String())
	}

	// A permanent error is returned as is.
	f.fails, f.err = 1, fmt.Errorf("listener broken")
	if _, err := l.Accept(); err == nil || err.Error() != "listener broken" {
		t.Errorf("permanent error: got %v", err)
	}
}

type failingListener struct {
	fails int
	err   error
}

func (f *failingListener) Accept() (net.Conn, error) {
	if f.fails > 0 {
		f.fails--
		return nil, f.err
	}
	a, b := net.Pipe()
	b.Close()
	return a, nil
}
func (f *failingListener) Close() error   { return nil }
func (f *failingListener) Addr() net.Addr { return &net.TCPAddr{} }

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
