// Package conncap wraps a listener so a flood of connections cannot take
// every file descriptor: it caps how many are open at once (closing the
// rest as soon as they are accepted), and it retries accept errors such as
// "too many open files" itself, logging them through slog instead of
// letting the server print them to stderr or swallow them. The logger's
// handler bounds how many of these lines a flood costs (logging.Limiter).
package conncap

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config configures a Listener.
type Config struct {
	// Name says which listener the log lines are about ("webhook", "ssh").
	Name string
	// Max caps the connections open at once; 0 means no cap.
	Max int
	// Logger receives refusals and accept errors (nil discards them); a
	// flood logs one line per event, so give it a rate-limited handler.
	Logger *slog.Logger
}

// Stats counts what a Listener did.
type Stats struct {
	// Open is how many accepted connections are still open.
	Open int64 `json:"open"`
	// Accepted and Refused count connections handed on and closed at once
	// for being over the cap.
	Accepted int64 `json:"accepted"`
	Refused  int64 `json:"refused"`
	// AcceptErrors counts failed accepts that were retried.
	AcceptErrors int64 `json:"accept_errors"`
}

// Listener is a net.Listener with a connection cap and logged accept
// errors.
type Listener struct {
	net.Listener
	cfg Config
	sem chan struct{}

	open, accepted, refused, acceptErrs atomic.Int64

	closeOnce sync.Once
	done      chan struct{}
}

// Wrap caps l as cfg says.
func Wrap(l net.Listener, cfg Config) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Listener{Listener: l, cfg: cfg, done: make(chan struct{})}
	if cfg.Max > 0 {
		w.sem = make(chan struct{}, cfg.Max)
	}
	return w
}

// Accept returns the next connection within the cap. Connections over it
// are closed at once (a TCP client sees the connection reset or closed);
// accept errors the system may recover from (out of file descriptors or
// buffers, an aborted handshake) are logged and retried with a growing
// pause, as net/http does, so the server loop never sees them.
func (l *Listener) Accept() (net.Conn, error) {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case <-l.done:
				return nil, net.ErrClosed
			default:
			}
			if !retryable(err) {
				return nil, err
			}
			l.acceptErrs.Add(1)
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			l.cfg.Logger.Error(l.cfg.Name+": accept failed; retrying",
				"err", err.Error(), "retry_in", pause.String(), "open", l.open.Load())
			t := time.NewTimer(pause)
			select {
			case <-l.done:
				t.Stop()
				return nil, net.ErrClosed
			case <-t.C:
			}
			continue
		}
		pause = 0
		if l.sem != nil {
			select {
			case l.sem <- struct{}{}:
			default:
				l.refused.Add(1)
				_ = c.Close()
				l.cfg.Logger.Warn(l.cfg.Name+": connection refused: too many open",
					"max", l.cfg.Max, "remote", c.RemoteAddr().String())
				continue
			}
		}
		l.accepted.Add(1)
		l.open.Add(1)
		return &conn{Conn: c, l: l}, nil
	}
}

// Close stops Accept (including one pausing after an error) and closes the
// underlying listener.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Stats reports the counters so far.
func (l *Listener) Stats() Stats {
	return Stats{Open: l.open.Load(), Accepted: l.accepted.Load(), Refused: l.refused.Load(), AcceptErrors: l.acceptErrs.Load()}
}

// retryable reports whether an accept error is one the system may recover
// from. (net.Error.Temporary is deprecated; these are the errno values it
// stood for at accept, plus an aborted or reset handshake.)
func retryable(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN, syscall.EPROTO} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// conn gives its slot back once, on the first Close.
type conn struct {
	net.Conn
	l    *Listener
	once sync.Once
}

// Close closes the connection and frees its slot.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		if c.l.sem != nil {
			<-c.l.sem
		}
	})
	return err
}
