package quota

import (
	"context"
	"math"
	"time"
)

// A surge is a stretch of time when orders arrive far faster than the
// learned profile says: a video goes viral or a LIVE starts, at an hour
// the profile never saw. While a surge lasts the planner weighs its
// segments by the surge's rate, so the square-root rule moves polls there
// from the rest of the day; the budget, the reserve and the write-back
// forecast are the same as on any day, so a surge can never overspend.
const (
	// surgeLookback is how far back the polls' finds are summed to
	// estimate the current rate.
	surgeLookback = 20 * time.Minute
	// surgeFactor is how many times the profile's rate the observed rate
	// must be to count as a surge.
	surgeFactor = 2.5
	// surgeMinOrders is how many orders the lookback must hold before a
	// surge is believed: two orders in a quiet hour are noise.
	surgeMinOrders = 3
	// surgeHold is how long a surge is assumed to go on after the last
	// poll that confirmed it.
	surgeHold = 30 * time.Minute
	// surgeMinHistory is how much of a day the polls must have seen before
	// their finds say what a normal rate is.
	surgeMinHistory = 6 * time.Hour
)

// surge is a known or detected stretch of fast arrivals.
type surge struct {
	from, to time.Time
	perHour  float64 // orders per hour
}

// pollNote is what one poll found.
type pollNote struct {
	at    time.Time
	found int
}

// NotePoll tells the planner how many new or changed orders the poll at at
// found. From these the planner notices a surge — orders arriving at least
// surgeFactor times faster than expected — and plans the rest of the day
// around it until surgeHold after the last poll that confirmed it. What is
// expected comes from the polls themselves: the orders of the last day of
// polls, spread by the profile's shape (the profile's own daily total is
// short while its history is).
func (p *Planner) NotePoll(ctx context.Context, at time.Time, found int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes = append(p.notes, pollNote{at: at, found: found})
	drop := 0
	for drop < len(p.notes)-1 && at.Sub(p.notes[drop+1].at) >= 24*time.Hour {
		drop++
	}
	p.notes = p.notes[drop:]
	// The first note of a stretch only marks where it starts: its orders
	// arrived before it.
	recent := len(p.notes) - 1
	for recent > 0 && at.Sub(p.notes[recent-1].at) < surgeLookback {
		recent--
	}
	if recent == 0 || at.Sub(p.notes[0].at) < surgeMinHistory {
		return
	}
	since, dayFrom := p.notes[recent-1].at, p.notes[0].at
	orders, dayOrders := 0, 0
	for i, n := range p.notes[1:] {
		dayOrders += n.found
		if i+1 >= recent {
			orders += n.found
		}
	}
	counts, err := p.profile(ctx)
	if err != nil {
		return
	}
	arr := newArrivals(counts, p.cfg.BuyerZone)
	dayShare := arr.share(dayFrom, at)
	hours := at.Sub(since).Hours()
	if dayShare <= 0 || hours <= 0 {
		return
	}
	p.perDay = float64(dayOrders) / dayShare
	observed := float64(orders) / hours
	expected := p.perDay * arr.share(since, at) / hours
	if orders < surgeMinOrders || observed < surgeFactor*expected {
		return
	}
	p.surges = p.activeSurges(at)
	if n := len(p.surges); n > 0 && !p.surges[n-1].to.Before(since) {
		s := &p.surges[n-1]
		s.to = later(s.to, at.Add(surgeHold))
		s.perHour = observed
		return
	}
	p.surges = append(p.surges, surge{from: at, to: at.Add(surgeHold), perHour: observed})
}

// ExpectSurge tells the planner in advance that orders will arrive at
// perHour between from and to (a planned LIVE, a scheduled promotion).
// The simulation's oracle uses it to know each burst before it starts.
func (p *Planner) ExpectSurge(from, to time.Time, perHour float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.surges = append(p.surges, surge{from: from, to: to, perHour: perHour})
}

// activeSurges returns the surges not over at t. The caller holds p.mu.
func (p *Planner) activeSurges(t time.Time) []surge {
	var out []surge
	for _, s := range p.surges {
		if s.to.After(t) {
			out = append(out, s)
		}
	}
	return out
}

// applySurges raises the weight of the segments a surge covers to the
// surge's rate, as a share of the day's orders per hour like the profile's.
func (p *Planner) applySurges(segs []segment, arr arrivals, now time.Time) {
	p.mu.Lock()
	active := p.activeSurges(now)
	perDay := p.perDay
	p.mu.Unlock()
	if perDay <= 0 {
		perDay = arr.perDay
	}
	if len(active) == 0 || perDay <= 0 {
		return
	}
	for i := range segs {
		s := &segs[i]
		for _, su := range active {
			lo, hi := later(s.from, su.from), earlier(s.to, su.to)
			if !hi.After(lo) {
				continue
			}
			// Part of the segment in the surge: blend the rates by time.
			frac := hi.Sub(lo).Seconds() / s.secs
			rate := s.weight*s.weight*(1-frac) + math.Max(su.perHour/perDay, s.weight*s.weight)*frac
			s.weight = math.Sqrt(rate)
		}
	}
}
