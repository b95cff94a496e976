//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// Sizes of the webhook flood: serve gets 1,024 file descriptors and 2,000
// connections are held open on its webhook port.
const (
	floodFDs   = 1024
	floodConns = 2000
	floodCap   = 256 // [webhook] max_connections by default
)

// TestWebhookFloodKeepsSSHWorking holds 2,000 connections open on the
// webhook port of a serve limited to 1,024 file descriptors. With the
// default cap of 256, 256 are held, the rest are closed at once, a line
// in the log says so (rate-limited), and SSH commands still run. Without
// a cap (the control case: max_connections far above the limit) the
// descriptors run out, SSH stalls, and the accept errors are in the log,
// not on stderr; once the flood ends SSH works again.
func TestWebhookFloodKeepsSSHWorking(t *testing.T) {
	if testing.Short() {
		t.Skip("the webhook flood runs the real binary twice; skipped in -short mode")
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < floodConns+512 {
		t.Skipf("the webhook flood holds %d connections; this test process may open only %d files", floodConns, lim.Cur)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	s := startCrashSim(t, bin, dir, 5, 5000)
	key := sshtest.NewKey(t, "ana")
	keyFile := filepath.Join(dir, "ana.pub")
	if err := os.WriteFile(keyFile, []byte(key.Line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		max    int
		capped bool
	}{
		{name: "capped", max: floodCap, capped: true},
		{name: "uncapped control", max: 100000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if out, err := crashCommand(bin, s.env, "keys", "add", "ana", "operator", keyFile, "--data", data); err != nil {
				t.Fatalf("keys add: %v\n%s", err, out)
			}
			hook := "127.0.0.1:" + freePort(t)
			config := filepath.Join(dir, tc.name+".toml")
			base, err := os.ReadFile(s.config)
			if err != nil {
				t.Fatal(err)
			}
			// A long read timeout keeps held connections open for the
			// whole test, so what closes them is the cap alone.
			extra := fmt.Sprintf("\n[webhook]\nlisten = %q\nmax_connections = %d\nread_timeout = \"5m\"\n", hook, tc.max)
			if err := os.WriteFile(config, append(base, extra...), 0o600); err != nil {
				t.Fatal(err)
			}
			srv := startServe(t, bin, &crashSim{url: s.url, env: s.env, config: config}, data, floodFDs)
			addr, fp := sshAddress(t, srv.output())
			if _, code, err := sshCommand(addr, fp, key, "quota --json", 10*time.Second); err != nil || code != 0 {
				t.Fatalf("ssh before the flood: exit %d, %v", code, err)
			}

			conns := holdConnections(t, hook, floodConns)
			// Held connections stay open for the 5-minute read timeout, so a
			// long window only gives a loaded machine time to close the
			// refused ones; it never turns a refusal into a hold.
			held, refused := classify(conns, classifyWindow)
			t.Logf("%s: %d connections opened, %d still open after %s, %d closed by serve", tc.name, len(conns), held, classifyWindow, refused)
			// serve is headless: its log is its stderr.
			log := []byte(srv.output())

			if tc.capped {
				if held != floodCap || refused != len(conns)-floodCap {
					t.Errorf("serve kept %d and closed %d; want %d kept, %d closed", held, refused, floodCap, len(conns)-floodCap)
				}
				out, code, err := sshCommand(addr, fp, key, "orders --state dead --json", 10*time.Second)
				if err != nil || code != 0 {
					t.Errorf("ssh during the flood: exit %d, %v (%q)", code, err, out)
				}
				lines := regexp.MustCompile(`webhook: connection refused: too many open`).FindAll(log, -1)
				// [log] burst: 20 lines of one message a minute, then a count.
				if len(lines) == 0 || len(lines) > 20 {
					t.Errorf("%d refusal lines in the log, want 1 to 20 (the log's burst)", len(lines))
				}
				t.Logf("ssh during the flood: exit 0; %d refusal line(s) logged for %d refusals", len(lines), refused)
			} else {
				_, _, err := sshCommand(addr, fp, key, "quota --json", 3*time.Second)
				if err == nil {
					t.Errorf("ssh worked with %d connections held and no cap: the control case shows nothing", len(conns))
				}
				log = []byte(srv.output())
				accepts := regexp.MustCompile(`accept failed; retrying.*too many open files`).FindAll(log, -1)
				if len(accepts) == 0 {
					t.Errorf("the log has no accept error naming the cause:\n%s", tail(log, 2000))
				}
				t.Logf("ssh during the flood: %v; %d accept-error line(s) logged", err, len(accepts))
			}
			for _, c := range conns {
				c.Close()
			}
			if _, code, err := sshCommand(addr, fp, key, "quota --json", 20*time.Second); err != nil || code != 0 {
				t.Errorf("ssh after the flood: exit %d, %v", code, err)
			}
			if took, err := srv.stop(); err != nil {
				t.Errorf("serve stopped with %v after %v\n%s", err, took, srv.output())
			}
			// Accept errors go through slog (its text lines), never as
			// net/http's or the SSH library's own lines.
			if strings.Contains(srv.output(), "http: Accept error") {
				t.Errorf("net/http printed its own accept errors:\n%s", tail([]byte(srv.output()), 2000))
			}
		})
	}
}

// sshAddress reads the SSH address and host key fingerprint serve printed.
func sshAddress(t *testing.T, out string) (addr, fp string) {
	t.Helper()
	m := regexp.MustCompile(`over SSH on (\S+)\nhost key (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("serve printed no address and host key:\n%s", out)
	}
	return m[1], m[2]
}

// sshCommand runs one command over SSH, giving up (with an error) when the
// connection, handshake and command together take longer than within.
func sshCommand(addr, fp string, key sshtest.Key, cmd string, within time.Duration) (string, int, error) {
	conn, err := net.DialTimeout("tcp", addr, within)
	if err != nil {
		return "", 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(within))
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{
		User: "ana", Auth: []gossh.AuthMethod{gossh.PublicKeys(key.Signer)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(k); got != fp {
				return fmt.Errorf("host key %s, want %s", got, fp)
			}
			return nil
		},
	})
	if err != nil {
		return "", 0, fmt.Errorf("ssh handshake: %w", err)
	}
	client := gossh.NewClient(cc, chans, reqs)
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return "", 0, err
	}
	defer sess.Close()
	out, err := sess.CombinedOutput(cmd)
	code, ok := sshtest.ExitStatus(err)
	if !ok {
		return string(out), 0, err
	}
	return string(out), code, nil
}

// holdConnections opens n TCP connections to addr and keeps them open.
func holdConnections(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", len(conns)+1, n, err)
		}
		conns = append(conns, c)
	}
	return conns
}

// classifyWindow is how long classify waits for serve to close a
// connection.
const classifyWindow = 8 * time.Second

// classify waits up to within on each connection for the server to close
// it: those still open then are held by serve, the others were refused.
func classify(conns []net.Conn, within time.Duration) (held, refused int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(within)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(deadline)
			_, err := c.Read(make([]byte, 1))
			var ne net.Error
			timedOut := errors.As(err, &ne) && ne.Timeout()
			mu.Lock()
			defer mu.Unlock()
			if timedOut {
				held++
			} else {
				refused++
			}
		}()
	}
	wg.Wait()
	return held, refused
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
