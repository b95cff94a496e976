package health

import (
	"slices"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Breakers is the set of circuits, one per carrier name, created on first
// use with a shared config. It is safe for concurrent use.
type Breakers struct {
	cfg BreakerConfig

	mu     gosync.Mutex
	byName map[string]*Breaker
}

// NewBreakers returns an empty set whose breakers use cfg.
func NewBreakers(cfg BreakerConfig) *Breakers {
	return &Breakers{cfg: cfg.withDefaults(), byName: make(map[string]*Breaker)}
}

// Get returns carrier's breaker, creating a closed one on first use.
func (bs *Breakers) Get(carrier string) *Breaker {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b := bs.byName[carrier]
	if b == nil {
		b = NewBreaker(bs.cfg)
		bs.byName[carrier] = b
	}
	return b
}

// Allow reports whether a call to carrier may go now (see Breaker.Allow).
func (bs *Breakers) Allow(carrier string, now time.Time) bool { return bs.Get(carrier).Allow(now) }

// Available reports whether carrier's breaker would let a call through at
// now, without taking a half-open probe (see Breaker.Available).
func (bs *Breakers) Available(carrier string, now time.Time) bool {
	return bs.Get(carrier).Available(now)
}

// Record reports a call's result to carrier's breaker.
func (bs *Breakers) Record(carrier string, now time.Time, ok bool) { bs.Get(carrier).Record(now, ok) }

// State is carrier's circuit state at now.
func (bs *Breakers) State(carrier string, now time.Time) store.CircuitState {
	return bs.Get(carrier).State(now)
}

// Names lists the carriers with a breaker, sorted.
func (bs *Breakers) Names() []string {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	names := make([]string, 0, len(bs.byName))
	for n := range bs.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Skip adapts the set to the router's skip callback: a carrier is skipped
// when its circuit is open (or half-open with its probe in flight), with
// the circuit's reason. It does not take the half-open probe: routing only
// picks a carrier, and the pusher's Allow right before the call decides
// which push is the probe.
func (bs *Breakers) Skip(now time.Time) func(carrier string) (bool, string) {
	return func(carrier string) (bool, string) {
		b := bs.Get(carrier)
		if b.Available(now) {
			return false, ""
		}
		return true, b.Status(now).Reason()
	}
}
