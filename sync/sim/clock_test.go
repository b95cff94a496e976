package sim

import (
	"testing"
	"time"
)

func TestAcceleratedClockRunsSpeedTimesFaster(t *testing.T) {
	real := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := func() time.Time { return real }
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := NewClock(start, 60, fake)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("at creation Now() = %v, want %v", got, start)
	}
	real = real.Add(10 * time.Second)
	if got, want := c.Now(), start.Add(10*time.Minute); !got.Equal(want) {
		t.Fatalf("after 10 real seconds at 60x Now() = %v, want %v", got, want)
	}
	c.Advance(time.Hour)
	if got, want := c.Now(), start.Add(70*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance(1h) Now() = %v, want %v", got, want)
	}
	target := start.Add(48 * time.Hour)
	c.Set(target)
	if got := c.Now(); !got.Equal(target) {
		t.Fatalf("after Set Now() = %v, want %v", got, target)
	}
	real = real.Add(time.Second)
	if got, want := c.Now(), target.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("clock stopped running after Set: %v, want %v", got, want)
	}
}

func TestManualClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := NewManualClock(start)
	if !c.Now().Equal(start) || !c.Manual() {
		t.Fatalf("manual clock starts at %v (manual=%v)", c.Now(), c.Manual())
	}
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance: got %v", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Set: got %v", got)
	}
	var _ TimeSource = c
}
