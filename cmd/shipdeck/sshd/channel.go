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
// start (pty-req, shell or exec) and a signal now and then; a client that
// sends more has them refused here, so it can never make the connection
// stop reading (which would keep a dead session and its slot for good).
const (
	// requestsPerSecond and requestBurst bound the requests other than
	// window-change; the rest are refused.
	requestsPerSecond = 10
	requestBurst      = 32
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
	rc := &resizingChannel{Channel: ch, s: c.s, sizes: make(chan ssh.Window, 1)}
	out := make(chan *gossh.Request)
	go func() {
		st := relayRequests(reqs, out, rc.sizes, time.Now)
		if st.refused > 0 || st.coalesced > maxQueuedRequests {
			c.s.cfg.Logger.Warn("ssh session requests limited", "remote", c.remote,
				"requests", st.received, "refused", st.refused, "resizes_coalesced", st.coalesced)
		}
	}()
	return rc, out, nil
}

// resizingChannel is a session channel whose window changes the relay
// keeps, rather than the ssh package: its session handler writes the
// pty's size on every window-change while the console reads it, a data
// race a resize flood makes likely. The console asks for the sizes with
// windowSizes.
type resizingChannel struct {
	gossh.Channel
	s *Server
	// sizes holds the latest window size not yet taken; it is closed
	// when the client's request stream ends.
	sizes chan ssh.Window
}

// windowSizesRequest is a request the console sends to its own channel,
// never to the client: ssh.Session hides the channel, but passes
// SendRequest straight to it.
const windowSizesRequest = "window-sizes@shipdeck.local"

// SendRequest hands the sizes over for windowSizesRequest (its payload
// is the console's token) and sends anything else to the client.
func (c *resizingChannel) SendRequest(name string, wantReply bool, payload []byte) (bool, error) {
	if name != windowSizesRequest {
		return c.Channel.SendRequest(name, wantReply, payload)
	}
	c.s.sizesMu.Lock()
	defer c.s.sizesMu.Unlock()
	if c.s.sizes == nil {
		c.s.sizes = map[string]<-chan ssh.Window{}
	}
	c.s.sizes[string(payload)] = c.sizes
	return true, nil
}

// windowSizes returns the window sizes the client sends on sess, latest
// first, closed when its request stream ends; nil for a session that did
// not come through sessionChannel. token must be unique among open
// sessions.
func (s *Server) windowSizes(sess ssh.Session, token string) <-chan ssh.Window {
	if ok, err := sess.SendRequest(windowSizesRequest, false, []byte(token)); !ok || err != nil {
		return nil
	}
	s.sizesMu.Lock()
	defer s.sizesMu.Unlock()
	sizes := s.sizes[token]
	delete(s.sizes, token)
	return sizes
}

// relayStats counts what a relay did with a session's requests.
type relayStats struct{ received, refused, coalesced int }

// relayRequests passes requests from in to out until in closes, then
// closes out and sizes. It always keeps reading in, whatever out's reader
// does: disallowed requests and those over the limits are refused at once,
// and a window change is answered here and put in sizes, replacing the
// one still waiting there.
func relayRequests(in <-chan *gossh.Request, out chan<- *gossh.Request, sizes chan ssh.Window, now func() time.Time) relayStats {
	defer close(out)
	defer close(sizes)
	var st relayStats
	others := newBucket(requestsPerSecond, requestBurst, now())
	var queue []*gossh.Request
	for {
		var send chan<- *gossh.Request
		var next *gossh.Request
		if len(queue) > 0 {
			send, next = out, queue[0]
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
				w, ok := parseWindowChange(req.Payload)
				reply(req, ok)
				if ok && putLatest(sizes, w) {
					st.coalesced++
				}
			case len(queue) >= maxQueuedRequests || !others.take(now()):
				reply(req, false)
				st.refused++
			default:
				queue = append(queue, req)
			}
		case send <- next:
			queue = queue[1:]
		}
	}
}

// parseWindowChange reads a window-change payload (RFC 4254 §6.7: columns,
// rows, width and height in pixels).
func parseWindowChange(payload []byte) (ssh.Window, bool) {
	var p struct{ Cols, Rows, WidthPx, HeightPx uint32 }
	if err := gossh.Unmarshal(payload, &p); err != nil || p.Cols == 0 || p.Rows == 0 || p.Cols > 10000 || p.Rows > 10000 {
		return ssh.Window{}, false
	}
	return ssh.Window{Width: int(p.Cols), Height: int(p.Rows), WidthPixels: int(p.WidthPx), HeightPixels: int(p.HeightPx)}, true
}

// putLatest puts w in the one-slot box, replacing what waits there (and
// reporting whether it did). Only one goroutine puts, so it never blocks.
func putLatest(box chan ssh.Window, w ssh.Window) (replaced bool) {
	select {
	case <-box:
		replaced = true
	default:
	}
	box <- w
	return replaced
}

// reply answers req if the client asked for an answer.
func reply(req *gossh.Request, ok bool) {
	if req.WantReply {
		_ = req.Reply(ok, nil)
	}
}
