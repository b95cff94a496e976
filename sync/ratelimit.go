package sync

import (
	"context"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// TikTok's rate limit protocol, from the reference SDK's retry policy
// (Ruby tiktok_shop_rb_api retry_policy.rb, citing TikTok's rate-limits
// page): wait = max(Retry-After, min(base·2^n + jitter, cap)), and a 429 is
// not a 503. shipdeck waits exactly the server's Retry-After when it sent
// one (capped by the backoff policy's MaxServerDelay, after the client's
// own tiktok.MaxRetryAfter), else the backoff delay for the streak of
// consecutive 429s. No call goes to TikTok while the wait lasts.

// rateLimitWait is how long TikTok asked shipdeck to hold its calls after
// the streak-th consecutive 429.
func (e *Engine) rateLimitWait(err error, streak int) time.Duration {
	if ra := tiktok.RetryAfterOf(err); ra > 0 {
		return e.cfg.Backoff.Delay(0, ra, nil) // the server's delay, capped; jitter cannot lower it
	}
	return e.delay(streak, 0)
}

// noteRateLimit holds every TikTok call until the wait is over and
// returns the wait.
func (e *Engine) noteRateLimit(err error) time.Duration {
	e.mu.Lock()
	e.limitedStreak++
	streak := e.limitedStreak
	e.mu.Unlock()
	wait := e.rateLimitWait(err, streak-1)
	until := e.now().Add(wait)
	e.mu.Lock()
	if until.After(e.limitedUntil) {
		e.limitedUntil = until
	}
	e.mu.Unlock()
	e.log.Warn("TikTok rate limit: holding TikTok calls", "wait", wait.String(), "err", err)
	return wait
}

// rateLimitPassed resets the 429 streak after a call TikTok accepted.
func (e *Engine) rateLimitPassed() {
	e.mu.Lock()
	e.limitedStreak = 0
	e.mu.Unlock()
}

// RateLimitedFor is how much longer TikTok's last 429 holds shipdeck's
// TikTok calls (0 when it does not).
func (e *Engine) RateLimitedFor() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return max(e.limitedUntil.Sub(e.now()), 0)
}

// heldError is the refusal of a TikTok call inside a rate-limit wait: not
// sent, classified like the 429 that started the wait.
func heldError(left time.Duration) error {
	return &tiktok.APIError{Endpoint: "tiktok", Class: tiktok.ClassRateLimited, RetryAfter: left,
		Reason: "waiting out TikTok's rate limit, " + left.Round(time.Second).String() + " left (not sent)"}
}

// waitClock waits d of engine clock time (d/Speed of real time) and
// reports whether ctx is still live.
func (e *Engine) waitClock(ctx context.Context, d time.Duration) bool {
	return sleep(ctx, time.Duration(float64(d)/e.cfg.Speed))
}
