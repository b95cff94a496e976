package sim

import (
	gosync "sync"
	"time"
)

// TimeSource is anything that tells the time. Both kinds of Clock satisfy
// it, and so does a caller's own fake.
type TimeSource interface {
	Now() time.Time
}

// Clock is the simulator's notion of now. An accelerated clock runs speed
// times faster than the real one from a chosen start, so a demo day passes
// in minutes; a manual clock only moves when a test says so, which keeps
// tests deterministic. Advance and Set work on both kinds.
type Clock struct {
	mu        gosync.Mutex
	manual    bool
	now       time.Time // manual clocks
	start     time.Time // accelerated clocks
	realStart time.Time
	speed     float64
	real      func() time.Time
	offset    time.Duration // Advance/Set on accelerated clocks
}

// NewClock returns an accelerated clock: Now() = start + (real() −
// real-at-creation) × speed. A nil real uses time.Now; a speed ≤ 0 means 1.
func NewClock(start time.Time, speed float64, real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	if speed <= 0 {
		speed = 1
	}
	return &Clock{start: start, realStart: real(), speed: speed, real: real}
}

// NewManualClock returns a clock that stays at start until Advance or Set
// moves it.
func NewManualClock(start time.Time) *Clock {
	return &Clock{manual: true, now: start, speed: 1}
}

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.manual {
		return c.now
	}
	elapsed := c.real().Sub(c.realStart)
	return c.start.Add(time.Duration(float64(elapsed)*c.speed) + c.offset)
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.manual {
		c.now = c.now.Add(d)
		return
	}
	c.offset += d
}

// Set moves the clock to t; an accelerated clock keeps running from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.manual {
		c.now = t
		return
	}
	c.offset += t.Sub(c.nowLocked())
}

// Speed is how many simulated seconds pass per real second (1 for a manual
// clock, which does not pass time on its own).
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// Manual reports whether the clock only moves when told to.
func (c *Clock) Manual() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.manual
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// WallClock returns the real clock as a TimeSource.
func WallClock() TimeSource { return wallClock{} }
