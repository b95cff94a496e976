package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
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
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		for _, o := range orders {
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
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
