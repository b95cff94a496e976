package sshd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
)

func TestLoadOperatorsReadsNamesRolesAndFingerprints(t *testing.T) {
	ana, bob := sshtest.NewKey(t, "ana@laptop"), sshtest.NewKey(t, "bob@desk")
	path := filepath.Join(t.TempDir(), "operators.toml")
	writeFile(t, path, `# team
[[operator]]
name = "ana"
role = "operator"
key = "`+ana.Line+`"

[[operator]]
name = "bob"
role = "Admin"
key = "`+bob.Line+`"
`)
	ops, err := LoadOperators(path)
	if err != nil {
		t.Fatal(err)
	}
	if ops.Missing() || ops.Len() != 2 {
		t.Fatalf("Missing=%v Len=%d, want false 2", ops.Missing(), ops.Len())
	}
	got, ok := ops.Lookup(ana.Signer.PublicKey())
	want := Operator{Name: "ana", Role: store.RoleOperator, Fingerprint: ana.Fingerprint(), Comment: "ana@laptop"}
	if !ok || got != want {
		t.Fatalf("Lookup(ana) = %+v %v, want %+v", got, ok, want)
	}
	if got, _ := ops.Lookup(bob.Signer.PublicKey()); got.Role != store.RoleAdmin {
		t.Fatalf("bob's role = %v, want admin", got.Role)
	}
	if _, ok := ops.Lookup(sshtest.NewKey(t, "x").Signer.PublicKey()); ok {
		t.Fatal("an unknown key was found")
	}
}

func TestLoadOperatorsErrorsNameTheLine(t *testing.T) {
	ana, bob := sshtest.NewKey(t, "ana@laptop"), sshtest.NewKey(t, "bob@desk")
	entry := func(name, role, key string) string {
		return "[[operator]]\nname = \"" + name + "\"\nrole = \"" + role + "\"\nkey = \"" + key + "\"\n"
	}
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantErr  error
		wantText string
	}{
		{"unknown role", entry("ana", "operator", ana.Line) + "\n" + entry("bob", "boss", bob.Line), 8, ErrBadRole, `"boss"`},
		{"bad key", "# x\n" + entry("ana", "viewer", "ssh-ed25519 notbase64 ana"), 5, ErrBadKey, "OpenSSH public key"},
		{"key options", entry("ana", "viewer", `command=\"sh\" `+ana.Line), 4, ErrBadKey, "options"},
		{"duplicate key", entry("ana", "viewer", ana.Line) + entry("bob", "viewer", ana.Line), 8, ErrDuplicate, `already belongs to "ana" (line 1)`},
		{"duplicate name", entry("ana", "viewer", ana.Line) + entry("Ana", "viewer", bob.Line), 6, ErrDuplicate, "named twice"},
		{"empty name", entry("ana", "viewer", ana.Line) + "[[operator]]\nrole = \"viewer\"\nkey = \"" + bob.Line + "\"\n", 5, ErrBadName, "empty"},
		{"odd name", entry(`ana\u001b[2J`, "viewer", ana.Line), 2, ErrBadName, "letters, digits"},
		{"missing key", entry("ana", "viewer", ana.Line) + "[[operator]]\nname = \"bob\"\nrole = \"viewer\"\n", 5, ErrBadKey, "empty"},
		{"unknown field", entry("ana", "viewer", ana.Line) + "\n[[operator]]\nname = \"bob\"\nrole = \"viewer\"\nkye = \"x\"\n", 9, nil, `unknown key "operator.kye"`},
		{"toml syntax", entry("ana", "viewer", ana.Line) + "name = \n", 5, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "operators.toml")
			writeFile(t, path, tt.src)
			_, err := LoadOperators(path)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if fe.Path != path || fe.Line != tt.wantLine {
				t.Errorf("error at %s:%d, want line %d: %v", fe.Path, fe.Line, tt.wantLine, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want it to be %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) || !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("err = %q, want it to start with the path and mention %q", err, tt.wantText)
			}
		})
	}
}

func TestMissingOperatorsFileAdmitsNobody(t *testing.T) {
	ops, err := LoadOperators(filepath.Join(t.TempDir(), "operators.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !ops.Missing() || ops.Len() != 0 {
		t.Fatalf("Missing=%v Len=%d, want true 0", ops.Missing(), ops.Len())
	}
	if _, ok := ops.Lookup(sshtest.NewKey(t, "x").Signer.PublicKey()); ok {
		t.Fatal("a key was admitted by a missing file")
	}
}

func TestRegistryReloadKeepsPreviousSetOnBadFile(t *testing.T) {
	ana, bob := sshtest.NewKey(t, "ana"), sshtest.NewKey(t, "bob")
	path := filepath.Join(t.TempDir(), "operators.toml")
	if err := Add(path, "ana", "operator", ana.Line); err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(path)
	writeFile(t, path, string(src)+"\n[[operator]]\nname = \"bob\"\nrole = \"superuser\"\nkey = \""+bob.Line+"\"\n")
	err = reg.Reload()
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line == 0 || !errors.Is(err, ErrBadRole) {
		t.Fatalf("Reload() = %v, want a *FileError with a line and ErrBadRole", err)
	}
	if _, ok := reg.Current().Lookup(ana.Signer.PublicKey()); !ok {
		t.Fatal("ana lost access after a bad reload")
	}
	if _, ok := reg.Current().Lookup(bob.Signer.PublicKey()); ok {
		t.Fatal("bob got in through a file that did not validate")
	}
	if err := Add(filepath.Join(t.TempDir(), "x.toml"), "bob", "viewer", bob.Line); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(src)+"\n[[operator]]\nname = \"bob\"\nrole = \"viewer\"\nkey = \""+bob.Line+"\"\n")
	if err := reg.Reload(); err != nil {
		t.Fatal(err)
	}
	if op, ok := reg.Current().Lookup(bob.Signer.PublicKey()); !ok || op.Role != store.RoleViewer {
		t.Fatalf("after a good reload bob = %+v %v, want a viewer", op, ok)
	}
}

func TestNewRegistryRefusesMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "operators.toml")
	writeFile(t, path, "[[operator]]\nname = \"ana\"\nrole = \"viewer\"\nkey = \"nope\"\n")
	if _, err := NewRegistry(path); !errors.Is(err, ErrBadKey) {
		t.Fatalf("NewRegistry = %v, want ErrBadKey", err)
	}
}

func TestKeysAddListRemoveRoundTrip(t *testing.T) {
	ana, bob, cid := sshtest.NewKey(t, "ana@laptop"), sshtest.NewKey(t, "bob@desk"), sshtest.NewKey(t, "cid@phone")
	path := filepath.Join(t.TempDir(), "data", "operators.toml")

	for _, a := range []struct{ name, role, key string }{{"ana", "operator", ana.Line}, {"bob", "viewer", bob.Line}, {"cid", "admin", cid.Line}} {
		if err := Add(path, a.name, a.role, a.key); err != nil {
			t.Fatalf("Add %s: %v", a.name, err)
		}
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}
	// A hand-written comment survives edits.
	src, _ := os.ReadFile(path)
	writeFile(t, path, strings.Replace(string(src), "[[operator]]\nname = \"bob\"", "# bob is on call\n[[operator]]\nname = \"bob\"", 1)+"# end of team\n")

	refusals := []struct {
		name, name2, role, key string
		want                   error
	}{
		{"same name", "ana", "viewer", sshtest.NewKey(t, "x").Line, ErrDuplicate},
		{"same name other case", "ANA", "viewer", sshtest.NewKey(t, "x").Line, ErrDuplicate},
		{"same key", "dan", "viewer", ana.Line, ErrDuplicate},
		{"bad role", "dan", "root", sshtest.NewKey(t, "x").Line, ErrBadRole},
		{"bad key", "dan", "viewer", "ssh-rsa AAAA", ErrBadKey},
		{"bad name", "d an", "viewer", sshtest.NewKey(t, "x").Line, ErrBadName},
	}
	for _, r := range refusals {
		if err := Add(path, r.name2, r.role, r.key); !errors.Is(err, r.want) {
			t.Errorf("Add(%s) = %v, want %v", r.name, err, r.want)
		}
	}

	list, err := List(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := opNames(list); names != "ana,bob,cid" {
		t.Fatalf("List = %s, want ana,bob,cid", names)
	}
	if list[2].Role != store.RoleAdmin || list[2].Fingerprint != cid.Fingerprint() || list[2].Comment != "cid@phone" {
		t.Fatalf("cid listed as %+v", list[2])
	}

	if err := Remove(path, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path, ana.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path, "bob"); !errors.Is(err, ErrNoOperator) {
		t.Fatalf("second Remove(bob) = %v, want ErrNoOperator", err)
	}
	list, err = List(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := opNames(list); names != "cid" {
		t.Fatalf("after removals List = %s, want cid", names)
	}
	// Names are unique regardless of case, so any case names the operator.
	if err := Add(path, "dan", "viewer", sshtest.NewKey(t, "dan").Line); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path, "DAN"); err != nil {
		t.Fatalf("Remove(DAN) with dan in the file = %v", err)
	}
	if list, err := List(path); err != nil || opNames(list) != "cid" {
		t.Fatalf("after removing DAN List = %s (%v), want cid", opNames(list), err)
	}
	after, _ := os.ReadFile(path)
	if strings.Contains(string(after), "bob is on call") || !strings.Contains(string(after), "# end of team") {
		t.Errorf("comments not kept with their operators:\n%s", after)
	}
	if fp, err := Fingerprint(cid.Line); err != nil || fp != cid.Fingerprint() {
		t.Errorf("Fingerprint = %q %v, want %q", fp, err, cid.Fingerprint())
	}
}

func TestAddRefusesToEditAMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "operators.toml")
	bad := "[[operator]]\nname = \"ana\"\nrole = \"nope\"\nkey = \"x\"\n"
	writeFile(t, path, bad)
	var fe *FileError
	if err := Add(path, "bob", "viewer", sshtest.NewKey(t, "bob").Line); !errors.As(err, &fe) || fe.Line != 3 {
		t.Fatalf("Add on a bad file = %v, want a *FileError at line 3", err)
	}
	if got, _ := os.ReadFile(path); string(got) != bad {
		t.Fatal("Add changed a file it refused")
	}
}

func TestHostKeyIsCreatedOnceAndReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, fp1, err := HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, HostKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}
	signer, fp2, err := HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fp1 != fp2 || !strings.HasPrefix(fp1, "SHA256:") || signer.PublicKey().Type() != "ssh-ed25519" {
		t.Fatalf("fingerprints %q then %q (type %s), want the same ed25519 key", fp1, fp2, signer.PublicKey().Type())
	}
	if err := os.Chmod(filepath.Join(dir, HostKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HostKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("HostKey with a world-readable key = %v, want a refusal", err)
	}
}

func opNames(ops []Operator) string {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.Name
	}
	return strings.Join(names, ",")
}
