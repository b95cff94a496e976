package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// ProfileFunc returns the number of orders created per UTC hour of day
// over the last ProfileDays days.
type ProfileFunc func(ctx context.Context) ([24]int64, error)

// Planner gates every TikTok call against the day's budget and plans when
// the next poll should happen. It is safe for concurrent use.
type Planner struct {
	cfg     Config
	ledger  Ledger
	clock   func() time.Time
	profile ProfileFunc
	sleep   func(ctx context.Context, d time.Duration) error
	bucket  *bucket

	// mu guards what the polls told the planner: their recent finds and
	// the surges known or noticed (see NotePoll).
	mu     sync.Mutex
	notes  []pollNote
	surges []surge
	// perDay is the orders a day the last day of polls found, scaled by
	// the profile's shape to a whole day.
	perDay float64
}

// Option tunes a Planner beyond its Config.
type Option func(*Planner)

// WithSleep replaces the wait used by the per-second cap (default: a timer
// that stops when ctx is done). A virtual-time simulation passes one that
// advances its own clock.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(p *Planner) {
		if sleep != nil {
			p.sleep = sleep
		}
	}
}

// New returns a planner for cfg that reserves in ledger. clock is the time
// source (nil means time.Now); profile gives the learned arrival profile
// (nil means the prior curve only).
func New(cfg Config, ledger Ledger, clock func() time.Time, profile ProfileFunc, opts ...Option) (*Planner, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if ledger == nil {
		return nil, fmt.Errorf("%w: no ledger", ErrInvalidConfig)
	}
	if clock == nil {
		clock = time.Now
	}
	if profile == nil {
		profile = func(context.Context) ([24]int64, error) { return [24]int64{}, nil }
	}
	p := &Planner{cfg: cfg, ledger: ledger, clock: clock, profile: profile, sleep: sleepCtx, bucket: newBucket(cfg.PerSecond)}
	for _, o := range opts {
		o(p)
	}
	return p, nil
}

// Config returns the planner's configuration with defaults filled in.
func (p *Planner) Config() Config { return p.cfg }

// Day returns the quota day containing t: its label, its start and its
// reset (the next day's start).
func (p *Planner) Day(t time.Time) (label string, start, reset time.Time) {
	return quotaDay(t, p.cfg.Zone, p.cfg.ResetHour)
}

// allowed is the day total calls of kind may bring the ledger to at t, in
// a quota day ending at reset.
func (p *Planner) allowed(kind store.CallKind, t, reset time.Time) int {
	if Urgent(kind) {
		return p.cfg.DailyLimit
	}
	return p.cfg.DailyLimit - p.cfg.HeldBack(t, reset)
}

// Reserve records n calls of kind in the ledger before they are sent. It
// first waits (ctx permitting) for the per-second cap, then reserves
// atomically; a refused reservation returns an *ExhaustedError and leaves
// the ledger unchanged. The day's total never passes DailyLimit, and
// non-urgent kinds never spend the reserve (as HeldBack releases it near
// the reset).
func (p *Planner) Reserve(ctx context.Context, kind store.CallKind, n int) error {
	if n <= 0 {
		return fmt.Errorf("reserve %d %s calls: the count must be positive", n, kind)
	}
	if wait := p.bucket.take(p.clock(), n); wait > 0 {
		if err := p.sleep(ctx, wait); err != nil {
			p.bucket.give(n)
			return fmt.Errorf("reserve %d %s calls: wait for the per-second cap: %w", n, kind, err)
		}
	}
	now := p.clock()
	label, _, reset := p.Day(now)
	allowed := p.allowed(kind, now, reset)
	q, err := p.ledger.Reserve(ctx, label, kind, n, p.cfg.DailyLimit, allowed)
	if err != nil {
		// Nothing is sent: the tokens go back to the bucket.
		p.bucket.give(n)
	}
	if errors.Is(err, store.ErrQuotaExhausted) {
		used := q.Total()
		if q.Day == "" {
			// The ledger did not say; read it for the message.
			if cur, rerr := p.ledger.Day(ctx, label); rerr == nil {
				used = cur.Total()
			}
		}
		return &ExhaustedError{Day: label, Kind: kind, Requested: n, Used: used, Allowed: allowed, Limit: p.cfg.DailyLimit, ResetAt: reset}
	}
	if err != nil {
		return fmt.Errorf("reserve %d %s calls: %w", n, kind, err)
	}
	return nil
}

// NoteRateLimited records a rate-limit reply received at at, and empties
// the per-second bucket so the next call waits for a fresh token.
func (p *Planner) NoteRateLimited(ctx context.Context, at time.Time) error {
	p.bucket.drain(p.clock())
	label, _, _ := p.Day(at)
	if err := p.ledger.NoteRateLimited(ctx, label, at); err != nil {
		return fmt.Errorf("note rate limit: %w", err)
	}
	return nil
}

// inSlowWindow reports whether t is inside a configured slow window, and
// if so when that window ends.
func (p *Planner) inSlowWindow(t time.Time) (bool, time.Time) {
	var end time.Time
	for _, w := range p.cfg.SlowWindows {
		for _, s := range w.occurrences(t, t.Add(time.Nanosecond), p.cfg.Zone) {
			if s.to.After(end) {
				end = s.to
			}
		}
	}
	return !end.IsZero(), end
}
