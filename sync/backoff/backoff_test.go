package backoff

import (
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestEnvelopeGrowsAndCaps(t *testing.T) {
	p := Policy{Base: time.Second, Cap: 5 * time.Minute}
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{-3, time.Second},
		{0, time.Second},
		{1, 2 * time.Second},
		{3, 8 * time.Second},
		{8, 256 * time.Second},
		{9, 5 * time.Minute},
		{1000, 5 * time.Minute},
	}
	for _, tc := range tests {
		if got := p.Envelope(tc.attempt); got != tc.want {
			t.Errorf("Envelope(%d) = %s, want %s", tc.attempt, got, tc.want)
		}
	}
}

func TestZeroPolicyUsesDefaults(t *testing.T) {
	var p Policy
	if got := p.Envelope(0); got != DefaultBase {
		t.Errorf("zero policy first envelope = %s, want %s", got, DefaultBase)
	}
	if got := p.Envelope(100); got != DefaultCap {
		t.Errorf("zero policy capped envelope = %s, want %s", got, DefaultCap)
	}
	if got := p.Delay(0, time.Hour, nil); got != DefaultMaxServerDelay {
		t.Errorf("zero policy server delay = %s, want capped at %s", got, DefaultMaxServerDelay)
	}
	if Default() != (Policy{Base: DefaultBase, Cap: DefaultCap, MaxAttempts: DefaultMaxAttempts, MaxServerDelay: DefaultMaxServerDelay}) {
		t.Errorf("Default() = %+v", Default())
	}
}

func TestDelayHonoursServerDelay(t *testing.T) {
	p := Policy{Base: time.Second, Cap: time.Minute, MaxServerDelay: 10 * time.Minute}
	tests := []struct {
		name    string
		attempt int
		server  time.Duration
		min     time.Duration
		max     time.Duration
	}{
		{"no server delay stays in envelope", 2, 0, 0, 4 * time.Second},
		{"negative server delay ignored", 2, -time.Hour, 0, 4 * time.Second},
		{"server asks for longer", 0, 30 * time.Second, 30 * time.Second, 30 * time.Second},
		{"server asks beyond cap", 0, time.Hour, 10 * time.Minute, 10 * time.Minute},
		{"server asks for less than jitter floor", 20, time.Second, time.Second, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, 2))
			for range 200 {
				d := p.Delay(tc.attempt, tc.server, rnd)
				if d < tc.min || d > tc.max {
					t.Fatalf("Delay = %s, want within [%s, %s]", d, tc.min, tc.max)
				}
			}
		})
	}
}

func TestDelayIsDeterministicGivenRand(t *testing.T) {
	p := Default()
	a := rand.New(rand.NewPCG(7, 9))
	b := rand.New(rand.NewPCG(7, 9))
	for i := range 50 {
		if da, db := p.Delay(i%10, 0, a), p.Delay(i%10, 0, b); da != db {
			t.Fatalf("draw %d: %s != %s with the same seed", i, da, db)
		}
	}
}

func TestDelayJitterSpreadsRetries(t *testing.T) {
	// Orders failing together must not retry together: full jitter spreads
	// the draws over the whole envelope.
	p := Policy{Base: time.Second, Cap: time.Minute}
	rnd := rand.New(rand.NewPCG(3, 4))
	var low, high int
	for range 1000 {
		d := p.Delay(5, 0, rnd) // envelope 32s
		if d < 8*time.Second {
			low++
		}
		if d > 24*time.Second {
			high++
		}
	}
	if low < 150 || high < 150 {
		t.Errorf("draws not spread over the envelope: %d below 8s, %d above 24s of 1000", low, high)
	}
}

func TestExhausted(t *testing.T) {
	tests := []struct {
		policy   Policy
		attempts int
		want     bool
	}{
		{Policy{}, 7, false},
		{Policy{}, 8, true},
		{Policy{MaxAttempts: 3}, 2, false},
		{Policy{MaxAttempts: 3}, 3, true},
		{Policy{MaxAttempts: 3}, 9, true},
	}
	for _, tc := range tests {
		if got := tc.policy.Exhausted(tc.attempts); got != tc.want {
			t.Errorf("%+v.Exhausted(%d) = %v, want %v", tc.policy, tc.attempts, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		ok     bool
	}{
		{"zero", Policy{}, true},
		{"default", Default(), true},
		{"negative base", Policy{Base: -1}, false},
		{"negative cap", Policy{Cap: -1}, false},
		{"negative attempts", Policy{MaxAttempts: -1}, false},
		{"negative server delay", Policy{MaxServerDelay: -1}, false},
		{"cap below base", Policy{Base: time.Minute, Cap: time.Second}, false},
	}
	for _, tc := range tests {
		if err := tc.policy.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// TestDelayBoundsProperty checks, for arbitrary policies and inputs, that a
// delay is never negative, stays within the capped envelope unless the
// server asked for longer, honours the server's request up to
// MaxServerDelay and never exceeds the larger of Cap and MaxServerDelay.
func TestDelayBoundsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Policy{
			Base:           time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "base")),
			Cap:            time.Duration(rapid.Int64Range(0, int64(24*time.Hour)).Draw(t, "cap")),
			MaxAttempts:    rapid.IntRange(0, 50).Draw(t, "maxAttempts"),
			MaxServerDelay: time.Duration(rapid.Int64Range(0, int64(24*time.Hour)).Draw(t, "maxServer")),
		}
		attempt := rapid.IntRange(-5, 10_000).Draw(t, "attempt")
		server := time.Duration(rapid.Int64Range(-int64(time.Hour), int64(48*time.Hour)).Draw(t, "server"))
		seed := rapid.Uint64().Draw(t, "seed")

		eff := p.withDefaults()
		d := p.Delay(attempt, server, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
		capped := min(eff.Cap, p.Envelope(attempt))
		honoured := min(max(server, 0), eff.MaxServerDelay)
		if d < 0 {
			t.Fatalf("negative delay %s", d)
		}
		if d > capped && d != honoured {
			t.Fatalf("delay %s above envelope %s though server asked only %s", d, capped, server)
		}
		if d < honoured {
			t.Fatalf("delay %s below the server's capped request %s", d, honoured)
		}
		if d > max(eff.Cap, eff.MaxServerDelay) {
			t.Fatalf("delay %s above both cap %s and max server delay %s", d, eff.Cap, eff.MaxServerDelay)
		}
		if server > eff.Cap && d > eff.MaxServerDelay && d > capped {
			t.Fatalf("server delay %s let delay %s exceed MaxServerDelay %s", server, d, eff.MaxServerDelay)
		}
		again := p.Delay(attempt, server, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
		if again != d {
			t.Fatalf("same seed gave %s then %s", d, again)
		}
	})
}
