package sshd

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
)

// route is the innermost middleware: it runs the session as a command or
// a console under the limits.
func (s *Server) route(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.serveSession(sess)
		next(sess)
	}
}

// serveSession admits the session under the caps, runs it, tells the
// client why the server ended it (if it did) and sends the exit status.
func (s *Server) serveSession(sess ssh.Session) {
	op, ok := OperatorFromContext(sess.Context())
	if !ok {
		s.refuse(sess, "no operator in context", msgNotOperator)
		return
	}
	args := sess.Command()
	kind := "command"
	if len(args) == 0 {
		kind = "console"
		if _, _, hasPty := sess.Pty(); !hasPty {
			s.refuse(sess, "console without a terminal", msgNeedTerminal)
			return
		}
	}
	ctx, cancel := context.WithCancelCause(sess.Context())
	defer cancel(nil)
	start := s.cfg.Now()
	live := &liveSession{op: op, remote: addrString(sess.RemoteAddr()), stop: cancel}
	defer s.closeAfterEnd(ctx, sess, live)()
	live.touch(start)
	if err := s.sessions.admit(live); err != nil {
		s.refuse(sess, "limit", err.Error())
		return
	}
	defer s.sessions.release(live)
	if d := s.cfg.MaxSessionTime; d > 0 {
		t := time.AfterFunc(d, func() {
			cancel(&endReason{"shipdeck: this session reached the time limit of " + d.String() + "; reconnect to continue"})
		})
		defer t.Stop()
	}
	log := s.cfg.Logger.With("operator", op.Name, "role", op.Role.String(), "fingerprint", op.Fingerprint,
		"remote", live.remote, "kind", kind)
	if kind == "command" {
		log = log.With("command", args[0])
	}
	log.Info("ssh session start")

	var code int
	if kind == "console" {
		code = s.runConsole(ctx, live, sess)
	} else {
		code = s.h.Command(ctx, op, args, sess, sess, sess.Stderr())
	}
	reason := ""
	var r *endReason
	if errors.As(context.Cause(ctx), &r) {
		reason = r.text
		s.tell(sess, kind == "command", reason)
		if code == 0 {
			code = 1
		}
	}
	log.Info("ssh session end", "exit", code, "duration", s.cfg.Now().Sub(start).Round(time.Millisecond).String(), "ended_by", reason)
	_ = sess.Exit(code)
}

// quitGrace is how long a session may take to finish once it has been
// ended (client gone, idle, time limit, shutdown): its program quits, the
// client is told why and gets the exit status. A session still running
// after that is stuck writing to a client that reads nothing.
const quitGrace = 3 * time.Second

// closeAfterEnd closes the session's connection if the session is still
// running quitGrace after ctx ends, which fails the writes it is stuck in
// so it can finish and free its slot. The returned function disarms it;
// call it when the session has finished.
func (s *Server) closeAfterEnd(ctx context.Context, sess ssh.Session, live *liveSession) (disarm func()) {
	var mu sync.Mutex
	finished := false
	var timer *time.Timer
	unhook := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return
		}
		timer = time.AfterFunc(quitGrace, func() {
			s.cfg.Logger.Warn("ssh session did not finish after it ended; closing its connection", "operator", live.op.Name,
				"remote", live.remote, "grace", quitGrace.String())
			if c, ok := sess.Context().Value(ssh.ContextKeyConn).(io.Closer); ok {
				_ = c.Close()
			}
		})
	})
	return func() {
		unhook()
		mu.Lock()
		defer mu.Unlock()
		finished = true
		if timer != nil {
			timer.Stop()
		}
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
