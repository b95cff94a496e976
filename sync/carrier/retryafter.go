package carrier

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps any server-given delay, so a hostile or misconfigured
// 3PL cannot stall a carrier for hours with one header.
const MaxRetryAfter = 10 * time.Minute

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP-date,
// clamped to [0, MaxRetryAfter]. Garbage gives 0 (the caller's own backoff
// applies).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if d, ok := parseDelaySeconds(v); ok {
		return d
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampDelay(t.Sub(now))
	}
	return 0
}

// parseDelaySeconds reads a whole number of seconds, clamped; a number too
// long to parse is clamped to the maximum rather than ignored.
func parseDelaySeconds(v string) (time.Duration, bool) {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	if digits != v {
		return 0, true // negative
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n > int64(MaxRetryAfter/time.Second) {
		return MaxRetryAfter, true
	}
	return time.Duration(n) * time.Second, true
}

// clampDelay bounds d to [0, MaxRetryAfter].
func clampDelay(d time.Duration) time.Duration {
	return min(max(d, 0), MaxRetryAfter)
}
