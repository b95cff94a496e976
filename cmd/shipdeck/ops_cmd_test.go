package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// runCmd runs one command line in this process and returns its exit code
// and output.
func runCmd(args ...string) (int, string, string) {
	var out, errw strings.Builder
	code := run(context.Background(), args, strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

// noDiscovery keeps the test's own config files out of the way.
func noDiscovery(t *testing.T) {
	t.Setenv("SHIPDECK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

func TestVersionFromBuildInfo(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCmd(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, want := range []string{"shipdeck ", "go1.", "store key layout " + store.SchemaVersion()} {
			if !strings.Contains(out, want) {
				t.Errorf("%v printed %q, missing %q", args, out, want)
			}
		}
	}
}

func TestConfigDiscovery(t *testing.T) {
	xdg := t.TempDir()
	xdgFile := filepath.Join(xdg, "shipdeck", "config.toml")
	if err := os.MkdirAll(filepath.Dir(xdgFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xdgFile, []byte("# empty\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	homeFile := filepath.Join(home, ".config", "shipdeck", "config.toml")
	_ = os.MkdirAll(filepath.Dir(homeFile), 0o700)
	_ = os.WriteFile(homeFile, []byte("# empty\n"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"SHIPDECK_CONFIG first", map[string]string{"SHIPDECK_CONFIG": "/etc/shipdeck.toml", "XDG_CONFIG_HOME": xdg}, "/etc/shipdeck.toml"},
		{"then XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}, xdgFile},
		{"XDG default under HOME", map[string]string{"HOME": home}, homeFile},
		{"no file: none", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := discoverConfig(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Fatalf("discoverConfig = %q, want %q", got, tc.want)
			}
		})
	}
	// --config wins over the environment, and a discovered file is used.
	noDiscovery(t)
	t.Setenv("SHIPDECK_CONFIG", filepath.Join(t.TempDir(), "missing.toml"))
	if code, _, errOut := runCmd("check"); code != exitError || !strings.Contains(errOut, "missing.toml") {
		t.Fatalf("check with $SHIPDECK_CONFIG naming a missing file: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCmd("check", "--config", filepath.Join(t.TempDir(), "other.toml")); code != exitError || !strings.Contains(errOut, "other.toml") {
		t.Fatalf("--config did not win over $SHIPDECK_CONFIG: exit %d, %q", code, errOut)
	}
}

func TestServeWithoutConfigNeedsDemo(t *testing.T) {
	noDiscovery(t)
	code, _, errOut := runCmd("serve", "--data", t.TempDir())
	if code != exitUsage || !strings.Contains(errOut, "--demo") {
		t.Fatalf("serve without a config: exit %d, %q; want usage error naming --demo", code, errOut)
	}
}

// Commands that only read the store run without the shop's secrets;
// the worker still refuses without them, naming the variable.
func TestReadOnlyCommandsNeedNoSecrets(t *testing.T) {
	noDiscovery(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := sim.Start(ctx, sim.Options{Seed: 3, OrdersPerDay: -1, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "shop.toml")
	if err := os.WriteFile(cfg, []byte(s.ConfigTOML()), 0o600); err != nil {
		t.Fatal(err)
	}
	for k := range s.Env() {
		t.Setenv(k, "")
	}
	for _, args := range [][]string{{"orders"}, {"quota"}, {"audit"}, {"alerts"}, {"export", "all", "-o", filepath.Join(dir, "x.csv")}, {"backup", filepath.Join(dir, "b.backup")}} {
		if code, _, errOut := runCmd(append(args, "--config", cfg)...); code != exitOK {
			t.Errorf("%v without secrets: exit %d: %s", args, code, errOut)
		}
	}
	code, _, errOut := runCmd("sync", "--once", "--config", cfg)
	if code != exitError || !strings.Contains(errOut, "environment variable") {
		t.Fatalf("sync without secrets: exit %d, %q; want an error naming the variable", code, errOut)
	}
}

func TestBackupAndRestoreLocally(t *testing.T) {
	noDiscovery(t)
	src := t.TempDir()
	st, err := store.Open(src, store.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		for _, id := range []string{"B-1", "B-2", "B-3"} {
			if err := tx.PutOrder(store.Order{ID: id, State: store.StateQueued, Status: store.StatusAwaitingShipment, CreateTime: at, RTSSLATime: at.Add(24 * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// While a process holds the store, a local backup says to use SSH.
	file := filepath.Join(t.TempDir(), "shop.backup")
	if code, _, errOut := runCmd("backup", file, "--data", src); code != exitLocked || !strings.Contains(errOut, "ssh") {
		t.Fatalf("backup of a held store: exit %d, %q", code, errOut)
	}
	_ = st.Close()

	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"backup", []string{"backup", file, "--data", src}, exitOK, "written to " + file},
		{"restore into an empty directory", []string{"restore", file, "--data", filepath.Join(t.TempDir(), "new")}, exitOK, ": 3 orders"},
		{"restore over data is refused", []string{"restore", file, "--data", src}, exitRefused, "already holds data"},
		{"restore needs a file", []string{"restore", filepath.Join(t.TempDir(), "none"), "--data", t.TempDir()}, exitError, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(tc.args...)
			if code != tc.wantCode || !strings.Contains(out+errOut, tc.wantOut) {
				t.Fatalf("exit %d, out %q, err %q; want exit %d and %q", code, out, errOut, tc.wantCode, tc.wantOut)
			}
		})
	}
	// A restore refuses a store another shipdeck holds.
	held := t.TempDir()
	st2, err := store.Open(held, store.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if code, _, errOut := runCmd("restore", file, "--data", held); code != exitLocked || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore into a running store: exit %d, %q", code, errOut)
	}
}
