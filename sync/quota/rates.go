package quota

import (
	"math"
	"slices"
	"time"
)

// segments cuts [now, reset) at quarter hours and slow-window edges, and
// returns the pieces with their weights, plus the slow windows met.
func (p *Planner) segments(now, reset time.Time, arr arrivals) ([]segment, []span) {
	var windows []span
	for _, w := range p.cfg.SlowWindows {
		windows = append(windows, w.occurrences(now, reset, p.cfg.Zone)...)
	}
	slices.SortFunc(windows, func(a, b span) int { return a.from.Compare(b.from) })
	cuts := []time.Time{now, reset}
	for t := now.Truncate(segStep).Add(segStep); t.Before(reset); t = t.Add(segStep) {
		cuts = append(cuts, t)
	}
	for _, w := range windows {
		for _, t := range []time.Time{w.from, w.to} {
			if t.After(now) && t.Before(reset) {
				cuts = append(cuts, t)
			}
		}
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	cuts = slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })
	segs := make([]segment, 0, len(cuts))
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		mid := from.Add(to.Sub(from) / 2)
		open := true
		for _, w := range windows {
			if !mid.Before(w.from) && mid.Before(w.to) {
				open = false
				break
			}
		}
		segs = append(segs, segment{from: from, to: to, secs: to.Sub(from).Seconds(), weight: arr.sqrtRate(mid), open: open})
	}
	return segs, windows
}

// allocate sets each open segment's poll rate to c·weight clamped to
// [1/max, 1/min] (the lower bound only when the budget sustains it), with
// c chosen so the rest of the day gets polls polls. This is the optimum of
// the square-root rule under interval bounds.
func allocate(segs []segment, polls float64, minI, maxI time.Duration, sustainMax bool) {
	hi := 1 / minI.Seconds()
	lo := 0.0
	if sustainMax {
		lo = 1 / maxI.Seconds()
	}
	total := func(c float64) float64 {
		var n float64
		for i := range segs {
			if segs[i].open {
				n += min(max(c*segs[i].weight, lo), hi) * segs[i].secs
			}
		}
		return n
	}
	set := func(c float64) {
		for i := range segs {
			segs[i].rate = 0
			if segs[i].open {
				segs[i].rate = min(max(c*segs[i].weight, lo), hi)
			}
		}
	}
	if total(math.Inf(1)) <= polls {
		set(math.Inf(1))
		return
	}
	// Start from the unclamped solution's constant.
	var weighted float64
	for _, sg := range segs {
		if sg.open {
			weighted += sg.weight * sg.secs
		}
	}
	lowC, highC := 0.0, 1e-6
	if weighted > 0 {
		highC = max(highC, polls/weighted)
	}
	for total(highC) < polls && highC < 1e12 {
		highC *= 2
	}
	for range 50 {
		mid := (lowC + highC) / 2
		if total(mid) < polls {
			lowC = mid
		} else {
			highC = mid
		}
	}
	set(highC)
}

// advance walks the planned rates from now until one poll's worth has
// accumulated and returns that instant; running off the end returns the
// last segment's end.
func advance(segs []segment, now time.Time) time.Time {
	var acc float64
	end := now
	for _, s := range segs {
		if s.rate > 0 && acc+s.rate*s.secs >= 1 {
			return s.from.Add(time.Duration((1 - acc) / s.rate * float64(time.Second)))
		}
		acc += s.rate * s.secs
		end = s.to
	}
	return end
}

// later returns the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// earlier returns the earlier of two instants.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
