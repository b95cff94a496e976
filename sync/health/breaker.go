package health

import (
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// BreakerConfig tunes when a carrier's circuit opens and how it recovers.
// A zero field takes its default.
type BreakerConfig struct {
	// Window is how many recent calls the error rate is computed over
	// (default 20).
	Window int `toml:"window"`
	// WindowAge drops calls older than this from the error rate, so an
	// old burst of failures does not open the circuit on a quiet carrier
	// (default 1m).
	WindowAge time.Duration `toml:"window_age"`
	// MinCalls is how many calls the window must hold before the rate
	// counts, so one early failure does not open the circuit (default 5).
	MinCalls int `toml:"min_calls"`
	// Threshold is the error rate (0..1] that, when exceeded, opens the
	// circuit (default 0.5).
	Threshold float64 `toml:"threshold"`
	// CoolDown is how long an open circuit rejects calls before it lets a
	// probe through (default 30s).
	CoolDown time.Duration `toml:"cool_down"`
	// ProbeTimeout is how long a half-open circuit waits for its probe's
	// result before it lets another probe through, so a lost result
	// cannot wedge the carrier (default: CoolDown).
	ProbeTimeout time.Duration `toml:"probe_timeout"`
}

// Breaker defaults.
const (
	DefaultBreakerWindow    = 20
	DefaultBreakerWindowAge = time.Minute
	DefaultBreakerMinCalls  = 5
	DefaultBreakerThreshold = 0.5
	DefaultBreakerCoolDown  = 30 * time.Second
)

// withDefaults fills zero or out-of-range fields.
func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.Window <= 0 {
		c.Window = DefaultBreakerWindow
	}
	if c.WindowAge <= 0 {
		c.WindowAge = DefaultBreakerWindowAge
	}
	if c.MinCalls <= 0 {
		c.MinCalls = DefaultBreakerMinCalls
	}
	c.MinCalls = min(c.MinCalls, c.Window)
	if c.Threshold <= 0 || c.Threshold > 1 {
		c.Threshold = DefaultBreakerThreshold
	}
	if c.CoolDown <= 0 {
		c.CoolDown = DefaultBreakerCoolDown
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = c.CoolDown
	}
	return c
}

// Validate reports settings a config file got wrong.
func (c BreakerConfig) Validate() error {
	var errs []error
	if c.Window < 0 {
		errs = append(errs, fmt.Errorf("breaker window %d is negative", c.Window))
	}
	if c.MinCalls < 0 {
		errs = append(errs, fmt.Errorf("breaker min_calls %d is negative", c.MinCalls))
	}
	if c.Window > 0 && c.MinCalls > c.Window {
		errs = append(errs, fmt.Errorf("breaker min_calls %d exceeds window %d", c.MinCalls, c.Window))
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		errs = append(errs, fmt.Errorf("breaker threshold %g is outside 0..1", c.Threshold))
	}
	if c.WindowAge < 0 || c.CoolDown < 0 || c.ProbeTimeout < 0 {
		errs = append(errs, errors.New("breaker window_age, cool_down and probe_timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// outcome is one call in the breaker's window.
type outcome struct {
	at time.Time
	ok bool
}

// Breaker is one carrier's circuit: Closed lets every call through; when
// the error rate over the recent calls exceeds the threshold it opens and
// rejects calls for the cool-down; then it is half-open and lets exactly
// one probe through; the probe's success closes it, its failure reopens it.
// State changes happen lazily on Allow, Record and State, so a breaker
// needs no timer or goroutine. It is safe for concurrent use.
type Breaker struct {
	cfg BreakerConfig

	mu       gosync.Mutex
	state    store.CircuitState
	recent   []outcome // ring of the last cfg.Window calls while closed
	next     int       // ring write position
	filled   int       // calls in the ring
	openedAt time.Time // when the circuit last opened
	probeAt  time.Time // when the half-open probe was let through; zero if none
	opens    int       // times the circuit opened, for the pane
	why      string    // why it last opened
}

// NewBreaker returns a closed breaker.
func NewBreaker(cfg BreakerConfig) *Breaker {
	cfg = cfg.withDefaults()
	return &Breaker{cfg: cfg, state: store.CircuitClosed, recent: make([]outcome, cfg.Window)}
}

// advance moves an open circuit to half-open once its cool-down has passed.
// The caller holds b.mu.
func (b *Breaker) advance(now time.Time) {
	if b.state == store.CircuitOpen && !now.Before(b.openedAt.Add(b.cfg.CoolDown)) {
		b.state = store.CircuitHalfOpen
		b.probeAt = time.Time{}
	}
}

// Allow reports whether a call may go to the carrier now. In the half-open
// state it returns true once and then false until that probe's result is
// recorded (or ProbeTimeout passes), so call it only right before the call.
func (b *Breaker) Allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ok := b.available(now)
	if ok && b.state == store.CircuitHalfOpen {
		b.probeAt = now
	}
	return ok
}

// Available reports whether Allow would let a call through at now, without
// taking the half-open probe. The router uses it to route new orders away
// from a failing carrier; the pusher calls Allow right before each call.
func (b *Breaker) Available(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.available(now)
}

// available is Available's answer: closed, or half-open with no probe in
// flight (or the last probe's result overdue by ProbeTimeout). The caller
// holds b.mu.
func (b *Breaker) available(now time.Time) bool {
	b.advance(now)
	switch b.state {
	case store.CircuitClosed:
		return true
	case store.CircuitHalfOpen:
		return b.probeAt.IsZero() || !now.Before(b.probeAt.Add(b.cfg.ProbeTimeout))
	}
	return false
}

// Record reports a call's result. While closed it feeds the error rate and
// may open the circuit; while half-open it is the probe's verdict; while
// open it is a straggler that started before the circuit opened and is
// ignored.
func (b *Breaker) Record(now time.Time, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(now)
	switch b.state {
	case store.CircuitClosed:
		b.recent[b.next] = outcome{at: now, ok: ok}
		b.next = (b.next + 1) % len(b.recent)
		b.filled = min(b.filled+1, len(b.recent))
		if calls, errs := b.window(now); calls >= b.cfg.MinCalls && float64(errs)/float64(calls) > b.cfg.Threshold {
			b.open(now, fmt.Sprintf("%d of the last %d calls failed", errs, calls))
		}
	case store.CircuitHalfOpen:
		if ok {
			b.state = store.CircuitClosed
			b.filled, b.next = 0, 0
			b.why = ""
			return
		}
		b.open(now, "probe failed")
	}
}

// window counts the calls and failures in the ring no older than
// WindowAge. The caller holds b.mu.
func (b *Breaker) window(now time.Time) (calls, errs int) {
	oldest := now.Add(-b.cfg.WindowAge)
	for i := range b.filled {
		o := b.recent[i]
		if o.at.Before(oldest) {
			continue
		}
		calls++
		if !o.ok {
			errs++
		}
	}
	return calls, errs
}

// open trips the circuit. The caller holds b.mu.
func (b *Breaker) open(now time.Time, why string) {
	b.state = store.CircuitOpen
	b.openedAt = now
	b.probeAt = time.Time{}
	b.opens++
	b.why = why
}

// State is the circuit's state at now.
func (b *Breaker) State(now time.Time) store.CircuitState {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(now)
	return b.state
}

// BreakerStatus is what the console and the router say about a circuit.
type BreakerStatus struct {
	State store.CircuitState
	// Calls and Errors are the closed circuit's current window.
	Calls, Errors int
	// RetryAt is when an open circuit lets a probe through (zero unless
	// open).
	RetryAt time.Time
	// Opens counts how often the circuit has opened.
	Opens int
	// Why says what opened it ("7 of the last 12 calls failed").
	Why string
}

// Status describes the circuit at now.
func (b *Breaker) Status(now time.Time) BreakerStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(now)
	st := BreakerStatus{State: b.state, Opens: b.opens, Why: b.why}
	switch b.state {
	case store.CircuitClosed:
		st.Calls, st.Errors = b.window(now)
	case store.CircuitOpen:
		st.RetryAt = b.openedAt.Add(b.cfg.CoolDown)
	}
	return st
}

// Reason is one line an operator reads when a carrier is skipped: empty
// for a closed circuit.
func (s BreakerStatus) Reason() string {
	switch s.State {
	case store.CircuitOpen:
		return fmt.Sprintf("circuit open (%s), next probe at %s", s.Why, s.RetryAt.UTC().Format("15:04:05"))
	case store.CircuitHalfOpen:
		return fmt.Sprintf("circuit half-open (%s), probe in flight", s.Why)
	}
	return ""
}
