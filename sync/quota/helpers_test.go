package quota

import (
	"context"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// fakeClock is a settable clock whose sleeps advance it.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

// newTestPlanner builds a planner on a fake clock and an in-memory ledger.
func newTestPlanner(t testing.TB, cfg Config, at time.Time, profile ProfileFunc) (*Planner, *MemLedger, *fakeClock) {
	t.Helper()
	clk := &fakeClock{now: at}
	ledger := NewMemLedger()
	p, err := New(cfg, ledger, clk.Now, profile, WithSleep(clk.Sleep))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, ledger, clk
}

// profileOf returns a profile function with fixed counts.
func profileOf(counts [24]int64) ProfileFunc {
	return func(context.Context) ([24]int64, error) { return counts, nil }
}

// spend reserves n calls of kind one at a time, failing the test on error.
func spend(t testing.TB, p *Planner, kind store.CallKind, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := p.Reserve(context.Background(), kind, 1); err != nil {
			t.Fatalf("reserve %s call %d: %v", kind, i+1, err)
		}
	}
}

// mustZone loads an IANA zone or fails the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return z
}

// mustWindow parses a slow window or fails the test.
func mustWindow(t testing.TB, s string) Window {
	t.Helper()
	w, err := ParseWindow(s)
	if err != nil {
		t.Fatalf("parse window %q: %v", s, err)
	}
	return w
}

// utc builds a UTC instant.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}
