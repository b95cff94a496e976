package quota

import (
	"math"
	"time"
)

// floorBin is the width of the density bins the floor is computed on.
const floorBin = 15 * time.Minute

// floor computes the best mean detection delay the day's spare calls
// could buy if the arrival density were known exactly. Spare calls are
// the budget less the reserve the planner never releases (the floor
// reserve, or the whole reserve when release is off) less the day's
// write-backs, all spent on single-page polls; Strict* repeats it keeping
// the whole reserve. With poll rate r(t) the mean delay is ∫λ/(2r) / ∫λ,
// minimized under ∫r = k by r ∝ √λ (the square-root rule). λ is the
// measured arrival density by time since the quota day's start, averaged
// over the simulated days, in 15-minute bins. It ignores interval bounds
// and slow windows and treats polls as a continuous density, so it is a
// bound, not a schedule.
func (w *simWorld) floor() SimRun {
	days := w.opts.Days
	var run SimRun
	if days == 0 || len(w.orders) == 0 {
		return run
	}
	nBins := int(25*time.Hour/floorBin) + 1
	lambda := make([]float64, nBins)
	for _, o := range w.orders {
		d := w.dayIndex(o.placed)
		if d < 0 {
			continue
		}
		b := int(o.placed.Sub(w.starts[d]) / floorBin)
		lambda[min(b, nBins-1)]++
	}
	for i := range lambda {
		lambda[i] /= float64(days) // orders per bin per day
	}
	cfg := w.opts.Config
	writeBacks := float64(len(w.orders)) / float64(days)
	kept := cfg.HeldBack(w.starts[1], w.starts[1])
	run.Orders = len(w.orders)
	run.CallsPerDay = float64(cfg.DailyLimit - kept)
	run.PollsPerDay = max(float64(cfg.DailyLimit-kept)-writeBacks, 0)
	run.MeanDetectionS, run.P95DetectionS = sqrtRuleDelay(lambda, run.PollsPerDay)
	run.StrictPollsPerDay = max(float64(cfg.DailyLimit-cfg.Reserve())-writeBacks, 0)
	run.StrictMeanDetectionS, _ = sqrtRuleDelay(lambda, run.StrictPollsPerDay)
	return run
}

// sqrtRuleDelay returns the mean and 95th-percentile detection delay, in
// seconds, of k polls a day spread by the square-root rule over arrivals
// lambda (orders per floorBin per day). With no spare calls (k = 0: the
// write-backs alone use the budget) there is no floor and both are zero.
func sqrtRuleDelay(lambda []float64, k float64) (mean, p95 float64) {
	if k <= 0 {
		return 0, 0
	}
	binS := floorBin.Seconds()
	var sumSqrt, total float64
	for _, l := range lambda {
		sumSqrt += math.Sqrt(l)
		total += l
	}
	if total == 0 {
		return 0, 0
	}
	// Polls per second in bin i: c·√λ_i with Σ c·√λ_i·binS = k.
	c := k / (sumSqrt * binS)
	rate := func(l float64) float64 { return c * math.Sqrt(l) }
	for _, l := range lambda {
		if l > 0 {
			mean += l / total / (2 * rate(l))
		}
	}
	// Inside a bin with interval Δ = 1/r the delay is uniform on [0, Δ]:
	// P(D > x) = Σ share_i · max(0, 1 − x·r_i). Solve P = 5 %.
	tail := func(x float64) float64 {
		var p float64
		for _, l := range lambda {
			if l > 0 {
				p += l / total * math.Max(0, 1-x*rate(l))
			}
		}
		return p
	}
	lo, hi := 0.0, 48*time.Hour.Seconds()
	for range 80 {
		mid := (lo + hi) / 2
		if tail(mid) > 0.05 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return mean, hi
}
