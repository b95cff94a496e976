package health

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// step is one event in a breaker scenario, at an offset from t0.
type step struct {
	at time.Duration
	do string // "ok", "fail", "allow", "deny", "available" or "state"
	n  int    // repeat count for ok/fail (default 1)
	// expect is the state for "state", and "yes" or "no" for "available".
	expect store.CircuitState
}

func TestBreakerStateMachine(t *testing.T) {
	cfg := BreakerConfig{Window: 20, WindowAge: time.Minute, MinCalls: 5, Threshold: 0.5, CoolDown: 30 * time.Second}
	closed, open, half := store.CircuitClosed, store.CircuitOpen, store.CircuitHalfOpen
	tests := []struct {
		name  string
		steps []step
	}{
		{"fresh breaker is closed and allows", []step{
			{do: "state", expect: closed}, {do: "allow"},
		}},
		{"failures below min calls keep it closed", []step{
			{do: "fail", n: 4}, {do: "state", expect: closed}, {do: "allow"},
		}},
		{"error rate over threshold opens it", []step{
			{do: "fail", n: 5}, {do: "state", expect: open}, {do: "deny"},
		}},
		{"error rate exactly at threshold stays closed", []step{
			{do: "ok", n: 5}, {do: "fail", n: 5}, {do: "state", expect: closed},
			{do: "fail"}, {do: "state", expect: open},
		}},
		{"only the last 20 calls count", []step{
			// 15 ok then 11 fail: last 20 hold 9 ok + 11 fail = 55% (of all 26 calls only 42%).
			{do: "ok", n: 15}, {do: "fail", n: 10}, {do: "state", expect: closed},
			{do: "fail"}, {do: "state", expect: open},
		}},
		{"failures older than the window age do not count", []step{
			{do: "fail", n: 4},
			{at: 61 * time.Second, do: "fail", n: 2}, {at: 61 * time.Second, do: "state", expect: closed},
		}},
		{"cool-down leads to half-open with a single probe", []step{
			{do: "fail", n: 5},
			{at: 29 * time.Second, do: "state", expect: open}, {at: 29 * time.Second, do: "deny"},
			{at: 30 * time.Second, do: "state", expect: half},
			{at: 30 * time.Second, do: "allow"}, {at: 31 * time.Second, do: "deny"},
		}},
		{"probe success closes and clears the window", []step{
			{do: "fail", n: 5},
			{at: 30 * time.Second, do: "allow"}, {at: 31 * time.Second, do: "ok"},
			{at: 31 * time.Second, do: "state", expect: closed}, {at: 31 * time.Second, do: "allow"},
			{at: 32 * time.Second, do: "fail", n: 4}, {at: 32 * time.Second, do: "state", expect: closed},
		}},
		{"probe failure reopens for another cool-down", []step{
			{do: "fail", n: 5},
			{at: 30 * time.Second, do: "allow"}, {at: 31 * time.Second, do: "fail"},
			{at: 31 * time.Second, do: "state", expect: open}, {at: 60 * time.Second, do: "deny"},
			{at: 61 * time.Second, do: "state", expect: half}, {at: 61 * time.Second, do: "allow"},
		}},
		{"lost probe result lets another probe through after the probe timeout", []step{
			{do: "fail", n: 5},
			{at: 30 * time.Second, do: "allow"}, {at: 59 * time.Second, do: "deny"},
			{at: 60 * time.Second, do: "allow"},
		}},
		{"available never takes the probe", []step{
			{do: "fail", n: 5}, {at: 10 * time.Second, do: "available", expect: "no"},
			{at: 30 * time.Second, do: "available", expect: "yes"}, {at: 30 * time.Second, do: "available", expect: "yes"},
			{at: 30 * time.Second, do: "allow"}, {at: 30 * time.Second, do: "available", expect: "no"},
		}},
		{"stragglers recorded while open are ignored", []step{
			{do: "fail", n: 5}, {at: time.Second, do: "ok", n: 10}, {at: time.Second, do: "state", expect: open},
		}},
	}
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBreaker(cfg)
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				switch s.do {
				case "ok", "fail":
					for range max(s.n, 1) {
						b.Record(now, s.do == "ok")
					}
				case "allow", "deny":
					if got := b.Allow(now); got != (s.do == "allow") {
						t.Fatalf("step %d at +%s: Allow = %v, want %v", i, s.at, got, s.do == "allow")
					}
				case "available":
					if got := b.Available(now); got != (s.expect == "yes") {
						t.Fatalf("step %d at +%s: Available = %v, want %s", i, s.at, got, s.expect)
					}
				case "state":
					if got := b.State(now); got != s.expect {
						t.Fatalf("step %d at +%s: State = %s, want %s", i, s.at, got, s.expect)
					}
				default:
					t.Fatalf("step %d: unknown action %q", i, s.do)
				}
			}
		})
	}
}

func TestBreakerStatusExplainsWhy(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	b := NewBreaker(BreakerConfig{})
	b.Record(t0, true)
	b.Record(t0, false)
	if st := b.Status(t0); st.State != store.CircuitClosed || st.Calls != 2 || st.Errors != 1 || st.Reason() != "" {
		t.Errorf("closed status = %+v reason %q", st, st.Reason())
	}
	for range 5 {
		b.Record(t0, false)
	}
	st := b.Status(t0)
	if st.State != store.CircuitOpen || st.Opens != 1 || !st.RetryAt.Equal(t0.Add(DefaultBreakerCoolDown)) {
		t.Fatalf("open status = %+v", st)
	}
	if r := st.Reason(); !strings.Contains(r, "4 of the last 5 calls failed") || !strings.Contains(r, "09:00:30") {
		t.Errorf("open reason = %q", r)
	}
}

func TestBreakerDefaultsAndValidate(t *testing.T) {
	c := BreakerConfig{}.withDefaults()
	want := BreakerConfig{Window: 20, WindowAge: time.Minute, MinCalls: 5, Threshold: 0.5, CoolDown: 30 * time.Second, ProbeTimeout: 30 * time.Second}
	if c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
	}
	bad := []BreakerConfig{
		{Window: -1}, {MinCalls: -1}, {Window: 5, MinCalls: 6}, {Threshold: 1.5}, {CoolDown: -time.Second},
	}
	for _, b := range bad {
		if b.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", b)
		}
	}
	if err := (BreakerConfig{}).Validate(); err != nil {
		t.Errorf("zero config invalid: %v", err)
	}
}

func TestBreakersSkipOpenCarriers(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	bs := NewBreakers(BreakerConfig{})
	for range 5 {
		bs.Record("flaky", t0, false)
	}
	bs.Record("swift", t0, true)
	skip := bs.Skip(t0)
	if s, why := skip("swift"); s || why != "" {
		t.Errorf("swift skipped: %v %q", s, why)
	}
	if s, why := skip("flaky"); !s || !strings.Contains(why, "circuit open") {
		t.Errorf("flaky not skipped: %v %q", s, why)
	}
	if got := bs.State("flaky", t0); got != store.CircuitOpen {
		t.Errorf("flaky state %s", got)
	}
	// After the cool-down routing may pick the carrier again, without
	// taking the probe; once the pusher's Allow takes it, routing skips the
	// carrier until the probe's result is in.
	at := t0.Add(DefaultBreakerCoolDown)
	later := bs.Skip(at)
	for range 2 {
		if s, why := later("flaky"); s {
			t.Errorf("half-open carrier skipped before its probe: %q", why)
		}
	}
	if !bs.Available("flaky", at) || !bs.Allow("flaky", at) {
		t.Fatal("half-open probe not allowed")
	}
	if s, why := later("flaky"); !s || !strings.Contains(why, "probe in flight") {
		t.Errorf("probe in flight but not skipped: %v %q", s, why)
	}
	if bs.Allow("flaky", at) {
		t.Error("second probe allowed")
	}
	bs.Record("flaky", at, true)
	if s, _ := later("flaky"); s {
		t.Error("closed after a good probe but still skipped")
	}
	if !bs.Allow("unknown", t0) {
		t.Error("a carrier never called is not allowed")
	}
	if got := bs.Names(); !slices.Equal(got, []string{"flaky", "swift", "unknown"}) {
		t.Errorf("Names() = %v", got)
	}
}
