package sshd

import (
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// allowedSessionRequests are the session-channel requests shipdeck
// honours. Everything else (env, auth-agent-req@openssh.com, x11-req,
// subsystem, ...) is refused before the session sees it: client
// environment is ignored except TERM (which comes with pty-req), and there
// is no agent or X11 forwarding.
var allowedSessionRequests = map[string]bool{
	"pty-req": true, "window-change": true, "shell": true, "exec": true, "signal": true, "break": true,
}

// Per-session request limits. A session needs a handful of requests to
// start (pty-req, shell or exec) and a resize now and then; a client that
// sends more is refused or coalesced here, so it can never make the
// connection stop reading (which would keep a dead session and its slot
// for good).
const (
	// requestsPerSecond and requestBurst bound the requests other than
	// window-change; the rest are refused.
	requestsPerSecond = 10
	requestBurst      = 32
	// resizesPerSecond and resizeBurst bound the window changes handed to
	// the console; in between, only the latest size is kept (a terminal
	// being dragged loses nothing, a flood costs one size).
	resizesPerSecond = 20
	resizeBurst      = 10
	// maxQueuedRequests bounds requests waiting for the session to take
	// them; beyond it they are refused.
	maxQueuedRequests = 16
)

// sessionChannel is the session channel handler: the default one, fed the
// allowed requests under the per-session limits.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, limitedChannel{NewChannel: nc, s: s, remote: addrString(conn.RemoteAddr())}, ctx)
}

// limitedChannel hands the session its requests through relayRequests.
type limitedChannel struct {
	gossh.NewChannel
	s      *Server
	remote string
}

// Accept starts the relay; it ends when the client's request stream does
// (the channel closes).
func (c limitedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	out := make(chan *gossh.Request)
	go func() {
		// Real time, not Config.Now: the relay sleeps on a real timer
		// until its next resize token.
		st := relayRequests(reqs, out, time.Now)
		if st.refused > 0 || st.coalesced > resizeBurst {
			c.s.cfg.Logger.Warn("ssh session requests limited", "remote", c.remote,
				"requests", st.received, "refused", st.refused, "resizes_coalesced", st.coalesced)
		}
	}()
	return ch, out, nil
}

// relayStats counts what a relay did with a session's requests.
type relayStats struct{ received, refused, coalesced int }

// relayRequests passes requests from in to out until in closes, then
// closes out. It always keeps reading in, whatever out's reader does:
// disallowed requests and those over the limits are refused at once, and
// a window change replaces the one still waiting (acknowledged as done),
// so out sees at most resizesPerSecond of them.
func relayRequests(in <-chan *gossh.Request, out chan<- *gossh.Request, now func() time.Time) relayStats {
	defer close(out)
	var st relayStats
	others := newBucket(requestsPerSecond, requestBurst, now())
	resizes := newBucket(resizesPerSecond, resizeBurst, now())
	var queue []*gossh.Request
	var resize *gossh.Request // the latest window change not yet handed on
	wake := time.NewTimer(time.Hour)
	defer wake.Stop()
	for {
		var send chan<- *gossh.Request
		var next *gossh.Request
		switch {
		case len(queue) > 0:
			next = queue[0]
		case resize != nil:
			if wait := resizes.untilNext(now()); wait > 0 {
				wake.Reset(wait)
			} else {
				next = resize
			}
		}
		if next != nil {
			send = out
		}
		select {
		case req, ok := <-in:
			if !ok {
				return st
			}
			st.received++
			switch {
			case !allowedSessionRequests[req.Type]:
				reply(req, false)
			case req.Type == "window-change":
				if resize != nil {
					reply(resize, true)
					st.coalesced++
				}
				resize = req
			case len(queue) >= maxQueuedRequests || !others.take(now()):
				reply(req, false)
				st.refused++
			default:
				queue = append(queue, req)
			}
		case send <- next:
			if next == resize {
				resizes.take(now())
				resize = nil
			} else {
				queue = queue[1:]
			}
		case <-wake.C:
		}
	}
}

// reply answers req if the client asked for an answer.
func reply(req *gossh.Request, ok bool) {
	if req.WantReply {
		_ = req.Reply(ok, nil)
	}
}
