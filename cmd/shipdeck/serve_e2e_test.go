package main

import (
	"bufio"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// writeKey writes an OpenSSH Ed25519 private key for the ssh client and
// returns its path and the authorized_keys line.
func writeKey(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	k := sshtest.NewKey(t, name)
	block, err := gossh.MarshalPrivateKey(k.Private, name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, k.Line
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func TestServeOverRealSSHInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("the OpenSSH client is not installed (.ci/run installs it): skipping")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): skipping")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	anaKey, anaPub := writeKey(t, dir, "ana")
	vicKey, vicPub := writeKey(t, dir, "vic")
	for _, k := range []struct{ name, role, pub string }{{"ana", "operator", anaPub}, {"vic", "viewer", vicPub}} {
		cmd := exec.Command(bin, "keys", "add", k.name, k.role, "-", "--data", data)
		cmd.Stdin = strings.NewReader(k.pub)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("keys add %s: %v\n%s", k.name, err, out)
		}
	}
	port := freePort(t)
	serve := exec.Command(bin, "serve", "--demo", "--data", data, "--listen", "127.0.0.1:"+port, "--speed", "120")
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	serve.Stderr = os.Stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	t.Cleanup(func() { _ = serve.Process.Kill() })
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "host key") {
			break
		}
	}
	go func() {
		for lines.Scan() { // keep draining so serve never blocks on stdout
		}
	}()

	sshArgs := func(key, user string) []string {
		return []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
			"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-i", key, "-p", port, user + "@127.0.0.1"}
	}
	run := func(key, user string, args ...string) (string, int) {
		cmd := exec.Command(sshBin, append(sshArgs(key, user), args...)...)
		b, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("ssh %v: %v", args, err)
		}
		return string(b), code
	}

	// The operator's console, through the real ssh client in tmux.
	tm := newTmux(t, 140, 45, sshBin+" -t "+strings.Join(sshArgs(anaKey, "ana"), " "))
	tm.waitFor(regexp.MustCompile(`DEMO`), 30*time.Second)
	tm.waitFor(regexp.MustCompile(`ana \(operator\)`), 5*time.Second)
	tm.keys("4")
	s := tm.waitFor(regexp.MustCompile(`▶(\d+) +flaky`), 60*time.Second)
	id := regexp.MustCompile(`▶(\d+) +flaky`).FindStringSubmatch(s)[1]

	// The viewer cannot retry; the refusal names the role.
	msg, code := run(vicKey, "admin", "retry", id)
	if code != exitForbidden || !strings.Contains(msg, "viewer") {
		t.Fatalf("viewer retry over ssh: exit %d, %q", code, msg)
	}
	tm.keys("r")
	tm.waitFor(regexp.MustCompile(`retried \d+|retry failed: `), 10*time.Second)

	// The audit trail names the operator, and the viewer sees it too.
	msg, code = run(vicKey, "vic", "audit", "--json")
	if code != 0 {
		t.Fatalf("audit: exit %d %s", code, msg)
	}
	var entries []struct{ Who, Action, OrderID string }
	if err := json.Unmarshal([]byte(msg), &entries); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, msg)
	}
	found := false
	for _, e := range entries {
		if e.Who == "ana" && e.Action == "retry" {
			found = true
		}
		if e.Who == "vic" {
			t.Errorf("the viewer's refused retry left an audit entry: %+v", e)
		}
	}
	if !found {
		t.Errorf("no retry by ana in the audit trail: %s", msg)
	}

	tm.keys("q")
	time.Sleep(500 * time.Millisecond)
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of SIGTERM")
	}
}
