package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// importOnlyConfig has two carriers and no TikTok app key, so read commands
// open the store without calling anyone.
const importOnlyConfig = `[shop]
name = "Read Test Shop"

[[carrier]]
name = "swift"
kind = "csv"
dir = "swift-drop"

[[carrier]]
name = "flaky"
kind = "csv"
dir = "flaky-drop"

[[route]]
carrier = "swift"
`

// readFixture writes a config and a store holding a few orders in varied
// states, carriers and error classes, and returns the global flags that
// open them.
func readFixture(t *testing.T) []string {
	t.Helper()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	put := func(id string, state store.State, carrier, class string) store.Order {
		o := store.Order{ID: id, Status: store.StatusAwaitingShipment, State: state, ErrorClass: class,
			CreateTime: now.Add(-time.Hour), RTSSLATime: now.Add(time.Duration(len(id)) * time.Hour),
			Recipient: store.Address{Name: "Buyer " + id, City: "Austin", Country: "US"},
			Push:      &store.Push{Carrier: carrier, Generation: 1, IdempotencyKey: id + "-" + carrier + "-1"}}
		return o
	}
	orders := []store.Order{
		put("F-FLAKY-RETRY", store.StateFailed, "flaky", "retryable"),
		put("D-FLAKY-RETRY", store.StateDead, "flaky", "retryable"),
		put("D-FLAKY-PERM", store.StateDead, "flaky", "permanent"),
		put("F-SWIFT-RETRY", store.StateFailed, "swift", "retryable"),
		put("Q-FLAKY", store.StateQueued, "flaky", ""),
	}
	return storeFixture(t, func(tx *store.Tx) error {
		for _, o := range orders {
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// storeFixture writes importOnlyConfig and a store filled by fill, and
// returns the global flags that open them.
func storeFixture(t *testing.T, fill func(tx *store.Tx) error) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "shipdeck.toml")
	if err := os.WriteFile(cfg, []byte(importOnlyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(context.Background(), fill)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--config", cfg, "--data", data}
}

// runCLI runs one command line in-process and returns its output and exit
// code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestOrdersTakesTheConsolesFilters(t *testing.T) {
	global := readFixture(t)
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"D-FLAKY-PERM", "D-FLAKY-RETRY", "F-FLAKY-RETRY", "F-SWIFT-RETRY"}},
		{[]string{"--state", "failed,dead", "--carrier", "flaky", "--class", "retryable"}, []string{"D-FLAKY-RETRY", "F-FLAKY-RETRY"}},
		{[]string{"--carrier", "flaky"}, []string{"D-FLAKY-PERM", "D-FLAKY-RETRY", "F-FLAKY-RETRY"}},
		{[]string{"--state", "queued"}, []string{"Q-FLAKY"}},
		{[]string{"--state", "Dead", "--class", "permanent"}, []string{"D-FLAKY-PERM"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, append(append([]string{"orders", "--json"}, tt.args...), global...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got []store.Order
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			var ids []string
			for _, o := range got {
				ids = append(ids, o.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Fatalf("orders %v = %v, want %v", tt.args, ids, tt.want)
			}
		})
	}
}

func TestFilterFlagsRefuseAStateThatDoesNotExist(t *testing.T) {
	global := readFixture(t)
	_, errOut, code := runCLI(t, append([]string{"orders", "--state", "failed,lost"}, global...)...)
	if code != exitUsage || !strings.Contains(errOut, `"lost" is not a state`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCLI(t, append([]string{"retry", "X-1", "--carrier", "flaky"}, global...)...)
	if code != exitUsage || !strings.Contains(errOut, "narrow --all") {
		t.Fatalf("retry with a filter and ids: exit %d, stderr %q", code, errOut)
	}
}

func TestRetryAllTakesTheStateFilter(t *testing.T) {
	global := readFixture(t)
	out, errOut, code := runCLI(t, append([]string{"retry", "--all", "--state", "dead", "--carrier", "flaky", "--class", "retryable"}, global...)...)
	if code != 0 || !strings.Contains(out, "retried 1 orders") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	out, _, _ = runCLI(t, append([]string{"orders", "--json", "--state", "queued"}, global...)...)
	if !strings.Contains(out, "D-FLAKY-RETRY") || strings.Contains(out, "D-FLAKY-PERM") {
		t.Fatalf("queued after retry --all:\n%s", out)
	}
}

// simFixture starts a quiet simulator with some history and writes the
// config it prints; the secrets go into the environment, as an operator
// exports them.
func simFixture(t *testing.T) []string {
	t.Helper()
	s, err := sim.Start(context.Background(), sim.Options{Seed: 11, OrdersPerDay: 400, History: 6 * time.Hour,
		Latency: 0, CarrierFaults: 0, DailyLimit: 5000, PerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sim.toml")
	if err := os.WriteFile(cfg, []byte(s.ConfigTOML()), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--config", cfg, "--data", filepath.Join(dir, "data")}
}

func TestSyncOncePrintsAPhaseLinePerStepAndAccountsForEveryOrder(t *testing.T) {
	global := simFixture(t)
	out, errOut, code := runCLI(t, append([]string{"sync", "--once"}, global...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var steps []string
	for _, l := range lines {
		steps = append(steps, strings.TrimSpace(l[:min(12, len(l))]))
	}
	want := []string{"recover", "poll", "push", "track", "write back"}
	if len(steps) < len(want)+1 || !slices.Equal(steps[:len(want)], want) {
		t.Fatalf("phase lines = %q, want %q first:\n%s", steps, want, out)
	}
	if !strings.Contains(lines[1], "orders seen") || !strings.Contains(lines[len(want)], "orders seen") {
		t.Fatalf("poll line or summary missing:\n%s", out)
	}
	// Off a terminal: no carriage-return frames anywhere.
	if strings.Contains(out, "\r") || strings.Contains(errOut, "\r") {
		t.Fatalf("carriage returns off a terminal:\nout %q\nerr %q", out, errOut)
	}

	// The JSON form carries the same phases and what still waits.
	out, errOut, code = runCLI(t, append([]string{"sync", "--once", "--json", "--rounds", "2"}, global...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum SyncSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var names []string
	for _, p := range sum.Phases {
		names = append(names, p.Name)
	}
	wantJSON := []string{"recover", "poll", "push 1/2", "track", "write back"}
	if len(names) < len(wantJSON) || !slices.Equal(names[:len(wantJSON)], wantJSON) {
		t.Fatalf("phases = %q", names)
	}
	if sum.Waiting == nil || len(sum.Waiting) != 6 {
		t.Fatalf("summary = %+v", sum)
	}
}

func TestJSONAndRoundsWithoutOnceAreUsageErrors(t *testing.T) {
	global := readFixture(t)
	for _, args := range [][]string{{"sync", "--json"}, {"sync", "--rounds", "3"}, {"sync", "--once", "--rounds", "0"}} {
		_, errOut, code := runCLI(t, append(args, global...)...)
		if code != exitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errOut, exitUsage)
		}
	}
}

func TestReadCommandsPrintJSON(t *testing.T) {
	global := readFixture(t)
	out, errOut, code := runCLI(t, append([]string{"route", "--dry-run", "--json"}, global...)...)
	if code != 0 {
		t.Fatalf("route: exit %d: %s", code, errOut)
	}
	var decisions []map[string]any
	if err := json.Unmarshal([]byte(out), &decisions); err != nil || len(decisions) == 0 {
		t.Fatalf("route --dry-run --json: %v\n%s", err, out)
	}
	if decisions[0]["order"] == "" || decisions[0]["text"] == "" {
		t.Fatalf("decision = %v", decisions[0])
	}

	out, errOut, code = runCLI(t, append([]string{"check", "--json"}, global...)...)
	if code != 0 {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	var rep CheckReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Carriers != 2 || rep.TikTok != "not configured" {
		t.Fatalf("check --json = %+v, %v\n%s", rep, err, out)
	}

	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	pub, err := gossh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "ana.pub")
	if err := os.WriteFile(keyFile, gossh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, append([]string{"keys", "add", "ana", "operator", keyFile}, global...)...); code != 0 {
		t.Fatalf("keys add: exit %d: %s", code, errOut)
	}
	out, errOut, code = runCLI(t, append([]string{"keys", "list", "--json"}, global...)...)
	if code != 0 {
		t.Fatalf("keys list: exit %d: %s", code, errOut)
	}
	var rows []operatorRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || rows[0].Name != "ana" || rows[0].Role != "operator" {
		t.Fatalf("keys list --json = %+v, %v\n%s", rows, err, out)
	}
}

func TestDisplayZoneLabelsCLITablesAndCSV(t *testing.T) {
	global := readFixture(t)
	cfg := global[1]
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(b, []byte("\n[console]\ntimezone = \"Europe/Berlin\"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, append([]string{"orders", "--state", "failed"}, global...)...)
	if code != 0 || !strings.Contains(out, " CET") {
		t.Fatalf("orders table in Berlin time: exit %d %s\n%s", code, errOut, out)
	}
	out, errOut, code = runCLI(t, append([]string{"export", "failed"}, global...)...)
	if code != 0 || !strings.Contains(out, "+01:00") || strings.Contains(out, "Z,") {
		t.Fatalf("CSV in Berlin time: exit %d %s\n%s", code, errOut, out)
	}

	// A zone that does not exist names the file, the line and the key.
	if err := os.WriteFile(cfg, append(b, []byte("\n[console]\ntimezone = \"Mars/Olympus\"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLI(t, append([]string{"orders"}, global...)...)
	if code == 0 || !strings.Contains(errOut, "console.timezone") || !strings.Contains(errOut, `"Mars/Olympus"`) ||
		!strings.Contains(errOut, cfg) {
		t.Fatalf("bad zone: exit %d, %s", code, errOut)
	}
}

func TestConsoleOptionsAreBuiltOnceForLocalAndSSHSessions(t *testing.T) {
	a := &app{cfg: &Config{Console: ConsoleConfig{Light: true, Mouse: true}, Keys: map[string][]string{"retry": {"t"}}}}
	plain := a.consoleOptions(store.Actor{Name: "ana"}, nil)
	noColor := a.consoleOptions(store.Actor{Name: "ana"}, []string{"NO_COLOR=1"})
	if plain.Theme.Options().NoColor || !noColor.Theme.Options().NoColor {
		t.Fatalf("NO_COLOR from the session's environment: plain %v, with NO_COLOR %v",
			plain.Theme.Options().NoColor, noColor.Theme.Options().NoColor)
	}
	if plain.Theme.Options().Dark || !plain.Mouse || plain.KeyMap["retry"][0] != "t" || plain.Actor.Name != "ana" {
		t.Fatalf("options = %+v", plain)
	}
}
