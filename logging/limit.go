package logging

import (
	"context"
	"log/slog"
	gosync "sync"
	"time"
)

// Limiter is a slog.Handler that lets through at most Burst records of one
// message (level and text) per Window and counts the rest. When a window
// with drops ends, the next record handled (of any message) is preceded by
// one line per such message: "log lines dropped" with the message and the
// count, so the flood is visible but costs one line a window.
type Limiter struct {
	next  slog.Handler
	state *limitState
}

type limitState struct {
	mu     gosync.Mutex
	burst  int
	window time.Duration
	now    func() time.Time
	keys   map[limitKey]*limitWindow
	// out is the handler the drop reports go to (the root handler, without
	// any attributes a derived handler added).
	out slog.Handler
}

type limitKey struct {
	level slog.Level
	msg   string
}

type limitWindow struct {
	start   time.Time
	passed  int
	dropped int
}

// NewLimiter wraps next. burst ≤ 0 takes 10, window ≤ 0 takes a minute,
// now nil takes time.Now.
func NewLimiter(next slog.Handler, burst int, window time.Duration, now func() time.Time) *Limiter {
	if burst <= 0 {
		burst = 10
	}
	if window <= 0 {
		window = time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{next: next, state: &limitState{burst: burst, window: window, now: now, keys: map[limitKey]*limitWindow{}, out: next}}
}

// Enabled reports whether the wrapped handler takes the level.
func (l *Limiter) Enabled(ctx context.Context, level slog.Level) bool {
	return l.next.Enabled(ctx, level)
}

// Handle passes r on unless its message is over its rate.
func (l *Limiter) Handle(ctx context.Context, r slog.Record) error {
	st := l.state
	now := st.now()
	st.mu.Lock()
	reports := st.expired(ctx, now)
	k := limitKey{r.Level, r.Message}
	w := st.keys[k]
	if w == nil {
		w = &limitWindow{start: now}
		st.keys[k] = w
	}
	pass := w.passed < st.burst
	if pass {
		w.passed++
	} else {
		w.dropped++
	}
	st.mu.Unlock()
	for _, rep := range reports {
		_ = st.out.Handle(ctx, rep)
	}
	if !pass {
		return nil
	}
	return l.next.Handle(ctx, r)
}

// expired ends the windows older than Window and returns a report record
// for each that dropped lines. Called with mu held.
func (st *limitState) expired(ctx context.Context, now time.Time) []slog.Record {
	var out []slog.Record
	for k, w := range st.keys {
		if now.Sub(w.start) < st.window {
			continue
		}
		if w.dropped > 0 {
			out = append(out, st.report(now, k, w))
		}
		delete(st.keys, k)
	}
	return out
}

func (st *limitState) report(now time.Time, k limitKey, w *limitWindow) slog.Record {
	r := slog.NewRecord(now, k.level, "log lines dropped", 0)
	r.AddAttrs(slog.String("message", k.msg), slog.Int("dropped", w.dropped),
		slog.Int("passed", w.passed), slog.Duration("window", st.window))
	return r
}

// Flush reports every window still holding drops (at shutdown).
func (l *Limiter) Flush(ctx context.Context) {
	st := l.state
	now := st.now()
	st.mu.Lock()
	var reps []slog.Record
	for k, w := range st.keys {
		if w.dropped > 0 {
			reps = append(reps, st.report(now, k, w))
		}
		delete(st.keys, k)
	}
	st.mu.Unlock()
	for _, r := range reps {
		_ = st.out.Handle(ctx, r)
	}
}

// WithAttrs returns a limiter over next.WithAttrs sharing this one's counts.
func (l *Limiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Limiter{next: l.next.WithAttrs(attrs), state: l.state}
}

// WithGroup returns a limiter over next.WithGroup sharing this one's counts.
func (l *Limiter) WithGroup(name string) slog.Handler {
	return &Limiter{next: l.next.WithGroup(name), state: l.state}
}
