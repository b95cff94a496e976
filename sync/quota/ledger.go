package quota

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Ledger is the persisted per-day call count the planner reserves against.
// Reserve must be atomic: it either adds n calls of kind to day, keeping
// the day's total at or below allowed, or writes nothing and returns an
// error wrapping store.ErrQuotaExhausted.
type Ledger interface {
	Reserve(ctx context.Context, day string, kind store.CallKind, n, limit, allowed int) (store.QuotaDay, error)
	Day(ctx context.Context, day string) (store.QuotaDay, error)
	NoteRateLimited(ctx context.Context, day string, at time.Time) error
}

// MemLedger is an in-memory Ledger, for simulations and tests. It is safe
// for concurrent use. It forgets everything when the process exits, so the
// engine uses StoreLedger.
type MemLedger struct {
	mu   gosync.Mutex
	days map[string]store.QuotaDay
}

// NewMemLedger returns an empty in-memory ledger.
func NewMemLedger() *MemLedger {
	return &MemLedger{days: map[string]store.QuotaDay{}}
}

// Reserve adds n calls of kind to day unless the total would pass allowed
// (or limit).
func (m *MemLedger) Reserve(ctx context.Context, day string, kind store.CallKind, n, limit, allowed int) (store.QuotaDay, error) {
	if err := ctx.Err(); err != nil {
		return store.QuotaDay{}, fmt.Errorf("reserve %d %s calls on %s: %w", n, kind, day, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.days[day]
	if q.Day == "" {
		q.Day = day
	}
	q.Limit = limit
	total := q.Total()
	if n < 0 || total+n > min(allowed, limit) {
		return cloneDay(q), fmt.Errorf("reserve %d %s calls on %s (%d used, %d allowed): %w",
			n, kind, day, total, min(allowed, limit), store.ErrQuotaExhausted)
	}
	q = cloneDay(q) // callers hold copies of the old map
	q.Used[kind] += n
	m.days[day] = q
	return cloneDay(q), nil
}

// Day returns the ledger of day (empty if nothing was reserved).
func (m *MemLedger) Day(ctx context.Context, day string) (store.QuotaDay, error) {
	if err := ctx.Err(); err != nil {
		return store.QuotaDay{}, fmt.Errorf("read quota day %s: %w", day, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.days[day]
	if q.Day == "" {
		q.Day = day
	}
	return cloneDay(q), nil
}

// NoteRateLimited counts a rate-limit reply on day.
func (m *MemLedger) NoteRateLimited(ctx context.Context, day string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("note rate limit on %s: %w", day, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.days[day]
	q.Day = day
	q.RateLimited++
	if at.After(q.LastLimited) {
		q.LastLimited = at
	}
	m.days[day] = q
	return nil
}

// cloneDay copies q's map so callers cannot change the ledger through it.
func cloneDay(q store.QuotaDay) store.QuotaDay {
	used := make(map[store.CallKind]int, len(q.Used))
	for k, v := range q.Used {
		used[k] = v
	}
	q.Used = used
	return q
}
