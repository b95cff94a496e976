package quota

import (
	"slices"
	"time"
)

// pagesFor is the number of search calls a poll seeing n orders costs.
func pagesFor(n int) int { return max(1, (n+pageSize-1)/pageSize) }

// runFixed polls every FixedInterval from the first day's start.
func (w *simWorld) runFixed() SimRun {
	orders := slices.Clone(w.orders)
	calls := make([]int, w.opts.Days)
	next := 0
	var pollTimes, wbTimes []time.Time
	for t := w.starts[0]; t.Before(w.stop) && (next < len(orders) || t.Before(w.starts[w.opts.Days])); t = t.Add(w.opts.FixedInterval) {
		n := 0
		for next+n < len(orders) && !orders[next+n].placed.After(t) {
			orders[next+n].detected = t
			wbTimes = append(wbTimes, later(orders[next+n].placed.Add(orders[next+n].shipLag), t))
			n++
		}
		next += n
		if d := w.dayIndex(t); d >= 0 {
			calls[d] += pagesFor(n)
			pollTimes = append(pollTimes, t)
		}
	}
	for _, t := range wbTimes {
		if d := w.dayIndex(t); d >= 0 {
			calls[d]++
		}
	}
	run := w.summarize(orders, calls, len(pollTimes))
	run.WriteBacks, run.WriteBacksOnTime = len(wbTimes), len(wbTimes)
	run.PollsInSlowWindows = w.countInSlow(pollTimes)
	return run
}
