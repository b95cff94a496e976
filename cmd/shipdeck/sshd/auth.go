package sshd

import (
	"context"
	"fmt"
	"runtime/debug"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// extFingerprint records, at authentication, the fingerprint of the key
// that was approved, so the session can check it is the key actually used.
const extFingerprint = "shipdeck-pubkey-fp"

// operatorKey stores the Operator in the connection's context.
type operatorKey struct{}

// OperatorFromContext returns the operator of an SSH session, from the
// context handed to the Handler (or the session's own context).
func OperatorFromContext(ctx context.Context) (Operator, bool) {
	op, ok := ctx.Value(operatorKey{}).(Operator)
	return op, ok
}

// authorizeKey is the only authentication method offered. x/crypto may
// call it for keys the client merely offers, so the approval is only a
// note in the permissions; identify decides from the key actually used.
func (s *Server) authorizeKey(ctx ssh.Context, key ssh.PublicKey) bool {
	op, ok := s.cfg.Operators.Current().Lookup(key)
	if !ok {
		// Clients try every key they have; an unknown one is not yet a
		// failed login, so this stays at debug.
		s.cfg.Logger.Debug("ssh key not in operators file", "fingerprint", gossh.FingerprintSHA256(key),
			"remote", addrString(ctx.RemoteAddr()))
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extFingerprint] = op.Fingerprint
	return true
}

// identify looks the operator up again from the key the session was
// authenticated with (never from the user name), checks it against what
// authorizeKey approved (CVE-2024-45337), and puts the operator in the
// context.
func (s *Server) identify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		if key == nil {
			s.refuse(sess, "no public key", msgNotOperator)
			return
		}
		fp := gossh.FingerprintSHA256(key)
		approved := ""
		if perms := sess.Permissions(); perms.Permissions != nil {
			approved = perms.Extensions[extFingerprint]
		}
		if approved != fp {
			s.cfg.Logger.Warn("ssh session key differs from the approved key", "fingerprint", fp,
				"approved", approved, "remote", addrString(sess.RemoteAddr()))
			s.refuse(sess, "key mismatch", msgNotOperator)
			return
		}
		op, ok := s.cfg.Operators.Current().Lookup(key)
		if !ok {
			s.refuse(sess, "key removed since login", msgNotOperator)
			return
		}
		sess.Context().SetValue(operatorKey{}, op)
		next(sess)
	}
}

// recoverPanics keeps a panicking handler from taking the server down and
// from showing a stack trace to the client; the trace goes to the log.
func (s *Server) recoverPanics(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				op, _ := OperatorFromContext(sess.Context())
				s.cfg.Logger.Error("panic in ssh session", "operator", op.Name, "remote", addrString(sess.RemoteAddr()),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				s.tell(sess, true, msgInternal)
				_ = sess.Exit(1)
			}
		}()
		next(sess)
	}
}

// refuse ends a session before it started, telling the client why.
func (s *Server) refuse(sess ssh.Session, why, msg string) {
	s.cfg.Logger.Info("ssh session refused", "why", why, "user", sess.User(), "remote", addrString(sess.RemoteAddr()))
	s.tell(sess, true, msg)
	_ = sess.Exit(1)
}

// tell writes one line to the client, on stderr or stdout.
func (s *Server) tell(sess ssh.Session, stderr bool, line string) {
	if stderr {
		_, _ = fmt.Fprintln(sess.Stderr(), line)
		return
	}
	_, _ = fmt.Fprintln(sess, line)
}
