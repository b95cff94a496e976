package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// hourlyShape is the relative order rate by local hour: quiet at night, a
// daytime peak around lunch and a larger evening peak when live shopping
// streams run. HourlyWeights normalizes it.
var hourlyShape = [24]float64{
	1.2, 0.7, 0.4, 0.3, 0.3, 0.4, // 00–05
	0.7, 1.2, 1.8, 2.3, 2.7, 3.0, // 06–11
	3.2, 3.0, 2.6, 2.4, 2.4, 2.7, // 12–17
	3.3, 4.0, 4.4, 4.0, 3.0, 2.0, // 18–23
}

// HourlyWeights is the share of a day's orders that arrive in each local
// hour (they sum to 1): the profile the simulator draws arrivals from.
func HourlyWeights() [24]float64 {
	var sum float64
	for _, w := range hourlyShape {
		sum += w
	}
	var out [24]float64
	for h, w := range hourlyShape {
		out[h] = w / sum
	}
	return out
}

// ArrivalTimes returns the order arrival times in [from, to), ascending: a
// non-homogeneous Poisson process whose rate follows HourlyWeights in zone
// and averages ordersPerDay. The result depends only on the arguments, and
// any window gives the same arrivals as the matching slice of a larger one,
// because each local day is drawn from its own seeded stream. A nil zone
// means UTC.
func ArrivalTimes(seed int64, ordersPerDay int, from, to time.Time, zone *time.Location) []time.Time {
	if zone == nil {
		zone = time.UTC
	}
	if ordersPerDay <= 0 || !from.Before(to) {
		return nil
	}
	var out []time.Time
	for day := localDayStart(from, zone); day.Before(to); day = nextLocalDay(day, zone) {
		for _, t := range dayArrivals(seed, ordersPerDay, day, zone) {
			if !t.Before(from) && t.Before(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

// localDayStart is the local midnight at or before t in zone.
func localDayStart(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
}

// nextLocalDay is the local midnight after day (23, 24 or 25 hours later).
func nextLocalDay(day time.Time, zone *time.Location) time.Time {
	l := day.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, zone)
}

// dayArrivals draws one local day's arrivals from a stream seeded by the
// seed and the calendar date. Within each real hour the rate is constant,
// so a Poisson count of uniform times is an exact draw.
func dayArrivals(seed int64, ordersPerDay int, day time.Time, zone *time.Location) []time.Time {
	l := day.In(zone)
	dayKey := uint64(l.Year())*10000 + uint64(l.Month())*100 + uint64(l.Day())
	rng := rand.New(rand.NewPCG(uint64(seed), dayKey^0x9e3779b97f4a7c15))
	weights := HourlyWeights()
	end := nextLocalDay(day, zone)
	var out []time.Time
	for t := day; t.Before(end); {
		next := t.Add(time.Hour)
		if next.After(end) {
			next = end
		}
		span := next.Sub(t)
		lambda := float64(ordersPerDay) * weights[t.In(zone).Hour()] * span.Hours()
		n := poisson(rng, lambda)
		start := len(out)
		for range n {
			out = append(out, t.Add(time.Duration(rng.Int64N(int64(span)))))
		}
		slices.SortFunc(out[start:], func(a, b time.Time) int { return a.Compare(b) })
		t = next
	}
	return out
}

// poisson draws a Poisson(lambda) count. Large rates are split into pieces
// of at most 30 (a sum of Poissons is Poisson), which keeps Knuth's method
// away from underflow.
func poisson(rng *rand.Rand, lambda float64) int {
	n := 0
	for lambda > 0 {
		part := min(lambda, 30)
		lambda -= part
		limit := math.Exp(-part)
		p := 1.0
		for {
			p *= rng.Float64()
			if p <= limit {
				break
			}
			n++
		}
	}
	return n
}
