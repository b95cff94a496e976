package quota

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// pageSize is how many orders one search page returns; every further page
// of a poll costs one more call.
const pageSize = 100

// segStep aligns the planning grid: every real zone's offset is a multiple
// of 15 minutes, so both the UTC-hour profile and the local-hour prior are
// constant inside a quarter hour.
const segStep = 15 * time.Minute

// segment is a stretch of the rest of the day with a constant arrival rate.
type segment struct {
	from, to time.Time
	secs     float64 // to − from in seconds
	weight   float64 // sqrt of the arrival rate
	open     bool    // false inside a slow window
	rate     float64 // planned polls per second
}

// pollPlan is the planner's view of the rest of the quota day.
type pollPlan struct {
	next   time.Time
	label  string
	start  time.Time
	reset  time.Time
	ledger store.QuotaDay
	polls  float64 // polls the calls left for polling pay for
}

// NextPoll returns when the next non-urgent poll should happen, assuming
// one happened at now.
//
// The calls left for polling today (the budget less the reserve kept at the
// reset, the calls already spent, the write-backs still expected and the
// extra pages the expected orders need) are spread over the rest of the
// quota day with a poll density proportional to the square root of the
// expected arrival rate, which minimizes the mean delay between an order
// being placed and a poll storing it for a given number of polls. Before
// the reserve's release only the part of the budget outside the full
// reserve can be spent, and the plan respects that too.
//
// The interval is clamped to [MinInterval, MaxInterval] while the budget
// can pay for the maximum. No poll is planned inside a slow window: the
// last one comes just before it starts, the next at its end. With nothing
// left to spend the next poll is at the reset; while the reserve still
// holds back the next call, the poll waits until its release lets one
// through. A failing profile falls back to the prior curve; a failing
// ledger is an error.
func (p *Planner) NextPoll(ctx context.Context, now time.Time) (time.Time, error) {
	plan, err := p.plan(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	return plan.next, nil
}

// plan computes the next poll and the figures behind it.
func (p *Planner) plan(ctx context.Context, now time.Time) (pollPlan, error) {
	var pl pollPlan
	pl.label, pl.start, pl.reset = p.Day(now)
	q, err := p.ledger.Day(ctx, pl.label)
	if err != nil {
		return pl, fmt.Errorf("plan next poll: %w", err)
	}
	pl.ledger = q
	prevLabel, _, _ := p.Day(pl.start.Add(-time.Nanosecond))
	prev, err := p.ledger.Day(ctx, prevLabel)
	if err != nil {
		return pl, fmt.Errorf("plan next poll: %w", err)
	}
	counts, perr := p.profile(ctx)
	if perr != nil {
		counts = [24]int64{}
	}
	arr := newArrivals(counts, p.cfg.BuyerZone)

	segs, windows := p.segments(now, pl.reset, arr)
	p.applySurges(segs, arr, now)
	// Calls left for polling: the budget less the reserve still held at
	// the reset, what is spent, the write-backs still expected today and
	// the extra pages the expected orders will need.
	urgent, guessed := expectedWriteBacks(q, prev, arr, counts, pl.start, pl.reset, now)
	var arrivingShare float64
	for _, s := range segs {
		arrivingShare += s.weight * s.weight * s.secs / 3600
	}
	extraPages := arr.perDay * arrivingShare / pageSize
	free := float64(p.allowed(store.CallPoll, pl.reset, pl.reset) - q.Total())
	// Write-backs come from orders that polls find: however many are
	// forecast, polls keep enough for one every MaxInterval (budget
	// permitting) and, on a first day whose forecast is a guess, at least
	// half of what is free.
	minPolls := min(openSeconds(segs)/p.cfg.MaxInterval.Seconds(), max(free, 0))
	urgent = min(urgent, max(free-minPolls, 0))
	if guessed {
		urgent = min(urgent, free/2)
	}
	pl.polls = free - urgent - extraPages

	var next time.Time
	switch in, end := p.inSlowWindow(now); {
	case pl.polls < 1:
		next = pl.reset
	case in:
		next = end
	default:
		k, budget := p.horizon(segs, now, pl.reset, q.Total(), urgent, extraPages, minPolls)
		next = p.spread(segs[:k+1], windows, budget, now)
	}
	next = later(next, now.Add(p.cfg.MinInterval))
	pl.next = p.leaveSlowWindows(later(next, p.gateOpens(q.Total(), now, pl.reset))).In(now.Location())
	return pl, nil
}

// horizon finds how far ahead the budget binds. Before the reserve's
// release the day's total must stay under DailyLimit minus the full
// reserve, so polls planned for the whole day may not all fit before it:
// at each segment end τ the polls that fit are cap(τ) = the total allowed
// at τ, less what is spent and the pro-rata share of the expected
// write-backs and extra pages. The first poll's rate comes from the
// horizon with the smallest cap(τ) per unit of square-root weight up to τ
// (the first piece of the taut string under the cumulative caps); it
// returns that segment's index and cap. minPolls (one per MaxInterval) is
// kept out of the forecasts' reach wherever the gate allows it.
func (p *Planner) horizon(segs []segment, now, reset time.Time, used int, urgent, pages, minPolls float64) (int, float64) {
	rest := reset.Sub(now).Seconds()
	best, bestK, bestCap := math.Inf(1), len(segs)-1, 0.0
	var weight float64
	for k, s := range segs {
		if s.open {
			weight += s.weight * s.secs
		}
		frac := s.to.Sub(now).Seconds() / rest
		allowed := float64(p.allowed(store.CallPoll, s.to, reset) - used)
		budget := allowed - (urgent+pages)*frac
		if k < len(segs)-1 {
			// Write-backs arrive in bursts: keep two standard deviations
			// of slack where running into the held-back reserve would stop
			// polling until its release.
			budget -= 2 * math.Sqrt(urgent*frac)
		}
		// The forecast never squeezes out the once-per-MaxInterval polls
		// the gate still allows.
		budget = max(budget, min(allowed, minPolls*frac))
		if budget < 1 || weight == 0 {
			continue
		}
		if ratio := budget / weight; ratio <= best {
			best, bestK, bestCap = ratio, k, budget
		}
	}
	if math.IsInf(best, 1) {
		return len(segs) - 1, 1
	}
	return bestK, bestCap
}

// spread allocates polls over the open segments by the square-root rule
// within the interval bounds and returns the first poll after now.
func (p *Planner) spread(segs []segment, windows []span, polls float64, now time.Time) time.Time {
	sustainMax := polls >= openSeconds(segs)/p.cfg.MaxInterval.Seconds()
	allocate(segs, polls, p.cfg.MinInterval, p.cfg.MaxInterval, sustainMax)

	next := advance(segs, now)
	next = later(next, now.Add(p.cfg.MinInterval))
	if sustainMax {
		next = earlier(next, now.Add(p.cfg.MaxInterval))
	}
	// A slow window starting before the planned poll: poll just before it
	// (the orders placed until then would otherwise wait out the whole
	// window), or at its end when the last poll was too recent for that.
	for _, w := range windows {
		if !w.from.After(now) || w.from.After(next) {
			continue
		}
		if before := w.from.Add(-time.Second); before.Sub(now) >= p.cfg.MinInterval {
			return before
		}
		return w.to
	}
	return next
}

// leaveSlowWindows moves t to the end of the slow window it falls in, if
// any (repeatedly, for windows that touch).
func (p *Planner) leaveSlowWindows(t time.Time) time.Time {
	for range 16 {
		in, end := p.inSlowWindow(t)
		if !in {
			break
		}
		t = end
	}
	return t
}

// openSeconds is how long segs leave open for polling (outside slow
// windows), in seconds.
func openSeconds(segs []segment) float64 {
	var open time.Duration
	for _, s := range segs {
		if s.open {
			open += s.to.Sub(s.from)
		}
	}
	return open.Seconds()
}

// gateOpens is the first instant from now on at which the reserve lets one
// more non-urgent call through with used calls spent (the reset if none):
// the same gate Reserve applies to a poll.
func (p *Planner) gateOpens(used int, now, reset time.Time) time.Time {
	fits := func(t time.Time) bool { return used+1 <= p.allowed(store.CallPoll, t, reset) }
	if fits(now) {
		return now
	}
	if !fits(reset.Add(-time.Nanosecond)) {
		return reset
	}
	lo, hi := now, reset
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
