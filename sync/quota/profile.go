package quota

import (
	"math"
	"time"
)

// priorCurve is the relative order-arrival rate per local hour in the
// buyers' zone before any history exists: quiet nights, a rise through the
// morning, a lunchtime bump and the evening peak that social shopping has.
var priorCurve = [24]float64{
	0.50, 0.30, 0.20, 0.15, 0.15, 0.20, 0.35, 0.55, 0.75, 0.90, 1.00, 1.10,
	1.20, 1.15, 1.05, 1.00, 1.00, 1.05, 1.20, 1.35, 1.40, 1.30, 1.00, 0.75,
}

// Blending: below minHistory orders the prior is used alone; above it the
// learned profile gets weight n/(n+priorStrength).
const (
	minHistory    = 50
	priorStrength = 100
)

// arrivals is the planner's model of the order-arrival rate.
type arrivals struct {
	learned [24]float64 // share of orders per UTC hour (sums to 1)
	prior   [24]float64 // share of orders per local hour (sums to 1)
	alpha   float64     // weight of learned
	zone    *time.Location
	perDay  float64 // expected orders per day (0 when unknown)
}

// newArrivals blends the learned per-UTC-hour counts with the prior curve
// in zone.
func newArrivals(counts [24]int64, zone *time.Location) arrivals {
	a := arrivals{zone: zone}
	var priorSum float64
	for _, v := range priorCurve {
		priorSum += v
	}
	for h, v := range priorCurve {
		a.prior[h] = v / priorSum
	}
	var total int64
	for _, c := range counts {
		if c > 0 {
			total += c
		}
	}
	if total >= minHistory {
		for h, c := range counts {
			a.learned[h] = float64(max(c, 0)) / float64(total)
		}
		a.alpha = float64(total) / float64(total+priorStrength)
		a.perDay = float64(total) / ProfileDays
	}
	return a
}

// rate is the expected share of a day's orders per hour at t.
func (a arrivals) rate(t time.Time) float64 {
	return a.alpha*a.learned[t.UTC().Hour()] + (1-a.alpha)*a.prior[t.In(a.zone).Hour()]
}

// sqrtRate is the poll-density weight at t: spreading polls in proportion
// to the square root of the arrival rate minimizes the mean detection delay
// for a fixed number of polls.
func (a arrivals) sqrtRate(t time.Time) float64 { return math.Sqrt(a.rate(t)) }

// share is the expected share of a day's orders placed in [from, to).
func (a arrivals) share(from, to time.Time) float64 {
	var s float64
	for t := from; t.Before(to); {
		next := earlier(t.Truncate(segStep).Add(segStep), to)
		s += a.rate(t) * next.Sub(t).Hours()
		t = next
	}
	return s
}
