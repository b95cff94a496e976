//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// Sizes of the full-disk test: a small tmpfs holds the data directory and
// the reserve is the smallest allowed, so the disk fills within seconds.
const (
	fullDiskSize    = 64 << 20
	fullDiskReserve = "16MB"
	fullDiskLeave   = 6 << 20 // below the reserve, room for the log
)

// TestFullDiskDegradesAndResumes runs the real `serve` against `shipdeck
// sim` with its data directory on a 64 MB tmpfs and fills that disk while
// the worker pushes: first to 6 MB free (below the 16 MB reserve: the
// worker degrades and says so in its log), then to nothing at all (Badger
// used to die of SIGBUS here). It frees the disk (the worker resumes by
// itself), fills it again and stops serve (it must exit cleanly within the
// 15 s bound), restarts it on the full disk (refused with the message, no
// crash), frees it, drains, and checks the simulator's counters: nothing
// lost, nothing pushed twice.
//
// Mounting needs root, as CI runs; elsewhere it skips saying so.
func TestFullDiskDegradesAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("the full-disk test runs the real binary on a tmpfs for about half a minute; skipped in -short mode")
	}
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk")
	if err := os.Mkdir(disk, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", disk, "tmpfs", 0, fmt.Sprintf("size=%d", fullDiskSize)); err != nil {
		t.Skipf("cannot mount a tmpfs for the full-disk test (needs root, as CI runs): %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(disk, unix.MNT_DETACH) })
	data := filepath.Join(disk, "data")
	filler := filepath.Join(disk, "filler")

	bin := buildBinary(t)
	s := startCrashSim(t, bin, dir, 11, 5000)
	appendConfig(t, s.config, "\n[store]\nmin_free = \""+fullDiskReserve+"\"\n")
	// serve is headless: its log is its stderr (for journald).

	// Phase 1: serve pushes; the disk drops below the reserve.
	srv := startServe(t, bin, s, data, 0)
	waitUntil(t, 60*time.Second, "the worker pushes a first order", func() bool {
		n, _ := s.pushes()
		if srv.exited() {
			t.Fatalf("serve exited: %v\n%s", srv.wait(), srv.output())
		}
		return n > 0
	})
	fill(t, filler, fullDiskLeave)
	free := freeBytes(t, disk)
	said := regexp.MustCompile(`disk almost full: (\d+) MB free on ` + regexp.QuoteMeta(data))
	var logged []string
	waitUntil(t, 10*time.Second, "the log says "+said.String(), func() bool {
		logged = said.FindStringSubmatch(srv.output())
		return logged != nil
	})
	// The watcher notices on the filler's way down: between the reserve
	// and what is left.
	if n, _ := strconv.ParseUint(logged[1], 10, 64); n >= 16 || n < free>>20 {
		t.Errorf("the log says %q; the reserve is 16 MB and %d MB are left", logged[0], free>>20)
	}
	time.Sleep(time.Second) // pushes claimed before the reading finish
	held, _ := s.pushes()
	time.Sleep(2 * time.Second)
	if n, _ := s.pushes(); n != held {
		t.Errorf("the degraded worker pushed %d more orders below the reserve", n-held)
	}
	t.Logf("below the reserve: %q, then %d MB free; worker degraded after %d pushes", logged[0], free>>20, held)

	// Phase 2: nothing left at all.
	fill(t, filler, 0)
	t.Logf("disk full: %d KB free", freeBytes(t, disk)>>10)
	time.Sleep(3 * time.Second)
	if srv.exited() {
		t.Fatalf("serve died on a full disk: %v\n%s", srv.wait(), srv.output())
	}

	// Phase 3: space returns; the worker resumes by itself.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the log says the worker resumed", func() bool { return strings.Contains(srv.output(), "worker resumed: disk space is back") })

	// Phase 4: full again, then stop: a clean exit within the bound.
	fill(t, filler, 0)
	time.Sleep(1500 * time.Millisecond)
	took, err := srv.stop()
	if err != nil {
		t.Fatalf("serve stopped on a full disk with %v after %v\n%s", err, took, srv.output())
	}
	if took > shutdownBound {
		t.Errorf("serve took %v to stop on a full disk; the bound is %v", took, shutdownBound)
	}
	t.Logf("stopped on a full disk: exit 0 after %v", took.Round(time.Millisecond))

	// Phase 5: a restart on the full disk refuses with the reason.
	out, err := crashCommand(bin, s.env, "serve", "--config", s.config, "--data", data, "--listen", "127.0.0.1:0")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Errorf("serve on a full disk: %v, want exit %d\n%s", err, exitError, out)
	}
	if !strings.Contains(out, "disk almost full: 0 MB free on "+data) || strings.Contains(out, "goroutine") || strings.Contains(out, "SIGBUS") {
		t.Errorf("serve on a full disk should refuse with the reason, printed:\n%s", out)
	}

	// Phase 6: free it, drain, and compare with the simulator.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	srv = startServe(t, bin, s, data, 0)
	took, err = srv.stop()
	if err != nil || took > shutdownBound {
		t.Errorf("serve stopped with %v after %v\n%s", err, took, srv.output())
	}
	t.Logf("restarted after space returned, stopped: exit 0 after %v", took.Round(time.Millisecond))
	once := []string{"sync", "--once", "--rounds", "5", "--config", s.config, "--data", data}
	for range 2 {
		if out, err := crashCommand(bin, s.env, once...); err != nil {
			t.Fatalf("drain: %v\n%s", err, out)
		}
	}
	before := s.counters(t)
	time.Sleep(1100 * time.Millisecond)
	if out, err := crashCommand(bin, s.env, once...); err != nil {
		t.Fatalf("drain: %v\n%s", err, out)
	}
	after := s.counters(t)
	checkCrashInvariants(t, before, after, crashStoredOrders(t, bin, s, data), 5000)
}

// served is a running `shipdeck serve`.
type served struct {
	cmd  *exec.Cmd
	out  *sshtest.Buffer
	done chan error
	err  error
}

// startServe starts serve on data and waits until it is ready; fdLimit,
// if not zero, caps its open files (ulimit -n).
func startServe(t *testing.T, bin string, s *crashSim, data string, fdLimit int) *served {
	t.Helper()
	out := &sshtest.Buffer{}
	args := []string{"serve", "--config", s.config, "--data", data, "--listen", "127.0.0.1:0"}
	cmd := exec.Command(bin, args...)
	if fdLimit > 0 {
		cmd = exec.Command("/bin/sh", append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, fdLimit), bin}, args...)...)
	}
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sv := &served{cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { sv.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if !sv.exited() {
			_ = cmd.Process.Kill()
			sv.wait()
		}
	})
	// Ready once it prints the host key (its signal handlers are set).
	waitUntil(t, 30*time.Second, "serve starts", func() bool {
		if sv.exited() {
			t.Fatalf("serve exited at start: %v\n%s", sv.wait(), out)
		}
		return strings.Contains(out.String(), "host key ")
	})
	return sv
}

// exited reports whether the process has ended, without waiting.
func (sv *served) exited() bool {
	select {
	case err := <-sv.done:
		sv.err = err
		sv.done = nil
		return true
	default:
		return sv.done == nil
	}
}

func (sv *served) wait() error {
	if sv.done != nil {
		sv.err = <-sv.done
		sv.done = nil
	}
	return sv.err
}

// stop sends SIGTERM and waits (at most twice the bound) for the exit.
func (sv *served) stop() (time.Duration, error) {
	start := time.Now()
	if err := sv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-sv.done:
		sv.err, sv.done = err, nil
		return time.Since(start), err
	case <-time.After(2 * shutdownBound):
		_ = sv.cmd.Process.Kill()
		return time.Since(start), fmt.Errorf("still running after %v", 2*shutdownBound)
	}
}

// output is what serve printed.
func (sv *served) output() string { return sv.out.String() }

// fill grows the filler file until the filesystem has at most leave bytes
// free (0: until writes fail for lack of space).
func fill(t *testing.T, path string, leave uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		free := freeBytes(t, filepath.Dir(path))
		if leave > 0 && free <= leave {
			return
		}
		n := uint64(len(chunk))
		if leave > 0 {
			n = min(n, free-leave)
		}
		if _, err := f.Write(chunk[:n]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatalf("fill %s: %v", path, err)
		}
	}
}

func freeBytes(t *testing.T, dir string) uint64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Bavail * uint64(st.Bsize)
}

func appendConfig(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
