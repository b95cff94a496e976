package carrier

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateWindow is ShipStation's rate-limit window as its last reply
// announced it (X-Rate-Limit-Remaining and X-Rate-Limit-Reset; 40 requests
// a minute per key).
type rateWindow struct {
	mu sync.Mutex
	// exhausted is set when the window had no requests left.
	exhausted bool
	resetAt   time.Time
}

// observe records the window a reply announced. A reply without the
// headers changes nothing.
func (w *rateWindow) observe(h http.Header, now time.Time) {
	remaining, ok := headerInt(h, "X-Rate-Limit-Remaining")
	if !ok {
		return
	}
	if remaining > 0 {
		w.mu.Lock()
		w.exhausted = false
		w.mu.Unlock()
		return
	}
	d, ok := resetDelay(h)
	if !ok {
		d = time.Minute // the window's length
	}
	w.exhaust(now, d)
}

// exhaust records that no requests remain until now+d.
func (w *rateWindow) exhaust(now time.Time, d time.Duration) {
	if d <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.exhausted = true
	w.resetAt = now.Add(d)
}

// delay is how long to wait before the next request; 0 when it may go now.
func (w *rateWindow) delay(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.exhausted {
		return 0
	}
	d := w.resetAt.Sub(now)
	if d <= 0 {
		w.exhausted = false
		return 0
	}
	return d
}

// resetDelay reads X-Rate-Limit-Reset (seconds until the window resets),
// clamped to [0, MaxRetryAfter].
func resetDelay(h http.Header) (time.Duration, bool) {
	n, ok := headerInt(h, "X-Rate-Limit-Reset")
	if !ok {
		return 0, false
	}
	return clampDelay(time.Duration(min(n, int64(MaxRetryAfter/time.Second))) * time.Second), true
}

// headerInt reads a non-negative integer header.
func headerInt(h http.Header, name string) (int64, bool) {
	v := strings.TrimSpace(h.Get(name))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
