package quota

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// arrivalShape is the relative order rate at local hour h (fractional):
// a quiet night, a lunchtime peak and a stronger evening peak, the shape
// of live-stream and social shopping. It is deliberately not the planner's
// prior curve, so a simulation shows the planner learning.
func arrivalShape(h float64) float64 {
	bump := func(center, width float64) float64 {
		d := math.Abs(h - center)
		d = math.Min(d, 24-d)
		return math.Exp(-d * d / (2 * width * width))
	}
	return 0.06 + 0.8*bump(12.5, 2.0) + 1.3*bump(20.5, 1.7)
}

// DefaultArrivals returns a seeded generator of order-placement times: a
// non-homogeneous Poisson process averaging perDay orders a day with
// arrivalShape's lunchtime and evening peaks in zone (nil means UTC). Asked
// for the day starting at day it returns the 25 hours from day, enough for
// any quota day. The same seed and day always give the same orders,
// whatever order the days are asked for in.
func DefaultArrivals(seed uint64, perDay float64, zone *time.Location) func(day time.Time) []time.Time {
	if zone == nil {
		zone = time.UTC
	}
	integral, peak := shapeIntegral()
	perHour := perDay / integral // orders per hour per unit of shape
	return func(day time.Time) []time.Time {
		if perDay <= 0 {
			return nil
		}
		// 25 hours cover the longest (DST) quota day whatever its zone;
		// Simulate keeps the orders inside the day.
		next := day.Add(25 * time.Hour)
		rng := rand.New(rand.NewPCG(seed, uint64(day.Unix())))
		maxRate := peak * perHour / 3600 // per second
		var out []time.Time
		for t := day; ; {
			t = t.Add(time.Duration(rng.ExpFloat64() / maxRate * float64(time.Second)))
			if !t.Before(next) {
				break
			}
			lt := t.In(zone)
			h := float64(lt.Hour()) + float64(lt.Minute())/60 + float64(lt.Second())/3600
			if rng.Float64()*peak < arrivalShape(h) {
				out = append(out, t)
			}
		}
		slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
		return out
	}
}

// shapeIntegral returns arrivalShape's integral over a day (in hours) and
// its peak: a day of perDay orders arrives at perDay/integral orders an
// hour per unit of shape.
func shapeIntegral() (integral, peak float64) {
	const steps = 24 * 60
	for i := range steps {
		v := arrivalShape(float64(i) * 24 / steps)
		integral += v * 24 / steps
		peak = math.Max(peak, v)
	}
	return integral, peak
}
