package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd"
	"github.com/shipdeck/shipdeck/store"
)

// writeImportOnlyConfig writes importOnlyConfig into a fresh directory and
// returns its path (the data directory goes next to it).
func writeImportOnlyConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shop.toml")
	if err := os.WriteFile(p, []byte(importOnlyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageMistakesExitTwo(t *testing.T) {
	cfg := writeImportOnlyConfig(t)
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"orders", "extra", "--config", cfg}, `unknown command "extra"`},
		{[]string{"reroute", "--config", cfg}, "accepts 1 arg"},
		{[]string{"hold", "--config", cfg}, "requires at least 1 arg"},
		{[]string{"resolve", "--config", cfg}, "accepts 1 arg"},
		{[]string{"import", "--config", cfg}, "arg"},
		{[]string{"keys", "--config", cfg}, "add, list, remove"},
		{[]string{"keys", "bogus", "--config", cfg}, `unknown command "bogus"`},
		{[]string{"keys", "add", "ana", "--config", cfg}, "accepts 3 arg"},
		{[]string{"export", "bogus", "--config", cfg}, `export "bogus": unknown view`},
		{[]string{"export", "failed", "all", "--config", cfg}, "accepts at most 1 arg"},
		{[]string{"orders", "--bogus-flag", "--config", cfg}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (usage); stderr %q", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not say %q", errOut, tt.want)
			}
		})
	}
}

func TestUsageMistakesOverSSHExitTwo(t *testing.T) {
	a, err := openApp(context.Background(), flags{Config: writeImportOnlyConfig(t)}, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := sshHandler{a: a}
	op := sshd.Operator{Name: "olga", Role: store.RoleOperator}
	for _, args := range [][]string{{"bogus"}, {"reroute"}, {"export", "bogus"}, {"orders", "extra"}, {"retry"}} {
		var o, e bytes.Buffer
		if code := h.Command(context.Background(), op, args, strings.NewReader(""), &o, &e); code != exitUsage {
			t.Errorf("ssh %v: exit %d, want %d (usage); stderr %q", args, code, exitUsage, e.String())
		}
	}
}
