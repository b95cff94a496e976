package sshd

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
	gossh "golang.org/x/crypto/ssh"
)

// newFileHeader starts an operators file created by Add.
const newFileHeader = `# Operators allowed to connect to ` + "`shipdeck serve`" + ` over SSH.
# role: viewer (read-only), operator (retry, re-route, hold), admin (also keys).
# Identity is the key's fingerprint; the SSH user name is ignored.
`

// List reads the operators file for `shipdeck keys list`. A missing file
// lists nobody.
func List(path string) ([]Operator, error) {
	ops, err := LoadOperators(path)
	if err != nil {
		return nil, err
	}
	return ops.All(), nil
}

// Add appends an operator to the file (creating it, mode 0600), keeping the
// rest of the file, comments included, as it was. It refuses a name or a
// key that is already there, and refuses to touch a file that does not
// validate. Edits by Add and Remove, in any process, run one at a time.
func Add(path, name, role, authorizedKeyLine string) error {
	unlock, err := lockForEdit(path)
	if err != nil {
		return err
	}
	defer unlock()
	src, ops, err := loadForEdit(path)
	if err != nil {
		return err
	}
	if err := checkName(name); err != nil {
		return fmt.Errorf("add operator: %w", err)
	}
	r, err := ParseRole(role)
	if err != nil {
		return fmt.Errorf("add operator %q: %w", name, err)
	}
	pk, comment, err := parseKeyLine(authorizedKeyLine)
	if err != nil {
		return fmt.Errorf("add operator %q: %w", name, err)
	}
	fp := gossh.FingerprintSHA256(pk)
	if other, ok := ops.LookupFingerprint(fp); ok {
		return fmt.Errorf("add operator %q: %w: that key belongs to %q (%s:%d)", name, ErrDuplicate, other.Name, path, ops.lines[other.Fingerprint])
	}
	for _, o := range ops.list {
		if strings.EqualFold(o.Name, name) {
			return fmt.Errorf("add operator %q: %w: %q is at %s:%d (remove it first to change its key or role)", name, ErrDuplicate, o.Name, path, ops.lines[o.Fingerprint])
		}
	}
	if src == "" {
		src = newFileHeader
	}
	if !strings.HasSuffix(src, "\n") {
		src += "\n"
	}
	src += fmt.Sprintf("\n[[operator]]\nname = %s\nrole = %s\nkey = %s\n",
		quoteTOML(name), quoteTOML(r.String()), quoteTOML(canonicalKeyLine(pk, comment)))
	if _, err := parseOperators(path, src); err != nil {
		return fmt.Errorf("add operator %q: the result does not validate: %w", name, err)
	}
	return writeFileAtomic(path, []byte(src))
}

// Fingerprint is the SHA256 fingerprint ("SHA256:...") of a public key
// line, the way Add will identify it, so `keys add` can print it.
func Fingerprint(authorizedKeyLine string) (string, error) {
	pk, _, err := parseKeyLine(authorizedKeyLine)
	if err != nil {
		return "", err
	}
	return gossh.FingerprintSHA256(pk), nil
}

// Remove deletes the operator with this name (in any case, as names are
// unique regardless of case) or key fingerprint ("SHA256:..."), keeping
// the rest of the file as it was. An unknown operator is ErrNoOperator.
func Remove(path, nameOrFingerprint string) error {
	unlock, err := lockForEdit(path)
	if err != nil {
		return err
	}
	defer unlock()
	src, ops, err := loadForEdit(path)
	if err != nil {
		return err
	}
	idx := -1
	for i, o := range ops.list {
		if strings.EqualFold(o.Name, nameOrFingerprint) || o.Fingerprint == nameOrFingerprint {
			idx = i
			break
		}
	}
	if idx < 0 {
		return fmt.Errorf("remove %q from %s: %w (see `shipdeck keys list`)", nameOrFingerprint, path, ErrNoOperator)
	}
	gone := ops.list[idx]
	out := removeBlock(src, idx)
	if !keepsOthers(path, out, ops, gone) {
		// The text did not have the simple shape the scanner expects
		// (inline tables, multi-line strings...): rewrite it plainly.
		out = renderOperators(src, ops, gone.Fingerprint)
	}
	return writeFileAtomic(path, []byte(out))
}

// loadForEdit reads and validates the file before changing it; a missing
// file is empty.
func loadForEdit(path string) (string, *Operators, error) {
	src, err := readOperatorsFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", &Operators{}, nil
	}
	if err != nil {
		return "", nil, err
	}
	ops, err := parseOperators(path, src)
	if err != nil {
		return "", nil, fmt.Errorf("fix the operators file first: %w", err)
	}
	return src, ops, nil
}

func removeBlock(src string, n int) string {
	lay := scanLayout(src)
	from, to := lay.block(n)
	lines := append(append([]string(nil), lay.lines[:from]...), lay.lines[to:]...)
	return strings.Join(lines, "\n")
}

// keepsOthers checks that out holds exactly the operators of before minus
// gone, in order.
func keepsOthers(path, out string, before *Operators, gone Operator) bool {
	after, err := parseOperators(path, out)
	if err != nil {
		return false
	}
	want := make([]Operator, 0, len(before.list))
	for _, o := range before.list {
		if o.Fingerprint != gone.Fingerprint {
			want = append(want, o)
		}
	}
	if len(after.list) != len(want) {
		return false
	}
	for i := range want {
		if after.list[i] != want[i] {
			return false
		}
	}
	return true
}

// renderOperators writes ops (minus skipFP) as a fresh file.
func renderOperators(src string, ops *Operators, skipFP string) string {
	var b strings.Builder
	b.WriteString(newFileHeader)
	lay := scanLayout(src)
	for i, o := range ops.list {
		if o.Fingerprint == skipFP {
			continue
		}
		key := ""
		if line := lay.lineIn(i, "key"); line > 0 {
			key = keyFromLine(lay.lines[line-1])
		}
		fmt.Fprintf(&b, "\n[[operator]]\nname = %s\nrole = %s\nkey = %s\n", quoteTOML(o.Name), quoteTOML(o.Role.String()), quoteTOML(key))
	}
	return b.String()
}

// keyFromLine recovers the key value of a `key = "..."` line.
func keyFromLine(line string) string {
	var v struct {
		Key string `toml:"key"`
	}
	if _, err := toml.Decode(strings.TrimSpace(line), &v); err != nil {
		return ""
	}
	return v.Key
}

// quoteTOML writes s as a TOML basic string.
func quoteTOML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
