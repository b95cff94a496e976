package quota

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// simOrder is one simulated order.
type simOrder struct {
	placed   time.Time
	shipLag  time.Duration
	detected time.Time
	burst    bool // placed inside a burst window
}

// simWorld is what both strategies replay: the quota days and the orders.
type simWorld struct {
	opts   SimOptions
	starts []time.Time // quota-day starts, len Days+1
	orders []simOrder
	stop   time.Time // simulation stops here even if orders are pending
	bursts []burstWindow
}

// newSimWorld lays out the quota days and generates the orders.
func newSimWorld(opts SimOptions) *simWorld {
	cfg := opts.Config
	_, start, _ := quotaDay(opts.Start, cfg.Zone, cfg.ResetHour)
	w := &simWorld{opts: opts, starts: []time.Time{start}}
	for i := 0; i < opts.Days; i++ {
		_, _, reset := quotaDay(w.starts[i], cfg.Zone, cfg.ResetHour)
		w.starts = append(w.starts, reset)
	}
	lagRNG := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	for i := 0; i < opts.Days; i++ {
		ts := slices.Clone(opts.Arrivals(w.starts[i]))
		var bw burstWindow
		if opts.Burst != nil {
			var extra []time.Time
			bw, extra = opts.Burst.window(opts.Seed, w.starts[i], cfg.BuyerZone, opts.OrdersPerDay)
			w.bursts = append(w.bursts, bw)
			ts = append(ts, extra...)
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for _, t := range ts {
			if t.Before(w.starts[i]) || !t.Before(w.starts[i+1]) {
				continue
			}
			lag := opts.ShipAfterMin + time.Duration(lagRNG.Float64()*float64(opts.ShipAfterMax-opts.ShipAfterMin))
			inBurst := opts.Burst != nil && !t.Before(bw.from) && t.Before(bw.to)
			w.orders = append(w.orders, simOrder{placed: t, shipLag: lag, burst: inBurst})
		}
	}
	w.stop = w.starts[opts.Days].Add(48 * time.Hour)
	return w
}

// dayIndex returns which measured quota day t falls in (-1 if none).
func (w *simWorld) dayIndex(t time.Time) int {
	i, found := slices.BinarySearchFunc(w.starts, t, func(s, t time.Time) int { return s.Compare(t) })
	if !found {
		i--
	}
	if i < 0 || i >= w.opts.Days {
		return -1
	}
	return i
}

// countInSlow counts instants inside a configured slow window.
func (w *simWorld) countInSlow(ts []time.Time) int {
	n := 0
	for _, t := range ts {
		for _, win := range w.opts.Config.SlowWindows {
			if win.Contains(t, w.opts.Config.Zone) {
				n++
				break
			}
		}
	}
	return n
}

// summarize computes the delay and budget figures of a run.
func (w *simWorld) summarize(orders []simOrder, calls []int, polls int) SimRun {
	var run SimRun
	delays := make([]float64, 0, len(orders))
	var burstDelays []float64
	for _, o := range orders {
		det := o.detected
		if det.IsZero() {
			det = w.stop
		}
		delays = append(delays, det.Sub(o.placed).Seconds())
		if o.burst {
			burstDelays = append(burstDelays, det.Sub(o.placed).Seconds())
		}
	}
	run.Orders = len(orders)
	run.MeanDetectionS, run.P95DetectionS = meanP95(delays)
	run.BurstOrders = len(burstDelays)
	run.BurstMeanDetectionS, run.BurstP95DetectionS = meanP95(burstDelays)
	total := 0
	for _, c := range calls {
		total += c
		run.MaxCallsInDay = max(run.MaxCallsInDay, c)
		if c > w.opts.Config.DailyLimit {
			run.DaysOverBudget++
		}
	}
	if w.opts.Days > 0 {
		run.CallsPerDay = float64(total) / float64(w.opts.Days)
		run.PollsPerDay = float64(polls) / float64(w.opts.Days)
	}
	return run
}

// meanP95 returns the mean and 95th percentile of delays (sorting them).
func meanP95(delays []float64) (mean, p95 float64) {
	if len(delays) == 0 {
		return 0, 0
	}
	var sum float64
	for _, d := range delays {
		sum += d
	}
	slices.Sort(delays)
	return sum / float64(len(delays)), delays[min(len(delays)-1, int(math.Ceil(0.95*float64(len(delays))))-1)]
}
