package sshd

import (
	"net"
	"sync"
	"time"
)

// maxTrackedAddrs bounds the rate limiter's memory under a spread-out
// flood; beyond it, addresses with a full bucket are forgotten first.
const maxTrackedAddrs = 4096

// bucket is a token bucket: up to burst tokens, refilled at perSecond.
// It is not safe for concurrent use; its owner serializes access.
type bucket struct {
	perSecond, burst float64
	tokens           float64
	last             time.Time
}

func newBucket(perSecond, burst float64, now time.Time) *bucket {
	return &bucket{perSecond: perSecond, burst: burst, tokens: burst, last: now}
}

func (b *bucket) refill(now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.perSecond)
		b.last = now
	}
}

// take spends a token, or reports that there is none.
func (b *bucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// full reports whether the bucket has refilled completely.
func (b *bucket) full(now time.Time) bool {
	b.refill(now)
	return b.tokens >= b.burst
}

// connLimiter is a token bucket per remote IP: perMinute connections a
// minute, in bursts of up to perMinute.
type connLimiter struct {
	perMinute float64
	now       func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// newConnLimiter returns nil (no limit) for perMinute <= 0.
func newConnLimiter(perMinute int, now func() time.Time) *connLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &connLimiter{perMinute: float64(perMinute), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for addr's IP, or reports that it has none left.
func (l *connLimiter) allow(addr net.Addr) bool {
	if l == nil {
		return true
	}
	ip := hostOf(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= maxTrackedAddrs {
			l.prune(now)
		}
		b = newBucket(l.perMinute/60, l.perMinute, now)
		l.buckets[ip] = b
	}
	return b.take(now)
}

// prune forgets addresses whose bucket has refilled (they lose nothing),
// then, if still too many, arbitrary ones.
func (l *connLimiter) prune(now time.Time) {
	for ip, b := range l.buckets {
		if b.full(now) {
			delete(l.buckets, ip)
		}
	}
	for ip := range l.buckets {
		if len(l.buckets) < maxTrackedAddrs/2 {
			break
		}
		delete(l.buckets, ip)
	}
}

// hostOf is the IP of a TCP address (the whole string otherwise).
func hostOf(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
