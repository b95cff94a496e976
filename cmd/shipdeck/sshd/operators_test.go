package sshd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
)

func TestLoadOperatorsReadsNamesRolesAndFingerprints(t *testing.T) {
	ana, bob := newKey(t, "ana@laptop"), newKey(t, "bob@desk")
	path := filepath.Join(t.TempDir(), "operators.toml")
	writeFile(t, path, `# team
[[operator]]
name = "ana"
role = "operator"
key = "`+ana.line+`"

[[operator]]
name = "bob"
role = "Admin"
key = "`+bob.line+`"
`)
	ops, err := LoadOperators(path)
	if err != nil {
		t.Fatal(err)
	}
	if ops.Missing() || ops.Len() != 2 {
		t.Fatalf("Missing=%v Len=%d, want false 2", ops.Missing(), ops.Len())
	}
	got, ok := ops.Lookup(ana.signer.PublicKey())
	want := Operator{Name: "ana", Role: store.RoleOperator, Fingerprint: ana.fingerprint(), Comment: "ana@laptop"}
	if !ok || got != want {
		t.Fatalf("Lookup(ana) = %+v %v, want %+v", got, ok, want)
	}
	if got, _ := ops.Lookup(bob.signer.PublicKey()); got.Role != store.RoleAdmin {
		t.Fatalf("bob's role = %v, want admin", got.Role)
	}
	if _, ok := ops.Lookup(newKey(t, "x").signer.PublicKey()); ok {
		t.Fatal("an unknown key was found")
	}
}

func TestLoadOperatorsErrorsNameTheLine(t *testing.T) {
	ana, bob := newKey(t, "ana@laptop"), newKey(t, "bob@desk")
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
		{"unknown role", entry("ana", "operator", ana.line) + "\n" + entry("bob", "boss", bob.line), 8, ErrBadRole, `"boss"`},
		{"bad key", "# x\n" + entry("ana", "viewer", "ssh-ed25519 notbase64 ana"), 5, ErrBadKey, "OpenSSH public key"},
		{"key options", entry("ana", "viewer", `command=\"sh\" `+ana.line), 4, ErrBadKey, "options"},
		{"duplicate key", entry("ana", "viewer", ana.line) + entry("bob", "viewer", ana.line), 8, ErrDuplicate, `already belongs to "ana" (line 1)`},
		{"duplicate name", entry("ana", "viewer", ana.line) + entry("Ana", "viewer", bob.line), 6, ErrDuplicate, "named twice"},
		{"empty name", entry("ana", "viewer", ana.line) + "[[operator]]\nrole = \"viewer\"\nkey = \"" + bob.line + "\"\n", 5, ErrBadName, "empty"},
		{"odd name", entry(`ana\u001b[2J`, "viewer", ana.line), 2, ErrBadName, "letters, digits"},
		{"missing key", entry("ana", "viewer", ana.line) + "[[operator]]\nname = \"bob\"\nrole = \"viewer\"\n", 5, ErrBadKey, "empty"},
		{"unknown field", entry("ana", "viewer", ana.line) + "\n[[operator]]\nname = \"bob\"\nrole = \"viewer\"\nkye = \"x\"\n", 9, nil, `unknown key "operator.kye"`},
		{"toml syntax", entry("ana", "viewer", ana.line) + "name = \n", 5, nil, ""},
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
	if _, ok := ops.Lookup(newKey(t, "x").signer.PublicKey()); ok {
		t.Fatal("a key was admitted by a missing file")
	}
}

func TestRegistryReloadKeepsPreviousSetOnBadFile(t *testing.T) {
	ana, bob := newKey(t, "ana"), newKey(t, "bob")
	path := filepath.Join(t.TempDir(), "operators.toml")
	if err := Add(path, "ana", "operator", ana.line); err != nil {
		t.Fatal(err)
	}
	reg, err := NewRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(path)
	writeFile(t, path, string(src)+"\n[[operator]]\nname = \"bob\"\nrole = \"superuser\"\nkey = \""+bob.line+"\"\n")
	err = reg.Reload()
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line == 0 || !errors.Is(err, ErrBadRole) {
		t.Fatalf("Reload() = %v, want a *FileError with a line and ErrBadRole", err)
	}
	if _, ok := reg.Current().Lookup(ana.signer.PublicKey()); !ok {
		t.Fatal("ana lost access after a bad reload")
	}
	if _, ok := reg.Current().Lookup(bob.signer.PublicKey()); ok {
		t.Fatal("bob got in through a file that did not validate")
	}
	if err := Add(filepath.Join(t.TempDir(), "x.toml"), "bob", "viewer", bob.line); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(src)+"\n[[operator]]\nname = \"bob\"\nrole = \"viewer\"\nkey = \""+bob.line+"\"\n")
	if err := reg.Reload(); err != nil {
		t.Fatal(err)
	}
	if op, ok := reg.Current().Lookup(bob.signer.PublicKey()); !ok || op.Role != store.RoleViewer {
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
	ana, bob, cid := newKey(t, "ana@laptop"), newKey(t, "bob@desk"), newKey(t, "cid@phone")
	path := filepath.Join(t.TempDir(), "data", "operators.toml")

	for _, a := range []struct{ name, role, key string }{{"ana", "operator", ana.line}, {"bob", "viewer", bob.line}, {"cid", "admin", cid.line}} {
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
		{"same name", "ana", "viewer", newKey(t, "x").line, ErrDuplicate},
		{"same name other case", "ANA", "viewer", newKey(t, "x").line, ErrDuplicate},
		{"same key", "dan", "viewer", ana.line, ErrDuplicate},
		{"bad role", "dan", "root", newKey(t, "x").line, ErrBadRole},
		{"bad key", "dan", "viewer", "ssh-rsa AAAA", ErrBadKey},
		{"bad name", "d an", "viewer", newKey(t, "x").line, ErrBadName},
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
	if list[2].Role != store.RoleAdmin || list[2].Fingerprint != cid.fingerprint() || list[2].Comment != "cid@phone" {
		t.Fatalf("cid listed as %+v", list[2])
	}

	if err := Remove(path, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path, ana.fingerprint()); err != nil {
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
	after, _ := os.ReadFile(path)
	if strings.Contains(string(after), "bob is on call") || !strings.Contains(string(after), "# end of team") {
		t.Errorf("comments not kept with their operators:\n%s", after)
	}
	if fp, err := Fingerprint(cid.line); err != nil || fp != cid.fingerprint() {
		t.Errorf("Fingerprint = %q %v, want %q", fp, err, cid.fingerprint())
	}
}

func TestAddRefusesToEditAMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "operators.toml")
	bad := "[[operator]]\nname = \"ana\"\nrole = \"nope\"\nkey = \"x\"\n"
	writeFile(t, path, bad)
	var fe *FileError
	if err := Add(path, "bob", "viewer", newKey(t, "bob").line); !errors.As(err, &fe) || fe.Line != 3 {
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
