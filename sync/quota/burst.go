package quota

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Burst is a simulated viral hour: once a day, for Duration, orders arrive
// Factor times faster than the arrival curve's usual rate at that time of
// day (the extra orders come on top of the usual ones).
type Burst struct {
	// Random picks each day's start at random among the hours the arrival
	// profile is quiet (under burstQuietShape of its peak), so the planner's
	// learned profile never saw it; otherwise every burst starts at Start
	// after local midnight in the buyers' zone.
	Random   bool
	Start    time.Duration
	Duration time.Duration
	Factor   float64
}

// burstQuietShape bounds the arrival shape over a random burst's window:
// the night and the mid-afternoon lull.
const burstQuietShape = 0.2

// ParseBurst reads "START DURATION xFACTOR", e.g. "random 2h x10" or
// "03:30 90m x8".
func ParseBurst(s string) (Burst, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return Burst{}, fmt.Errorf("burst %q: want START DURATION xFACTOR, e.g. \"random 2h x10\"", s)
	}
	var b Burst
	if f[0] == "random" {
		b.Random = true
	} else {
		t, err := time.Parse("15:04", f[0])
		if err != nil {
			return Burst{}, fmt.Errorf("burst %q: start %q is neither a clock time (15:04) nor random", s, f[0])
		}
		b.Start = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	d, err := time.ParseDuration(f[1])
	if err != nil || d <= 0 || d > 12*time.Hour {
		return Burst{}, fmt.Errorf("burst %q: duration %q must be between 1m and 12h, e.g. 2h", s, f[1])
	}
	b.Duration = d
	factor, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimPrefix(f[2], "x"), "×"), 64)
	if err != nil || factor <= 0 || factor > 1000 || !strings.ContainsAny(f[2][:1], "x×") {
		return Burst{}, fmt.Errorf("burst %q: factor %q must look like x10", s, f[2])
	}
	b.Factor = factor
	return b, nil
}

// burstWindow is one day's burst.
type burstWindow struct {
	from, to time.Time
	perHour  float64 // orders per hour during the burst, on average
}

// window returns the burst of the quota day starting at day, in zone, and
// the extra orders it brings (seeded by seed and the day).
func (b Burst) window(seed uint64, day time.Time, zone *time.Location, perDay float64) (burstWindow, []time.Time) {
	rng := rand.New(rand.NewPCG(seed^0xb0057, uint64(day.Unix())))
	local := day.In(zone)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	start := midnight.Add(b.Start)
	if b.Random {
		var quiet []time.Time
		for t := midnight; t.Before(midnight.Add(24 * time.Hour)); t = t.Add(15 * time.Minute) {
			if b.quiet(t, zone) {
				quiet = append(quiet, t)
			}
		}
		if len(quiet) > 0 {
			start = quiet[rng.IntN(len(quiet))]
		}
	}
	if start.Before(day) {
		start = start.Add(24 * time.Hour)
	}
	w := burstWindow{from: start, to: start.Add(b.Duration)}
	integral, peak := shapeIntegral()
	// Extra orders arrive at (Factor−1) times the usual rate, drawn as a
	// thinned Poisson process like DefaultArrivals.
	unit := perDay / integral // orders per hour per unit of shape
	maxExtra := (b.Factor - 1) * peak * unit
	var extra []time.Time
	if maxExtra <= 0 {
		return w, nil
	}
	var usual float64
	for t := w.from; ; {
		t = t.Add(time.Duration(rng.ExpFloat64() / maxExtra * float64(time.Hour)))
		if !t.Before(w.to) {
			break
		}
		if rng.Float64()*peak < shapeAt(t, zone) {
			extra = append(extra, t)
		}
	}
	for t := w.from; t.Before(w.to); t = t.Add(time.Minute) {
		usual += shapeAt(t, zone) * unit
	}
	minutes := w.to.Sub(w.from).Minutes()
	w.perHour = b.Factor * usual / minutes
	return w, extra
}

// shapeAt is arrivalShape at t's local time of day in zone.
func shapeAt(t time.Time, zone *time.Location) float64 {
	lt := t.In(zone)
	return arrivalShape(float64(lt.Hour()) + float64(lt.Minute())/60 + float64(lt.Second())/3600)
}

// quiet reports whether the arrival shape stays under burstQuietShape over
// a burst starting at t.
func (b Burst) quiet(t time.Time, zone *time.Location) bool {
	for u := t; !u.After(t.Add(b.Duration)); u = u.Add(15 * time.Minute) {
		if shapeAt(u, zone) >= burstQuietShape {
			return false
		}
	}
	return true
}
