package sshd

import (
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

// filteredSessionHandler is the default session handler, fed only the
// allowed requests.
func filteredSessionHandler(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{nc}, ctx)
}

type filteredChannel struct{ gossh.NewChannel }

// Accept passes on the allowed requests. The relay ends when the client's
// request stream does (the channel closes).
func (c filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for req := range reqs {
			if !allowedSessionRequests[req.Type] {
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
				continue
			}
			out <- req
		}
	}()
	return ch, out, nil
}
