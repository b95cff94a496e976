package sim

import (
	"context"
	"math/rand/v2"
	gosync "sync"
	"time"
)

// latencyProfile is a service's response time: uniform between Min and Max,
// with a TailP chance of TailMin..TailMax instead.
type latencyProfile struct {
	Min, Max         time.Duration
	TailP            float64
	TailMin, TailMax time.Duration
}

// latencyModel draws response times, scaled by the simulator's latency knob
// (0 in tests: no waiting at all).
type latencyModel struct {
	mu    gosync.Mutex
	rng   *rand.Rand
	scale float64
}

func newLatencyModel(seed int64, salt uint64, scale float64) *latencyModel {
	return &latencyModel{rng: rand.New(rand.NewPCG(uint64(seed), salt)), scale: scale}
}

func (l *latencyModel) setScale(s float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scale = max(s, 0)
}

func (l *latencyModel) draw(p latencyProfile) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.scale <= 0 {
		return 0
	}
	lo, hi := p.Min, p.Max
	if p.TailP > 0 && l.rng.Float64() < p.TailP {
		lo, hi = p.TailMin, p.TailMax
	}
	d := lo
	if hi > lo {
		d += time.Duration(l.rng.Int64N(int64(hi - lo)))
	}
	return time.Duration(float64(d) * l.scale)
}

// sleepCtx waits d of real time, or less if the request or the simulator
// ends first. It reports whether the full wait passed.
func sleepCtx(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-done:
	}
	return false
}

// shanghai is fixed at UTC+8: China keeps no daylight saving time, so no
// tz database is needed.
var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// marketplaceLatency is TikTok's response time at sim time now: quick most
// of the day, slower with a heavy p99 tail from 18:00 to 21:00 Beijing time.
func marketplaceLatency(now time.Time) latencyProfile {
	if h := now.In(shanghai).Hour(); h >= 18 && h < 21 {
		return latencyProfile{Min: 150 * time.Millisecond, Max: 450 * time.Millisecond,
			TailP: 0.01, TailMin: 2 * time.Second, TailMax: 6 * time.Second}
	}
	return latencyProfile{Min: 40 * time.Millisecond, Max: 160 * time.Millisecond,
		TailP: 0.01, TailMin: 300 * time.Millisecond, TailMax: 800 * time.Millisecond}
}
