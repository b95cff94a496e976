package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/sync/sim"
)

// simConfig starts a simulator on the wall clock (the in-process CLI signs
// with the real time), writes its config (edit may change it) and sets its
// secrets in the environment; it returns the global flags.
func simConfig(t *testing.T, o sim.Options, edit func(string) string) (*sim.Sim, []string) {
	t.Helper()
	o.Clock = sim.WallClock()
	s, err := sim.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	cfg := s.ConfigTOML()
	if edit != nil {
		cfg = edit(cfg)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "shipdeck.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, []string{"--config", path, "--data", filepath.Join(dir, "data")}
}

// TestSyncOnceWaitsOutAShortRetryAfter: TikTok's 429 on the first search
// asks for a 1-second wait; `sync --once` waits it out, completes the
// cycle and exits 0.
func TestSyncOnceWaitsOutAShortRetryAfter(t *testing.T) {
	s, global := simConfig(t, sim.Options{Seed: 3, OrdersPerDay: 300, History: 3 * 3600e9, PerSecond: -1}, nil)
	s.InjectFault(sim.Fault{Endpoint: sim.EndpointSearch, Kind: sim.FaultRateLimited})
	out, errOut, code := runCLI(t, append([]string{"sync", "--once", "--json"}, global...)...)
	if code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, errOut)
	}
	var sum SyncSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	c := s.Counters().Marketplace
	if sum.OrdersSeen == 0 || sum.Pushed == 0 || c.RateLimited+c.InjectedFaults != 1 || c.Calls[sim.EndpointSearch] < 2 {
		t.Fatalf("summary %+v, %d searches, %d injected 429; want the poll retried after the wait and the cycle done", sum, c.Calls[sim.EndpointSearch], c.InjectedFaults)
	}
}

// TestSyncOnceFailsOnALongRetryAfter: TikTok's own daily budget runs out
// mid-cycle (shipdeck was told a larger one), its 429 asks to wait until
// the quota day resets; `sync --once` does not sleep for hours: it exits
// non-zero saying why and when to run again.
func TestSyncOnceFailsOnALongRetryAfter(t *testing.T) {
	_, global := simConfig(t, sim.Options{Seed: 3, OrdersPerDay: 300, History: 3 * 3600e9, PerSecond: -1, DailyLimit: 1},
		func(cfg string) string { return strings.Replace(cfg, "daily_limit = 1\n", "daily_limit = 500\n", 1) })
	_, errOut, code := runCLI(t, append([]string{"sync", "--once"}, global...)...)
	if code != exitError {
		t.Fatalf("exit %d, want %d: %s", code, exitError, errOut)
	}
	// What stopped, the wait TikTok asked for (capped at the backoff's 10
	// minutes), and when to run again.
	for _, want := range []string{"shipdeck: poll incomplete: TikTok rate limited shipdeck and asked it to wait 10m0s",
		"longer than sync --once waits (1m0s)", "run it again after"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not say %q", errOut, want)
		}
	}
}
