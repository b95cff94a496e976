package sshd

import (
	"crypto/rsa"
	"fmt"
	"strings"
	"unicode"

	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/store"
)

// Operator is one person allowed to connect, as the operators file names
// them.
type Operator struct {
	// Name is what the audit trail and the console show.
	Name string
	// Role is what the operator may do.
	Role store.Role
	// Fingerprint is the SHA256 fingerprint of the operator's public key,
	// as `ssh-keygen -lf` prints it: the operator's identity.
	Fingerprint string
	// Comment is the key's comment (often user@host), for `keys list`.
	Comment string
}

// Actor is the operator as the engine's commands want them.
func (o Operator) Actor() store.Actor {
	return store.Actor{Name: o.Name, Role: o.Role}
}

// ParseRole reads a role as the operators file spells it.
func ParseRole(s string) (store.Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "viewer":
		return store.RoleViewer, nil
	case "operator":
		return store.RoleOperator, nil
	case "admin":
		return store.RoleAdmin, nil
	}
	return 0, fmt.Errorf("%w %q (use viewer, operator or admin)", ErrBadRole, s)
}

// maxNameLen bounds names so they fit a status bar and an audit column.
const maxNameLen = 64

// checkName accepts names made of letters, digits and . _ - @, because the
// name is printed in the console and written to the audit trail.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty", ErrBadName)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%w: %q is longer than %d characters", ErrBadName, name, maxNameLen)
	}
	for _, r := range name {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@", r)) {
			return fmt.Errorf("%w: %q may only use letters, digits and . _ - @", ErrBadName, name)
		}
	}
	return nil
}

// minRSABits is the smallest RSA key accepted; OpenSSH refuses smaller too.
const minRSABits = 2048

// parseKeyLine reads one authorized_keys-style line ("ssh-ed25519 AAAA...
// comment") and refuses what shipdeck does not support: options,
// certificates, several keys, DSA and short RSA keys.
func parseKeyLine(line string) (gossh.PublicKey, string, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, "", fmt.Errorf("%w: the key is empty (paste the whole line of the .pub file)", ErrBadKey)
	}
	pk, comment, options, rest, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return nil, "", fmt.Errorf("%w: not an OpenSSH public key line like \"ssh-ed25519 AAAA... you@host\"", ErrBadKey)
	}
	switch {
	case len(options) > 0:
		return nil, "", fmt.Errorf("%w: key options (%s) are not supported", ErrBadKey, strings.Join(options, ","))
	case len(strings.TrimSpace(string(rest))) > 0:
		return nil, "", fmt.Errorf("%w: the value holds more than one key; give each its own [[operator]]", ErrBadKey)
	}
	if _, ok := pk.(*gossh.Certificate); ok {
		return nil, "", fmt.Errorf("%w: certificates are not supported; use the plain public key", ErrBadKey)
	}
	switch pk.Type() {
	case gossh.KeyAlgoDSA: //nolint:staticcheck // named only to refuse it
		return nil, "", fmt.Errorf("%w: DSA keys are too weak; use ssh-ed25519", ErrBadKey)
	case gossh.KeyAlgoRSA:
		if ck, ok := pk.(gossh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
				return nil, "", fmt.Errorf("%w: RSA key of %d bits is too short (need %d; ssh-ed25519 is better)", ErrBadKey, rk.N.BitLen(), minRSABits)
			}
		}
	}
	return pk, cleanComment(comment), nil
}

// cleanComment keeps a key comment printable: it ends up on a terminal.
func cleanComment(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s))
}

// canonicalKeyLine is the line written to the file for a key: type, base64
// and the cleaned comment.
func canonicalKeyLine(pk gossh.PublicKey, comment string) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		line += " " + comment
	}
	return line
}
