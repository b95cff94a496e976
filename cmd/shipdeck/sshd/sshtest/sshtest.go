// Package sshtest is test support for shipdeck's SSH serving, shared by the
// sshd package's tests and the serve tests: operator keys, a client that
// pins the server's host key, command sessions with their exit status, and
// console sessions on a PTY whose output goes through a terminal emulator.
//
// It imports nothing of shipdeck, so sshd's own tests can use it.
package sshtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// WaitLimit bounds every wait in this package. It guards against hangs; it
// is never an expectation about speed.
const WaitLimit = 20 * time.Second

// Key is an operator's client key pair.
type Key struct {
	// Signer authenticates the client.
	Signer gossh.Signer
	// Private is the private key, for tests that write it to a file for
	// the OpenSSH client.
	Private ed25519.PrivateKey
	// Line is the public key as an authorized_keys line, with the comment.
	Line string
}

// NewKey generates an Ed25519 key whose public line ends with comment.
func NewKey(t testing.TB, comment string) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatalf("key signer: %v", err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + comment
	return Key{Signer: signer, Private: priv, Line: line}
}

// Fingerprint is the key's SHA256 fingerprint, as the server identifies it.
func (k Key) Fingerprint() string { return gossh.FingerprintSHA256(k.Signer.PublicKey()) }

// Dial connects to addr as user with the given auth methods, accepting
// only the host key whose fingerprint is hostFP.
func Dial(addr, hostFP, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: user, Auth: auth, Timeout: WaitLimit,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if fp := gossh.FingerprintSHA256(key); fp != hostFP {
				return fmt.Errorf("host key %s, want %s", fp, hostFP)
			}
			return nil
		},
	})
}

// MustDial connects as user with key k (see Dial), fails the test if that
// does not work, and closes the client when the test ends.
func MustDial(t testing.TB, addr, hostFP, user string, k Key) *gossh.Client {
	t.Helper()
	c, err := Dial(addr, hostFP, user, gossh.PublicKeys(k.Signer))
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Run runs one command session and returns its output and exit status.
func Run(t testing.TB, c *gossh.Client, cmd string) (stdout, stderr string, code int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("%s: new session: %v", cmd, err)
	}
	defer func() { _ = sess.Close() }()
	var o, e bytes.Buffer
	sess.Stdout, sess.Stderr = &o, &e
	err = sess.Run(cmd)
	code, ok := ExitStatus(err)
	if !ok {
		t.Fatalf("run %q: %v (stderr %q)", cmd, err, e.String())
	}
	return o.String(), e.String(), code
}

// ExitStatus reads a session's exit status from what Wait or Run returned:
// 0 for nil, the status of an *ssh.ExitError, and false for any other
// error (the session did not end with a status).
func ExitStatus(err error) (int, bool) {
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &exit):
		return exit.ExitStatus(), true
	}
	return 0, false
}

// Buffer is a bytes.Buffer safe for a writer goroutine and a reading test.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
