// Package health keeps per-carrier call latency and error counts in bounded
// memory, and the circuit breakers that stop shipdeck from hammering a
// carrier that is failing. Every method takes the time it should consider
// "now" (or the time a call happened), so the caller's injected clock, a
// simulator's accelerated clock or a test's fixed instant all work alike.
package health

import (
	"slices"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Standard windows the carriers pane shows.
const (
	Window5m  = 5 * time.Minute
	Window1h  = time.Hour
	Window24h = 24 * time.Hour
)

// SparkMinutes is the number of points Spark returns: one per minute of the
// last hour.
const SparkMinutes = 60

// Stats summarises a carrier's calls over a window. Percentiles cover every
// call, failed ones included: a timeout is latency the operator waited
// through. They are approximations within about 4.4% (see the histogram
// layout); Calls, Errors and ErrorRate are exact.
type Stats struct {
	P50, P95, P99 time.Duration
	Calls         int
	Errors        int
	// ErrorRate is Errors/Calls, 0 when there were no calls.
	ErrorRate float64
}

// Tracker records calls per carrier in a 24-hour ring of per-minute
// buckets, each with a small log-scaled latency histogram, so memory stays
// bounded however many calls are made. It is safe for concurrent use:
// calls to different carriers never contend.
type Tracker struct {
	mu     gosync.RWMutex
	series map[string]*series
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker {
	return &Tracker{series: make(map[string]*series)}
}

// seriesFor returns the carrier's series, creating it when create is set.
func (t *Tracker) seriesFor(carrier string, create bool) *series {
	t.mu.RLock()
	s := t.series[carrier]
	t.mu.RUnlock()
	if s != nil || !create {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s = t.series[carrier]; s == nil {
		s = &series{}
		t.series[carrier] = s
	}
	return s
}

// Record adds one call to carrier that happened at at, took latency and
// succeeded or not. Calls more than 24 hours older than newer data for the
// same minute slot are dropped; a negative latency counts as 0.
func (t *Tracker) Record(carrier string, at time.Time, latency time.Duration, ok bool) {
	t.seriesFor(carrier, true).record(at, latency, ok)
}

// Load warms the tracker from stored samples at start, so the carriers pane
// shows history immediately instead of an empty day.
func (t *Tracker) Load(samples []store.LatencySample) {
	for _, s := range samples {
		t.Record(s.Carrier, s.At, s.Latency, s.OK)
	}
}

// windowMinutes is how many minute buckets a window spans: the minute now
// falls in and the ones before it, window rounded up to whole minutes and
// kept within [1 minute, 24 hours].
func windowMinutes(window time.Duration) int {
	n := int((window + time.Minute - 1) / time.Minute)
	return min(max(n, 1), ringMinutes)
}

// Stats summarises carrier's calls over window ending at now. The window is
// counted in whole minutes: the minute now falls in plus the window/1m - 1
// minutes before it (so a 5m window at 12:07:30 covers 12:03:00-12:07:59).
// Calls after now's minute are not counted. An unknown carrier has zero
// Stats.
func (t *Tracker) Stats(carrier string, window time.Duration, now time.Time) Stats {
	s := t.seriesFor(carrier, false)
	if s == nil {
		return Stats{}
	}
	return s.stats(unixMinute(now), windowMinutes(window))
}

// Spark is carrier's median latency per minute over the last hour, oldest
// first, in milliseconds, SparkMinutes points with 0 where there were no
// calls. The last point is now's minute.
func (t *Tracker) Spark(carrier string, now time.Time) []float64 {
	s := t.seriesFor(carrier, false)
	if s == nil {
		return make([]float64, SparkMinutes)
	}
	return s.medians(unixMinute(now), SparkMinutes)
}

// Carriers lists the carriers with recorded calls, sorted by name.
func (t *Tracker) Carriers() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	names := make([]string, 0, len(t.series))
	for n := range t.series {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Row fills the latency part of a carriers-pane row: percentiles, calls and
// error rate over window, and the last hour's sparkline. Kind, InFlight and
// Circuit are the engine's to fill.
func (t *Tracker) Row(carrier string, window time.Duration, now time.Time) store.CarrierStats {
	st := t.Stats(carrier, window, now)
	return store.CarrierStats{
		Name:      carrier,
		P50:       st.P50,
		P95:       st.P95,
		P99:       st.P99,
		Calls:     st.Calls,
		ErrorRate: st.ErrorRate,
		Spark:     t.Spark(carrier, now),
	}
}
