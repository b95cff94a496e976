package quota

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// StoreLedger keeps the quota ledger in shipdeck's Badger store, so a
// reservation is synced to disk before the call it pays for is sent.
type StoreLedger struct {
	Store *store.Store
}

// Reserve reserves n calls of kind on day in one store transaction.
func (l StoreLedger) Reserve(ctx context.Context, day string, kind store.CallKind, n, limit, allowed int) (store.QuotaDay, error) {
	var q store.QuotaDay
	err := l.Store.Update(ctx, func(tx *store.Tx) error {
		var err error
		q, err = tx.ReserveQuota(day, kind, n, limit, allowed)
		return err
	})
	if err != nil {
		return q, fmt.Errorf("reserve %d %s calls on %s: %w", n, kind, day, err)
	}
	return q, nil
}

// Day reads the ledger of one quota day.
func (l StoreLedger) Day(ctx context.Context, day string) (store.QuotaDay, error) {
	q, err := l.Store.Quota(ctx, day)
	if err != nil {
		return q, fmt.Errorf("read quota day %s: %w", day, err)
	}
	return q, nil
}

// NoteRateLimited records a rate-limit reply on day.
func (l StoreLedger) NoteRateLimited(ctx context.Context, day string, at time.Time) error {
	err := l.Store.Update(ctx, func(tx *store.Tx) error { return tx.NoteRateLimited(day, at) })
	if err != nil {
		return fmt.Errorf("note rate limit on %s: %w", day, err)
	}
	return nil
}

// StoreProfile adapts the store's per-hour arrival counters to the
// planner's profile function: orders created per UTC hour of day over the
// last ProfileDays days.
//
// The profile moves slowly, while the planner asks for it on every status
// (the console's snapshots, up to ten a second), so a reading is reused for
// profileTTL of clock time instead of reading 336 hour counters each time.
func StoreProfile(s *store.Store, clock func() time.Time) func(ctx context.Context) ([24]int64, error) {
	var mu gosync.Mutex
	var cached [24]int64
	var readAt time.Time
	return func(ctx context.Context) ([24]int64, error) {
		now := clock()
		mu.Lock()
		defer mu.Unlock()
		if !readAt.IsZero() && now.Sub(readAt) >= 0 && now.Sub(readAt) < profileTTL {
			return cached, nil
		}
		p, err := s.ArrivalProfile(ctx, now, ProfileDays)
		if err != nil {
			return p, fmt.Errorf("read arrival profile: %w", err)
		}
		cached, readAt = p, now
		return p, nil
	}
}

// profileTTL is how long a read arrival profile is reused.
const profileTTL = 10 * time.Minute
