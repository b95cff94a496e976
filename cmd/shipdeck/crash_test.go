package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// Crash-loop flags: `go test ./cmd/shipdeck -run TestCrashLoop
// -crash.kills=300` runs the long loop; -crash.seed replays one.
var (
	crashKills  = flag.Int("crash.kills", 40, "crash loop: how many times the worker is killed with SIGKILL")
	crashSeed   = flag.Uint64("crash.seed", 0, "crash loop: seed for the kill times (0: a fresh one, printed)")
	crashWorker = flag.String("crash.worker", "serve", "crash loop: resident worker command: serve or sync")
)

// Bounds of one worker run before SIGKILL.
const (
	crashMinRun = 50 * time.Millisecond
	crashMaxRun = 800 * time.Millisecond
)

// crashSim is a `shipdeck sim` child process and what it printed.
type crashSim struct {
	url    string   // marketplace base URL, which also serves /_sim/counters
	env    []string // K=V secrets for the config
	config string   // path of the config file written from its output
}

// TestCrashLoop kills the real worker with SIGKILL at random moments, over
// and over, against the simulator in its own process, then lets it drain
// and checks the simulator's own counters: no order created twice at a
// 3PL, no package shipped twice on TikTok, every order stored, the store
// opened on every restart, and TikTok's daily quota never exceeded.
//
// The simulator runs at real speed: the worker stamps TikTok requests with
// the host clock, and an accelerated simulator refuses them as stale after
// half a second of real time (TikTok's 5-minute timestamp window).
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash loop runs the real binary for about half a minute; skipped in -short mode")
	}
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("crash loop: %d kills, seed %d (replay with -crash.seed=%d)", *crashKills, seed, seed)
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// The budget must allow a poll per `sync --once` run (a poll killed
	// half-way is paid again) plus the drain, so the check is that the
	// worker never overspends it, not that it copes with running out.
	budget := 1000 + 10**crashKills
	s := startCrashSim(t, bin, dir, int64(seed%1_000_000)+1, budget)
	s.slowPushes(t, seed)

	worker := crashWorkerCommand(t, s, data)
	t.Logf("worker command: shipdeck %s", strings.Join(worker, " "))
	once := []string{"sync", "--once", "--rounds", "5", "--config", s.config, "--data", data}

	var caught, inPush, finished int
	for i := range *crashKills {
		// Half the runs are full cycles that poll at once (the resident
		// worker waits a poll interval after start, longer than a run),
		// half are the resident worker resuming what is stored.
		args := worker
		if rnd.IntN(2) == 0 {
			args = once
		}
		// Every run dies at a random moment; half of them earlier, as soon
		// as the 3PLs have seen a few pushes, which aims the kill into the
		// window between a push and its commit.
		life := crashMinRun + time.Duration(rnd.Int64N(int64(crashMaxRun-crashMinRun)))
		afterPushes := 0
		if rnd.IntN(2) == 0 {
			afterPushes = 1 + rnd.IntN(8)
		}
		res := crashRunAndKill(t, bin, s.env, args, life, s.pushWatch(afterPushes))
		switch {
		case res.killed:
			caught++
			if res.byPushes {
				inPush++
			}
		case res.err == nil:
			finished++
		default:
			t.Fatalf("run %d (%s, kill after %s) failed on its own: %v\n%s", i+1, args[0], life, res.err, res.stderr)
		}
	}
	t.Logf("%d runs killed mid-way (%d of them right after a push reached a 3PL), %d finished before their kill", caught, inPush, finished)

	// Drain: full cycles until nothing is in flight, then one more after
	// noting how many orders the simulator has.
	for range 2 {
		if out, err := crashCommand(bin, s.env, once...); err != nil {
			t.Fatalf("drain: %v\n%s", err, out)
		}
	}
	before := s.counters(t)
	time.Sleep(1100 * time.Millisecond) // the next poll's window ends a second later
	if out, err := crashCommand(bin, s.env, once...); err != nil {
		t.Fatalf("drain: %v\n%s", err, out)
	}
	after := s.counters(t)

	stored := crashStoredOrders(t, bin, s, data)
	checkCrashInvariants(t, before, after, stored, budget)
}

// crashExportLine is a secret as `shipdeck sim` prints it.
var crashExportLine = regexp.MustCompile(`^(?:# )?export ([A-Z][A-Z0-9_]*)=(.*)$`)

// startCrashSim starts `shipdeck sim` in its own process and reads its
// address, secrets and config from its output. t.Cleanup stops it.
func startCrashSim(t *testing.T, bin, dir string, seed int64, budget int) *crashSim {
	t.Helper()
	outPath := filepath.Join(dir, "sim.out")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	// A backlog from the last two hours (orders older than one hour are past
	// ON_HOLD and the buyer-remorse window, so they may be pushed), and new
	// orders every second or so.
	args := []string{"sim", "--listen", "127.0.0.1:0", "--speed", "1", "--seed", fmt.Sprint(seed),
		"--history", "2h", "--orders-per-day", "60000", "--quota", fmt.Sprint(budget), "--quiet"}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		out.Close()
	})

	// The config is printed in one write after the marker: wait for the
	// marker, then for the output to stop growing.
	const marker = "# ---- sim.toml ----"
	var text string
	deadline := time.Now().Add(15 * time.Second)
	for last := -1; ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(outPath)
		if strings.Contains(string(b), marker) && len(b) == last {
			text = string(b)
			break
		}
		last = len(b)
		if time.Now().After(deadline) {
			t.Fatalf("shipdeck sim printed no config within 15 s:\n%s", b)
		}
	}
	head, config, _ := strings.Cut(text, marker)
	s := &crashSim{config: filepath.Join(dir, "sim.toml")}
	if err := os.WriteFile(s.config, []byte(strings.TrimLeft(config, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := crashExportLine.FindStringSubmatch(line); m != nil {
			s.env = append(s.env, m[1]+"="+m[2])
		}
		if _, url, ok := strings.Cut(line, "TikTok Shop at "); ok && s.url == "" {
			s.url = strings.TrimSpace(url)
		}
	}
	if s.url == "" || len(s.env) == 0 {
		t.Fatalf("could not read the simulator's address and secrets from its output:\n%s", head)
	}
	return s
}

// slowPushes puts a loopback proxy between the worker and the simulated
// 3PLs that answers each push (POST) 20–80 ms after the 3PL has acted on
// it, and rewrites the config to use it. The quiet simulator answers in
// microseconds, so without it a kill would almost never land between a
// push reaching the 3PL and its outcome being committed.
func (s *crashSim) slowPushes(t *testing.T, seed uint64) {
	t.Helper()
	var mu gosync.Mutex
	rnd := rand.New(rand.NewPCG(seed, 0x7f4a7c15))
	client := &http.Client{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the worker was killed mid-request
		}
		req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, s.url+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		reply, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if r.Method == http.MethodPost {
			mu.Lock()
			d := time.Duration(20+rnd.IntN(61)) * time.Millisecond
			mu.Unlock()
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(reply)
	}))
	t.Cleanup(func() {
		proxy.CloseClientConnections()
		proxy.Close()
		client.CloseIdleConnections()
	})
	b, err := os.ReadFile(s.config)
	if err != nil {
		t.Fatal(err)
	}
	config := strings.ReplaceAll(string(b), `"`+s.url+`/carriers/`, `"`+proxy.URL+`/carriers/`)
	if config == string(b) {
		t.Fatalf("the simulator's config names no carrier endpoint under %s/carriers/", s.url)
	}
	if err := os.WriteFile(s.config, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// fetchCounters reads GET /_sim/counters.
func (s *crashSim) fetchCounters() (sim.Counters, error) {
	var c sim.Counters
	resp, err := http.Get(s.url + "/_sim/counters")
	if err != nil {
		return c, fmt.Errorf("read simulator counters: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return c, fmt.Errorf("decode simulator counters: %w", err)
	}
	return c, nil
}

// counters reads the simulator's counters, failing the test if it cannot.
func (s *crashSim) counters(t *testing.T) sim.Counters {
	t.Helper()
	c, err := s.fetchCounters()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pushes is how many push requests the 3PLs have received so far.
func (s *crashSim) pushes() (int, error) {
	c, err := s.fetchCounters()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, cc := range c.Carriers {
		n += cc.Requests["create"] + cc.Requests["createorder"]
	}
	return n, nil
}

// pushWatch returns a trigger that fires once the 3PLs have received n
// more pushes than when it was armed, or nil for n = 0.
func (s *crashSim) pushWatch(n int) func(stop <-chan struct{}) <-chan struct{} {
	if n == 0 {
		return nil
	}
	return func(stop <-chan struct{}) <-chan struct{} {
		fired := make(chan struct{})
		base, err := s.pushes()
		if err != nil {
			return fired // never fires; the timer kills
		}
		go func() {
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if got, err := s.pushes(); err == nil && got-base >= n {
					close(fired)
					return
				}
			}
		}()
		return fired
	}
}

// crashWorkerCommand is the resident worker command -crash.worker names:
// serve (worker plus SSH server, what a fulfillment box runs) or sync.
func crashWorkerCommand(t *testing.T, s *crashSim, data string) []string {
	t.Helper()
	switch *crashWorker {
	case "serve":
		return []string{"serve", "--config", s.config, "--data", data, "--listen", "127.0.0.1:0"}
	case "sync":
		return []string{"sync", "--config", s.config, "--data", data}
	}
	t.Fatalf("-crash.worker=%q: want serve or sync", *crashWorker)
	return nil
}

// crashRunResult is how one worker run ended.
type crashRunResult struct {
	killed   bool // still running at its kill time, then killed
	byPushes bool // killed by the push trigger rather than the timer
	err      error
	stderr   string
}

// crashRunAndKill runs the binary and SIGKILLs it after life, or earlier when
// the trigger (if any) fires, unless it ended first.
func crashRunAndKill(t *testing.T, bin string, env, args []string, life time.Duration,
	trigger func(stop <-chan struct{}) <-chan struct{}) crashRunResult {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop := make(chan struct{})
	defer close(stop)
	var fired <-chan struct{}
	if trigger != nil {
		fired = trigger(stop)
	}
	timer := time.NewTimer(life)
	defer timer.Stop()
	byPushes := false
	select {
	case err := <-done:
		return crashRunResult{err: err, stderr: stderr.String()}
	case <-timer.C:
	case <-fired:
		byPushes = true
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("SIGKILL the worker: %v", err)
	}
	err := <-done
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return crashRunResult{killed: true, byPushes: byPushes, stderr: stderr.String()}
		}
	}
	// It ended on its own between the timer and the kill.
	return crashRunResult{err: err, stderr: stderr.String()}
}

// crashCommand runs one command to completion (at most a minute).
func crashCommand(bin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// crashStoredOrders lists every stored order, state by state, through the CLI.
func crashStoredOrders(t *testing.T, bin string, s *crashSim, data string) map[string]store.Order {
	t.Helper()
	all := map[string]store.Order{}
	for _, st := range store.States() {
		out, err := crashCommand(bin, s.env, "orders", "--state", string(st), "--json", "--limit", "100000", "--config", s.config, "--data", data)
		if err != nil {
			t.Fatalf("shipdeck orders --state %s: %v\n%s", st, err, out)
		}
		var orders []store.Order
		if err := json.Unmarshal([]byte(out), &orders); err != nil {
			t.Fatalf("shipdeck orders --state %s printed no JSON list: %v\n%s", st, err, crashFirstLine(out))
		}
		for _, o := range orders {
			if prev, dup := all[o.ID]; dup {
				t.Errorf("order %s is listed as both %s and %s", o.ID, prev.State, o.State)
			}
			all[o.ID] = o
		}
	}
	return all
}

// checkCrashInvariants compares the store with the simulator's counters.
// before and after bracket the last poll.
func checkCrashInvariants(t *testing.T, before, after sim.Counters, stored map[string]store.Order, budget int) {
	t.Helper()
	at := map[string][]string{}
	creates, lookups, replays, handKeyed := 0, 0, 0, 0
	perCarrier := map[string]int{}
	for name, cc := range after.Carriers {
		if n := cc.Creates(); n > 0 {
			perCarrier[name] = n
		}
		if d := cc.DuplicateCreates(); len(d) > 0 {
			t.Errorf("carrier %s created %d orders more than once: %v", name, len(d), d)
		}
		// The REST 3PLs refuse a second order with the same external id,
		// so a resend under a new key (or the same key with another body)
		// shows up here rather than as a duplicate.
		if cc.DuplicateExternalIDs > 0 || cc.IdempotencyMismatches > 0 {
			t.Errorf("carrier %s refused %d pushes of an order it already had under another key and %d reuses of a key for another body",
				name, cc.DuplicateExternalIDs, cc.IdempotencyMismatches)
		}
		for id := range cc.CreatesByExternalID {
			at[id] = append(at[id], name)
		}
		creates += cc.Creates()
		lookups += cc.Requests["lookup"]
		replays += cc.Replays
		handKeyed += cc.HandKeyedRefusals
	}
	for id, carriers := range at {
		if len(carriers) > 1 {
			t.Errorf("order %s was created at %v", id, carriers)
		}
		o, ok := stored[id]
		switch {
		case !ok:
			t.Errorf("order %s exists at %s but not in the store", id, carriers[0])
		case o.State == store.StatePushing || o.State == store.StateUnknown || o.State == store.StateQueued || o.State == store.StateReady:
			t.Errorf("order %s exists at %s but is still %s after the drain (%s)", id, carriers[0], o.State, o.Reason)
		}
	}
	for pkg, n := range after.Marketplace.ShipsByPackage {
		if n > 1 {
			t.Errorf("package %s shipped %d times on TikTok", pkg, n)
		}
	}
	m := after.Marketplace
	if m.QuotaExhausted != 0 {
		t.Errorf("TikTok refused %d calls for the daily quota of %d: the worker overspent its budget", m.QuotaExhausted, budget)
	}
	if m.QuotaUsed > budget {
		t.Errorf("TikTok counted %d calls today, above the budget of %d", m.QuotaUsed, budget)
	}
	if m.TimestampRejects+m.SignatureRejects+m.TokenRejects != 0 {
		t.Errorf("TikTok refused requests: %d timestamp, %d signature, %d token", m.TimestampRejects, m.SignatureRejects, m.TokenRejects)
	}
	// Every order TikTok had before the last poll is stored; none is
	// stored that TikTok never had.
	if n := len(stored); n < before.Marketplace.OrdersCreated || n > after.Marketplace.OrdersCreated {
		t.Errorf("%d orders stored; TikTok had %d before the last poll and %d after", n, before.Marketplace.OrdersCreated, after.Marketplace.OrdersCreated)
	}
	if creates == 0 {
		t.Error("no order reached a carrier: the loop proves nothing")
	}
	counts := map[store.State]int{}
	for _, o := range stored {
		counts[o.State]++
	}
	for _, st := range []store.State{store.StatePushing, store.StateUnknown, store.StateQueued, store.StateReady} {
		if counts[st] > 0 {
			t.Errorf("%d orders still %s after the drain, e.g. %s", counts[st], st, crashExamples(stored, st, 3))
		}
	}
	if counts[store.StateFailed]+counts[store.StateDead] > 0 {
		t.Logf("failed or dead after the drain (retries may still be due): %s %s",
			crashExamples(stored, store.StateFailed, 3), crashExamples(stored, store.StateDead, 3))
	}
	t.Logf("stored %d orders %v; %d created at 3PLs %v, %d lookups resolving interrupted pushes, %d idempotent replays, %d pushes meeting an order keyed in by hand; "+
		"TikTok calls %v, quota used %d of %d, %d package write-backs",
		len(stored), counts, creates, perCarrier, lookups, replays, handKeyed, m.Calls, m.QuotaUsed, budget, len(m.ShipsByPackage))
}

// crashExamples describes up to n stored orders in state st.
func crashExamples(stored map[string]store.Order, st store.State, n int) string {
	var out []string
	for _, o := range stored {
		if o.State == st && len(out) < n {
			out = append(out, fmt.Sprintf("%s %s at %s attempts %d: %q", o.ID, o.State, o.Carrier(), o.Attempts, o.Reason))
		}
	}
	return strings.Join(out, "; ")
}

// crashFirstLine is s up to its first newline.
func crashFirstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
