package sshd

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// liveSession is one open session, for caps, idleness and shutdown.
type liveSession struct {
	op     Operator
	remote string
	// stop ends the session, with the reason shown to the client.
	stop context.CancelCauseFunc
	// lastInput is the time of the last keyboard input, in Unix nanos.
	lastInput atomic.Int64
}

func (l *liveSession) touch(now time.Time) { l.lastInput.Store(now.UnixNano()) }

func (l *liveSession) idleFor(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, l.lastInput.Load()))
}

// endReason is why the server ended a session; its text is shown to the
// client as the session's last line.
type endReason struct{ text string }

func (r *endReason) Error() string { return r.text }

// Messages for the client. Each is one line.
const (
	msgShuttingDown = "shipdeck is shutting down"
	msgNeedTerminal = "shipdeck needs a terminal: ssh -t ... (or give a command, e.g. ssh host orders --state dead)"
	msgNotOperator  = "shipdeck: this key is not in the operators file"
	msgInternal     = "shipdeck: internal error; the session was closed (details are in the server log)"
	msgNoConsole    = "shipdeck: the console could not start (details are in the server log)"
)

// sessionTable counts open sessions and enforces the caps.
type sessionTable struct {
	max, perKey int

	mu      sync.Mutex
	live    map[*liveSession]struct{}
	byKey   map[string]int
	closing bool
	// drained is closed once closing is set and no session is left.
	drained chan struct{}
}

func newSessionTable(max, perKey int) *sessionTable {
	return &sessionTable{max: max, perKey: perKey, live: map[*liveSession]struct{}{},
		byKey: map[string]int{}, drained: make(chan struct{})}
}

// admit registers l, or says (in words for the client) why not.
func (t *sessionTable) admit(l *liveSession) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	fp := l.op.Fingerprint
	switch {
	case t.closing:
		return &endReason{msgShuttingDown}
	case t.max > 0 && len(t.live) >= t.max:
		return &endReason{fmt.Sprintf("shipdeck: the server is at its limit of %d sessions; try again later", t.max)}
	case t.perKey > 0 && t.byKey[fp] >= t.perKey:
		return &endReason{fmt.Sprintf("shipdeck: %s already has %d sessions open (the limit); close one first", l.op.Name, t.byKey[fp])}
	}
	t.live[l] = struct{}{}
	t.byKey[fp]++
	return nil
}

func (t *sessionTable) release(l *liveSession) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.live[l]; !ok {
		return
	}
	delete(t.live, l)
	if t.byKey[l.op.Fingerprint]--; t.byKey[l.op.Fingerprint] <= 0 {
		delete(t.byKey, l.op.Fingerprint)
	}
	if t.closing && len(t.live) == 0 {
		close(t.drained)
	}
}

func (t *sessionTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.live)
}

func (t *sessionTable) snapshot() []*liveSession {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.listLocked()
}

func (t *sessionTable) listLocked() []*liveSession {
	out := make([]*liveSession, 0, len(t.live))
	for l := range t.live {
		out = append(out, l)
	}
	return out
}

// close refuses new sessions from now on and returns the open ones.
func (t *sessionTable) close() []*liveSession {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closing {
		t.closing = true
		if len(t.live) == 0 {
			close(t.drained)
		}
	}
	return t.listLocked()
}

func (t *sessionTable) isClosing() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closing
}

// wait blocks until every session has ended after close, or ctx ends.
func (t *sessionTable) wait(ctx context.Context) error {
	select {
	case <-t.drained:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for ssh sessions to end: %w", ctx.Err())
	}
}
