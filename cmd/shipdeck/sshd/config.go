package sshd

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
)

// Config says where and how to serve. Zero values take the defaults named
// on each field; a negative duration or count turns that limit off.
type Config struct {
	// Listen is the TCP address (default 127.0.0.1:2222: loopback, so
	// exposing it is a decision).
	Listen string
	// HostKeyDir holds ssh_host_ed25519_key (required; usually the data
	// directory).
	HostKeyDir string
	// Operators says who may connect (required).
	Operators *Registry
	// HandshakeTimeout bounds the time from TCP accept to a finished
	// authentication (default 15s), so unauthenticated clients cannot hold
	// connections open.
	HandshakeTimeout time.Duration
	// IdleTimeout ends a console with no keyboard input for this long
	// (default 15m). Screen updates do not count as activity. Command
	// sessions are bounded by MaxSessionTime instead.
	IdleTimeout time.Duration
	// MaxSessionTime ends any session after this long (default 12h).
	MaxSessionTime time.Duration
	// MaxSessions caps open sessions in total (default 32).
	MaxSessions int
	// MaxSessionsPerKey caps open sessions per operator key (default 4).
	MaxSessionsPerKey int
	// ConnectionsPerMinute is the per-remote-IP connection rate (default
	// 30, with bursts of the same size). Connections over it are closed
	// before the SSH handshake.
	ConnectionsPerMinute int
	// Logger receives connection and session events (default: discarded).
	Logger *slog.Logger
	// Now is the clock for rate limits and input idleness (default
	// time.Now). Timers still run on real time.
	Now func() time.Time
}

// Defaults.
const (
	DefaultListen               = "127.0.0.1:2222"
	DefaultHandshakeTimeout     = 15 * time.Second
	DefaultIdleTimeout          = 15 * time.Minute
	DefaultMaxSessionTime       = 12 * time.Hour
	DefaultMaxSessions          = 32
	DefaultMaxSessionsPerKey    = 4
	DefaultConnectionsPerMinute = 30
)

func (c Config) withDefaults() (Config, error) {
	if c.HostKeyDir == "" {
		return c, errors.New("ssh server: HostKeyDir is required (the data directory)")
	}
	if c.Operators == nil {
		return c, errors.New("ssh server: Operators is required")
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	durations := []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&c.HandshakeTimeout, DefaultHandshakeTimeout},
		{&c.IdleTimeout, DefaultIdleTimeout},
		{&c.MaxSessionTime, DefaultMaxSessionTime},
	}
	for _, d := range durations {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	counts := []struct {
		v   *int
		def int
	}{
		{&c.MaxSessions, DefaultMaxSessions},
		{&c.MaxSessionsPerKey, DefaultMaxSessionsPerKey},
		{&c.ConnectionsPerMinute, DefaultConnectionsPerMinute},
	}
	for _, n := range counts {
		if *n.v == 0 {
			*n.v = n.def
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Handler is what shipdeck serves: the console and the operator commands.
// Both are called once per session, concurrently for different sessions,
// with an operator already authenticated and looked up. ctx ends when the
// session does (client gone, idle, time limit, removed from the operators
// file, server shutting down); for a console, only once its program has
// exited, so the model can be closed from ctx.Done without a lock.
type Handler interface {
	// Console builds the console for one session. The returned options are
	// applied first; this package then adds the session's input, output,
	// TERM, window size and a Suspend filter (wish's MakeOptions), and
	// turns off Bubble Tea's OS signal handler, so do not pass WithInput,
	// WithOutput, WithEnvironment or WithFilter. s is the session, for
	// s.Pty() and the like; its Read marks keyboard activity. The model
	// should quit on its own key (the program is also told to quit when
	// the session ends; ctx ends after it has). An error is logged and the
	// client told that the console could not start.
	Console(ctx context.Context, op Operator, s ssh.Session) (tea.Model, []tea.ProgramOption, error)
	// Command runs `ssh host <args...>` (args split like a POSIX shell
	// would) and returns its exit status. stdin is the client's input,
	// stdout and stderr go back to the client. It must return soon after
	// ctx ends.
	Command(ctx context.Context, op Operator, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}
