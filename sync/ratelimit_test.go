package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// TestRateLimitHoldsForTheServersDelay: a 429 holds every TikTok call for
// exactly the delay the server asked for (capped at the backoff's
// max_server_delay), not a fixed pause; nothing is sent inside the wait,
// and the next call after it goes through.
func TestRateLimitHoldsForTheServersDelay(t *testing.T) {
	tests := []struct {
		name     string
		simOpts  func(*sim.Options)
		inject   bool
		wantHold time.Duration
	}{
		// The simulator's per-second throttle answers Retry-After: 1.
		{name: "Retry-After 1 s", inject: true, wantHold: time.Second},
		// TikTok's daily budget is used up: Retry-After runs to the quota
		// day's reset, hours away; shipdeck waits its cap, 10 minutes.
		{name: "Retry-After to the daily reset, capped", simOpts: func(o *sim.Options) { o.DailyLimit = 1 }, wantHold: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, worldOptions{ordersPerDay: 200, history: 2 * time.Hour, discover: true, simOpts: tt.simOpts})
			defer w.close()
			if tt.inject {
				w.sim.InjectFault(sim.Fault{Endpoint: sim.EndpointSearch, Kind: sim.FaultRateLimited})
			}
			_, err := w.eng.Poll(ctx)
			if tiktok.ClassOf(err) != tiktok.ClassRateLimited {
				t.Fatalf("poll error %v, want a rate limit", err)
			}
			if got := w.eng.RateLimitedFor(); got != tt.wantHold {
				t.Fatalf("TikTok calls held for %s, want the server's %s", got, tt.wantHold)
			}
			sent := w.sim.Counters().Marketplace.Calls[sim.EndpointSearch]
			w.clock.Advance(tt.wantHold - time.Millisecond)
			if _, err := w.eng.Poll(ctx); tiktok.ClassOf(err) != tiktok.ClassRateLimited {
				t.Fatalf("poll inside the wait: %v, want it held", err)
			}
			if n := w.sim.Counters().Marketplace.Calls[sim.EndpointSearch]; n != sent {
				t.Fatalf("%d searches sent inside the wait", n-sent)
			}
			if !tt.inject {
				return // TikTok's day has not reset: later calls are refused again
			}
			w.clock.Advance(time.Millisecond)
			if _, err := w.eng.Poll(ctx); err != nil {
				t.Fatalf("poll after the wait: %v", err)
			}
		})
	}
}
