package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// buildBinary builds shipdeck into the test's temporary directory, or
// skips when it cannot be built here.
func buildBinary(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go tool is not on PATH: cannot build the shipdeck binary")
	}
	bin := filepath.Join(t.TempDir(), "shipdeck")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build the shipdeck binary: %v\n%s", err, out)
	}
	return bin
}

// tmux drives one detached tmux session on its own socket.
type tmux struct {
	t      *testing.T
	socket string
	name   string
}

func newTmux(t *testing.T, width, height int, command string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): skipping the end-to-end console test")
	}
	// The socket is per process and per test: other test binaries on the
	// machine run their own tmux servers at the same time.
	dir := t.TempDir()
	tm := &tmux{t: t, socket: "shipdeck-e2e-" + itoa(os.Getpid()) + "-" + filepath.Base(filepath.Dir(dir)), name: "e2e"}
	tm.run("new-session", "-d", "-s", tm.name, "-x", itoa(width), "-y", itoa(height), command)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func itoa(n int) string { return strconv.Itoa(n) }

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) screen() string {
	out, _ := exec.Command("tmux", "-L", tm.socket, "capture-pane", "-p", "-t", tm.name).CombinedOutput()
	return string(out)
}

// keys types keys, pausing after each so an Escape is not read together
// with the next key as alt+key.
func (tm *tmux) keys(keys ...string) {
	for _, k := range keys {
		tm.run("send-keys", "-t", tm.name, k)
		time.Sleep(120 * time.Millisecond)
	}
}

// waitFor polls the screen until re matches or the deadline passes.
func (tm *tmux) waitFor(re *regexp.Regexp, within time.Duration) string {
	tm.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := tm.screen()
		if re.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never matched %s; last screen:\n%s", re, s)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func TestConsoleEndToEndInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	// The shell writes shipdeck's exit status to this file when it exits.
	done := filepath.Join(t.TempDir(), "exited")
	tm := newTmux(t, 140, 45, bin+" --data "+data+" --speed 120; echo $? > "+done+"; sleep 60")

	tm.waitFor(regexp.MustCompile(`DEMO`), 20*time.Second)
	tm.waitFor(regexp.MustCompile(`Failed pushes`), 10*time.Second)
	// The flaky carrier produces failed pushes within seconds.
	tm.keys("4") // zoom the failed pane
	tm.waitFor(regexp.MustCompile(`▶\d+ +flaky`), 60*time.Second)
	tm.keys("r")
	s := tm.waitFor(regexp.MustCompile(`retried \d+|retry failed: `), 10*time.Second)
	if strings.Contains(s, "panic") || strings.Contains(s, "goroutine ") {
		t.Fatalf("the console showed a stack trace:\n%s", s)
	}
	tm.keys("Escape")
	tm.keys("/")
	tm.waitFor(regexp.MustCompile(`Search orders`), 5*time.Second)
	// Orders are found by carrier too, and the flaky carrier has some.
	tm.keys("flaky")
	tm.waitFor(regexp.MustCompile(`[1-9]\d* hits`), 10*time.Second)
	tm.keys("Escape")
	// A jump, then a filter on top of it, then esc clears it.
	tm.keys(":failed", "Enter")
	tm.waitFor(regexp.MustCompile(`Queues · state=failed`), 10*time.Second)
	tm.keys("c")
	tm.waitFor(regexp.MustCompile(`Show carrier`), 5*time.Second)
	tm.keys("flaky", "Enter")
	tm.waitFor(regexp.MustCompile(`Queues · carrier=flaky state=failed`), 10*time.Second)
	tm.keys("Escape")
	tm.waitFor(regexp.MustCompile(`─ 1 Queues ─`), 5*time.Second)
	// Drill down into the first carrier: its calls over its orders.
	tm.keys("3", "Enter")
	tm.waitFor(regexp.MustCompile(`Carrier \S+ — esc closes[\s\S]*Recent calls`), 10*time.Second)
	tm.keys("Escape")
	tm.waitFor(regexp.MustCompile(`Queues · carrier=\S+ state=queued`), 5*time.Second)
	tm.keys("Escape")
	tm.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(done)
		if status := strings.TrimSpace(string(b)); err == nil && status != "" {
			if status != "0" {
				t.Fatalf("shipdeck exited with status %s after q; screen:\n%s", status, tm.screen())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("shipdeck did not exit after q; screen:\n%s", tm.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(data, "shipdeck.log")); err != nil {
		t.Errorf("no log in the data directory: %v", err)
	}
	// The store was left whole: it opens again, with the demo's orders.
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatalf("the store does not open after the console quit: %v", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			t.Errorf("close the reopened store: %v", err)
		}
	}()
	counts, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, n := range counts.ByState {
		stored += int(n)
	}
	if stored == 0 {
		t.Error("the reopened store holds no orders")
	}
}
