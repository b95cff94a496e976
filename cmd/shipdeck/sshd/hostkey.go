package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKeyFile is the host key's file name inside the data directory.
const HostKeyFile = "ssh_host_ed25519_key"

// HostKey loads the server's Ed25519 host key from dir, generating it
// (mode 0600, plus a .pub beside it) the first time. Reusing it across
// restarts is what lets operators' known_hosts keep trusting the server.
// The fingerprint ("SHA256:...") is for serve to print at start.
func HostKey(dir string) (gossh.Signer, string, error) {
	path := filepath.Join(dir, HostKeyFile)
	signer, err := loadHostKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		signer, err = createHostKey(dir, path)
	}
	if err != nil {
		return nil, "", err
	}
	return signer, gossh.FingerprintSHA256(signer.PublicKey()), nil
}

func loadHostKey(path string) (gossh.Signer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("host key %s is readable by others (mode %04o): chmod 600 it", path, info.Mode().Perm())
	}
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w (move it away to generate a new one; clients will then see a changed host key)", path, err)
	}
	return signer, nil
}

// createHostKey writes a new key without ever replacing one: it is
// written to a temporary file and linked into place, so a concurrent
// creator's key wins and is loaded instead.
func createHostKey(dir, path string) (gossh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("host key: create %s: %w", dir, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: generate: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "shipdeck host key")
	if err != nil {
		return nil, fmt.Errorf("host key: encode: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+HostKeyFile+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := writeAndClose(tmp, pem.EncodeToMemory(block)); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("host key: %w", err)
	}
	syncDir(dir)
	signer, err := loadHostKey(path)
	if err != nil {
		return nil, err
	}
	// The .pub is a convenience for pinning the key in known_hosts.
	_ = os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644)
	return signer, nil
}
