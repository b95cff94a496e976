package quota

import (
	"context"
	gosync "sync"
	"time"
)

// bucket is a token bucket refilled at rate tokens per second up to burst
// tokens. take hands out tokens on credit (the balance may go negative) and
// tells each caller how long to wait for its share, so concurrent callers
// queue fairly without a goroutine of their own.
type bucket struct {
	mu     gosync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(perSecond int) *bucket {
	return &bucket{rate: float64(perSecond), burst: float64(perSecond), tokens: float64(perSecond)}
}

// refill adds the tokens earned since the last call.
func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
}

// take takes n tokens at now and returns how long to wait before using
// them (zero when they were there).
func (b *bucket) take(now time.Time, n int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// give returns n tokens taken by a caller that gave up waiting.
func (b *bucket) give(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.burst, b.tokens+float64(n))
}

// drain empties the bucket, so the next call waits for a fresh token
// (after the marketplace said we were too fast).
func (b *bucket) drain(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens = min(b.tokens, 0)
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
