package sshd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
)

// editEnv, when set, makes the test binary a `shipdeck keys` stand-in: it
// runs one edit of the operators file and exits (see TestMain).
const editEnv = "SHIPDECK_TEST_OPERATORS_EDIT"

func TestMain(m *testing.M) {
	if os.Getenv(editEnv) != "" {
		os.Exit(runEdit())
	}
	os.Exit(m.Run())
}

// runEdit performs the edit described by the environment, as a separate
// process would: add NAME ROLE KEYLINE, or remove NAME.
func runEdit() int {
	path, op := os.Getenv("EDIT_PATH"), os.Getenv(editEnv)
	var err error
	switch op {
	case "add":
		err = Add(path, os.Getenv("EDIT_NAME"), "viewer", os.Getenv("EDIT_KEY"))
	case "remove":
		err = Remove(path, os.Getenv("EDIT_NAME"))
	default:
		err = fmt.Errorf("unknown edit %q", op)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// editInProcess starts this test binary as a separate process that makes
// one edit to the operators file at path.
func editInProcess(t *testing.T, path, op, name, keyLine string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), editEnv+"="+op, "EDIT_PATH="+path, "EDIT_NAME="+name, "EDIT_KEY="+keyLine)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func TestConcurrentAddsFromManyProcessesAreAllKept(t *testing.T) {
	const n = 20
	path := filepath.Join(t.TempDir(), "operators.toml")
	keys := make([]sshtest.Key, n)
	for i := range keys {
		keys[i] = sshtest.NewKey(t, fmt.Sprintf("op%d@test", i))
	}
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = editInProcess(t, path, "add", fmt.Sprintf("op%02d", i), keys[i].Line)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("add op%02d: %v", i, err)
		}
	}
	ops, err := LoadOperators(path)
	if err != nil {
		t.Fatal(err)
	}
	if ops.Len() != n {
		t.Fatalf("%d concurrent adds reported success; the file keeps %d operators", n, ops.Len())
	}
	for i, k := range keys {
		if _, ok := ops.LookupFingerprint(k.Fingerprint()); !ok {
			t.Errorf("op%02d's key is missing", i)
		}
	}
}

func TestRemoveRacingAddKeepsBoth(t *testing.T) {
	for round := range 15 {
		path := filepath.Join(t.TempDir(), "operators.toml")
		revoked, added := sshtest.NewKey(t, "old@test"), sshtest.NewKey(t, "new@test")
		if err := Add(path, "old", "operator", revoked.Line); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []*exec.Cmd{editInProcess(t, path, "remove", "old", ""), editInProcess(t, path, "add", "new", added.Line)} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = c.Wait() }()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: remove %v, add %v", round, errs[0], errs[1])
		}
		ops, err := LoadOperators(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ops.LookupFingerprint(revoked.Fingerprint()); ok {
			t.Fatalf("round %d: remove reported success, yet the revoked key is still in the file", round)
		}
		if _, ok := ops.LookupFingerprint(added.Fingerprint()); !ok {
			t.Fatalf("round %d: add reported success, yet the new key is missing", round)
		}
	}
}
