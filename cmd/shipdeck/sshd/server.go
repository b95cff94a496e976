package sshd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
)

// ErrServerClosed is what Serve and ListenAndServe return after Shutdown.
var ErrServerClosed = ssh.ErrServerClosed

// connGrace is how long a connection may outlive MaxSessionTime, so the
// session's own timer (which tells the client why) fires first.
const connGrace = time.Minute

// Server serves the shipdeck console over SSH.
type Server struct {
	cfg      Config
	h        Handler
	ssh      *ssh.Server
	hostFP   string
	limiter  *connLimiter
	sessions *sessionTable

	mu sync.Mutex
	ln net.Listener

	// sizes passes each console's window sizes from its channel (see
	// windowSizes), keyed by the console's token.
	sizesMu sync.Mutex
	sizes   map[string]<-chan ssh.Window
}

// New builds a server: it loads (or creates) the host key and sets up
// authentication and limits. Nothing listens until Serve.
func New(cfg Config, h Handler) (*Server, error) {
	if h == nil {
		return nil, errors.New("ssh server: a Handler is required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	signer, fp, err := HostKey(cfg.HostKeyDir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, h: h, hostFP: fp,
		limiter:  newConnLimiter(cfg.ConnectionsPerMinute, cfg.Now),
		sessions: newSessionTable(cfg.MaxSessions, cfg.MaxSessionsPerKey),
	}
	// The host key option comes first so wish never generates
	// ./id_ed25519 in the working directory.
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithAddress(cfg.Listen),
		wish.WithVersion("shipdeck"),
		wish.WithPublicKeyAuth(s.authorizeKey),
		ssh.WrapConn(s.gateConn),
		// Composed last-first: recover, then identify, then route.
		wish.WithMiddleware(s.route, s.identify, s.recoverPanics),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	if cfg.HandshakeTimeout > 0 {
		srv.HandshakeTimeout = cfg.HandshakeTimeout
	}
	if cfg.MaxSessionTime > 0 {
		srv.MaxTimeout = cfg.MaxSessionTime + connGrace
	}
	// Only session channels, filtered; no global requests (so no
	// tcpip-forward), no direct-tcpip, no subsystems.
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnectionFailedCallback = s.logFailedConn
	s.ssh = srv
	return s, nil
}

// HostKeyFingerprint is the host key's SHA256 fingerprint, for serve to
// print so operators can check what their ssh client shows.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// ListenAndServe listens on Config.Listen and serves until Shutdown (then
// it returns ErrServerClosed). To print the bound address first, listen
// yourself and call Serve.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("ssh server: listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on l until Shutdown, then returns
// ErrServerClosed. A Server serves one listener.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.sessions.isClosing() {
		s.mu.Unlock()
		_ = l.Close()
		return ErrServerClosed
	}
	s.ln = l
	s.mu.Unlock()
	err := s.ssh.Serve(l)
	if s.sessions.isClosing() {
		return ErrServerClosed
	}
	return err
}

// Addr is the address being served, or nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Sessions counts the open sessions.
func (s *Server) Sessions() int { return s.sessions.count() }

// Shutdown stops accepting connections, tells every session "shipdeck is
// shutting down" (consoles first restore the client's terminal), waits for
// them to end, then closes the remaining connections. If ctx ends first,
// connections are closed anyway and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	open := s.sessions.close()
	// The listener is closed here rather than with ssh.Server.Shutdown,
	// whose connection WaitGroup races with handshakes still in flight.
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	var lnErr error
	if ln != nil {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			lnErr = fmt.Errorf("ssh server: close listener: %w", err)
		}
	}
	for _, l := range open {
		l.stop(&endReason{msgShuttingDown})
	}
	waitErr := s.sessions.wait(ctx)
	// Connections left hold no session (ssh -N, or a handshake that just
	// finished; its sessions are refused).
	_ = s.ssh.Close()
	s.cfg.Logger.Info("ssh server stopped", "sessions_at_shutdown", len(open))
	return errors.Join(waitErr, lnErr)
}

// ReloadOperators re-reads the operators file (keeping the previous set if
// the file is malformed, and returning the error naming the line), then
// ends the sessions of operators who were removed or whose name or role
// changed, so a revoked key does not keep a console open. Call it on
// SIGHUP and from the admin command that reloads keys.
func (s *Server) ReloadOperators() error {
	if err := s.cfg.Operators.Reload(); err != nil {
		return err
	}
	cur := s.cfg.Operators.Current()
	for _, l := range s.sessions.snapshot() {
		now, ok := cur.LookupFingerprint(l.op.Fingerprint)
		switch {
		case !ok:
			l.stop(&endReason{"shipdeck: your key was removed from the operators file"})
		case now.Name != l.op.Name || now.Role != l.op.Role:
			l.stop(&endReason{fmt.Sprintf("shipdeck: your access changed (now %s as %s); reconnect", now.Role, now.Name)})
		}
	}
	s.cfg.Logger.Info("operators reloaded", "path", s.cfg.Operators.Path(), "operators", cur.Len())
	return nil
}

// gateConn applies the per-IP connection rate before any SSH byte is
// exchanged; returning nil makes the server close the connection.
func (s *Server) gateConn(_ ssh.Context, c net.Conn) net.Conn {
	if !s.limiter.allow(c.RemoteAddr()) {
		s.cfg.Logger.Warn("ssh connection refused: rate limit", "remote", c.RemoteAddr().String(),
			"per_minute", s.cfg.ConnectionsPerMinute)
		return nil
	}
	return c
}

func (s *Server) logFailedConn(c net.Conn, err error) {
	remote := ""
	if c != nil && c.RemoteAddr() != nil {
		remote = c.RemoteAddr().String()
	}
	s.cfg.Logger.Info("ssh connection failed before a session", "remote", remote, "err", err)
}
