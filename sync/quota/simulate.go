package quota

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// SimOptions describes a simulated stretch of days. Zero fields take the
// defaults named beside them.
type SimOptions struct {
	// Days is the number of quota days measured (30).
	Days int
	// OrdersPerDay is the default generator's mean (150).
	OrdersPerDay float64
	// Seed seeds the arrivals and ship delays (1).
	Seed uint64
	// Config is the planner's policy; its DailyLimit (500) and reserve are
	// the budget both strategies are judged against.
	Config Config
	// Start is any instant of the first quota day (2026-03-02 noon in
	// Config.Zone).
	Start time.Time
	// Arrivals gives the order-placement times of the quota day starting at
	// day (DefaultArrivals(Seed, OrdersPerDay, Config.BuyerZone)).
	Arrivals func(day time.Time) []time.Time
	// FixedInterval is the baseline's poll interval (15 minutes).
	FixedInterval time.Duration
	// Orders ship between ShipAfterMin and ShipAfterMax after they are
	// placed (2h and 6h; never before they are detected), and their
	// tracking write-back is due WriteBackWithin after shipping (1h).
	ShipAfterMin, ShipAfterMax time.Duration
	WriteBackWithin            time.Duration
}

// SimRun is one strategy's outcome. Detection delay is the time from an
// order being placed to the poll that stores it.
type SimRun struct {
	MeanDetectionS   float64 `json:"mean_detection_s"`
	P95DetectionS    float64 `json:"p95_detection_s"`
	CallsPerDay      float64 `json:"calls_per_day"`
	DaysOverBudget   int     `json:"days_over_budget"`
	PollsPerDay      float64 `json:"polls_per_day"`
	MaxCallsInDay    int     `json:"max_calls_in_day,omitempty"`
	Orders           int     `json:"orders,omitempty"`
	WriteBacks       int     `json:"writebacks,omitempty"`
	WriteBacksOnTime int     `json:"writebacks_on_time,omitempty"`
	// PollsInSlowWindows counts polls sent inside a configured slow window.
	PollsInSlowWindows int `json:"polls_in_slow_windows,omitempty"`
	// StrictPollsPerDay and StrictMeanDetectionS (floor only) are the
	// floor if the whole reserve were kept until the reset.
	StrictPollsPerDay    float64 `json:"strict_reserve_polls_per_day,omitempty"`
	StrictMeanDetectionS float64 `json:"strict_reserve_mean_detection_s,omitempty"`
}

// SimResult compares the fixed poll, the planner and the floor (the
// square-root-rule optimum for the day's spare calls).
type SimResult struct {
	Fixed   SimRun `json:"fixed_15m"`
	Planner SimRun `json:"planner"`
	Floor   SimRun `json:"floor"`
}

// Ratio is the planner's mean detection delay as a fraction of the fixed
// poll's.
func (r SimResult) Ratio() float64 {
	if r.Fixed.MeanDetectionS == 0 {
		return 0
	}
	return r.Planner.MeanDetectionS / r.Fixed.MeanDetectionS
}

// Table renders the result as a markdown table.
func (r SimResult) Table() string {
	row := func(name string, s SimRun, wb string) string {
		return fmt.Sprintf("| %s | %.0f | %.0f | %.1f | %.1f | %d | %s |\n",
			name, s.MeanDetectionS, s.P95DetectionS, s.PollsPerDay, s.CallsPerDay, s.DaysOverBudget, wb)
	}
	onTime := func(s SimRun) string { return fmt.Sprintf("%d/%d", s.WriteBacksOnTime, s.WriteBacks) }
	out := "| strategy | mean detection (s) | p95 detection (s) | polls/day | calls/day | days over budget | write-backs on time |\n" +
		"|---|---:|---:|---:|---:|---:|---:|\n" +
		row("fixed 15 min", r.Fixed, onTime(r.Fixed)) +
		row("planner", r.Planner, onTime(r.Planner)) +
		row("floor (square-root rule, spare calls)", r.Floor, "n/a")
	return out + fmt.Sprintf("\nplanner / fixed mean detection: %.3f; floor keeping the whole reserve to the reset: %.0f s at %.1f polls/day\n",
		r.Ratio(), r.Floor.StrictMeanDetectionS, r.Floor.StrictPollsPerDay)
}

// simOrder is one simulated order.
type simOrder struct {
	placed   time.Time
	shipLag  time.Duration
	detected time.Time
}

// simWorld is what both strategies replay: the quota days and the orders.
type simWorld struct {
	opts   SimOptions
	starts []time.Time // quota-day starts, len Days+1
	orders []simOrder
	stop   time.Time // simulation stops here even if orders are pending
}

// withDefaults fills the zero fields of o.
func (o SimOptions) withDefaults() SimOptions {
	o.Config = o.Config.withDefaults()
	if o.Days == 0 {
		o.Days = 30
	}
	if o.OrdersPerDay == 0 {
		o.OrdersPerDay = 150
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 3, 2, 12, 0, 0, 0, o.Config.Zone)
	}
	if o.Arrivals == nil {
		o.Arrivals = DefaultArrivals(o.Seed, o.OrdersPerDay, o.Config.BuyerZone)
	}
	if o.FixedInterval == 0 {
		o.FixedInterval = 15 * time.Minute
	}
	if o.ShipAfterMin == 0 {
		o.ShipAfterMin = 2 * time.Hour
	}
	if o.ShipAfterMax == 0 {
		o.ShipAfterMax = 6 * time.Hour
	}
	if o.WriteBackWithin == 0 {
		o.WriteBackWithin = time.Hour
	}
	return o
}

// Simulate replays the same seeded order arrivals against a fixed poll
// and against the planner, on a virtual clock (no HTTP, no sleeping), and
// computes the floor. Both strategies write back every shipped order with
// one urgent call; a poll costs one call plus one per extra page of 100
// orders. The fixed poll is not gated (it is the naive baseline); the
// planner reserves every call through a real Planner over a MemLedger,
// learning the arrival profile from the orders it has stored.
func Simulate(opts SimOptions) (SimResult, error) {
	opts = opts.withDefaults()
	if err := opts.Config.validate(); err != nil {
		return SimResult{}, err
	}
	if opts.Days < 0 || opts.OrdersPerDay < 0 || opts.FixedInterval < 0 || opts.ShipAfterMax < opts.ShipAfterMin {
		return SimResult{}, fmt.Errorf("simulate: nonsensical options (days %d, orders/day %g)", opts.Days, opts.OrdersPerDay)
	}
	w := newSimWorld(opts)
	var res SimResult
	res.Fixed = w.runFixed()
	var err error
	if res.Planner, err = w.runPlanner(); err != nil {
		return SimResult{}, err
	}
	res.Floor = w.floor()
	return res, nil
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
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for _, t := range ts {
			if t.Before(w.starts[i]) || !t.Before(w.starts[i+1]) {
				continue
			}
			lag := opts.ShipAfterMin + time.Duration(lagRNG.Float64()*float64(opts.ShipAfterMax-opts.ShipAfterMin))
			w.orders = append(w.orders, simOrder{placed: t, shipLag: lag})
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

// pagesFor is the number of search calls a poll seeing n orders costs.
func pagesFor(n int) int { return max(1, (n+pageSize-1)/pageSize) }

// runFixed polls every FixedInterval from the first day's start.
func (w *simWorld) runFixed() SimRun {
	orders := slices.Clone(w.orders)
	calls := make([]int, w.opts.Days)
	polls := 0
	next := 0
	var wbTimes []time.Time
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
			polls++
		}
	}
	for _, t := range wbTimes {
		if d := w.dayIndex(t); d >= 0 {
			calls[d]++
		}
	}
	run := w.summarize(orders, calls, polls)
	run.WriteBacks, run.WriteBacksOnTime = len(wbTimes), len(wbTimes)
	run.PollsInSlowWindows = w.countInSlow(w.fixedPollTimes())
	return run
}

// fixedPollTimes lists the baseline's measured poll instants.
func (w *simWorld) fixedPollTimes() []time.Time {
	var out []time.Time
	for t := w.starts[0]; t.Before(w.starts[w.opts.Days]); t = t.Add(w.opts.FixedInterval) {
		out = append(out, t)
	}
	return out
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
	for _, o := range orders {
		det := o.detected
		if det.IsZero() {
			det = w.stop
		}
		delays = append(delays, det.Sub(o.placed).Seconds())
	}
	run.Orders = len(orders)
	if len(delays) > 0 {
		var sum float64
		for _, d := range delays {
			sum += d
		}
		run.MeanDetectionS = sum / float64(len(delays))
		slices.Sort(delays)
		run.P95DetectionS = delays[min(len(delays)-1, int(math.Ceil(0.95*float64(len(delays))))-1)]
	}
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

// writeBack is a pending tracking write-back in the planner run.
type writeBack struct {
	due, deadline time.Time
}

// writeBackQueue is a min-heap of write-backs by due time.
type writeBackQueue []writeBack

func (q writeBackQueue) Len() int           { return len(q) }
func (q writeBackQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q writeBackQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *writeBackQueue) Push(x any)        { *q = append(*q, x.(writeBack)) }
func (q *writeBackQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// simProfile counts stored orders per UTC hour of their creation over the
// last ProfileDays days, like the store's arrival counters.
type simProfile struct {
	created []time.Time // stored orders' creation times, in creation order
	lo      int
	counts  [24]int64
}

func (s *simProfile) add(t time.Time) {
	s.created = append(s.created, t)
	s.counts[t.UTC().Hour()]++
}

func (s *simProfile) at(now time.Time) [24]int64 {
	from := now.Add(-ProfileDays * 24 * time.Hour)
	for s.lo < len(s.created) && s.created[s.lo].Before(from) {
		s.counts[s.created[s.lo].UTC().Hour()]--
		s.lo++
	}
	return s.counts
}

// runPlanner drives a real Planner on the virtual clock.
func (w *simWorld) runPlanner() (SimRun, error) {
	ctx := context.Background()
	orders := slices.Clone(w.orders)
	now := w.starts[0]
	clock := func() time.Time { return now }
	sleep := func(ctx context.Context, d time.Duration) error {
		now = now.Add(d)
		return ctx.Err()
	}
	prof := &simProfile{}
	ledger := NewMemLedger()
	p, err := New(w.opts.Config, ledger, clock, func(context.Context) ([24]int64, error) { return prof.at(now), nil }, WithSleep(sleep))
	if err != nil {
		return SimRun{}, fmt.Errorf("simulate planner: %w", err)
	}
	var (
		queue     writeBackQueue
		nextPoll  = now
		next      int
		polls     int
		pollTimes []time.Time
		wbOnTime  int
		end       = w.starts[w.opts.Days]
	)
	for {
		pollFirst := queue.Len() == 0 || nextPoll.Before(queue[0].due)
		t := nextPoll
		if !pollFirst {
			t = queue[0].due
		}
		if !t.Before(w.stop) || (!t.Before(end) && next == len(orders) && queue.Len() == 0) {
			break
		}
		now = later(now, t)
		if !pollFirst {
			wb := heap.Pop(&queue).(writeBack)
			err := p.Reserve(ctx, store.CallWriteBack, 1)
			var ex *ExhaustedError
			switch {
			case errors.As(err, &ex):
				wb.due = ex.ResetAt
				heap.Push(&queue, wb)
			case err != nil:
				return SimRun{}, fmt.Errorf("simulate planner write-back: %w", err)
			default:
				if !now.After(wb.deadline) {
					wbOnTime++
				}
			}
			continue
		}
		// A poll: the first page, then one call per further page.
		for page := 0; ; page++ {
			err := p.Reserve(ctx, store.CallPoll, 1)
			if errors.Is(err, store.ErrQuotaExhausted) {
				break
			}
			if err != nil {
				return SimRun{}, fmt.Errorf("simulate planner poll: %w", err)
			}
			if page == 0 && now.Before(end) {
				polls++
				pollTimes = append(pollTimes, now)
			}
			n := 0
			for next < len(orders) && n < pageSize && !orders[next].placed.After(now) {
				o := &orders[next]
				o.detected = now
				prof.add(o.placed)
				ship := later(o.placed.Add(o.shipLag), now)
				heap.Push(&queue, writeBack{due: ship, deadline: ship.Add(w.opts.WriteBackWithin)})
				next++
				n++
			}
			if n < pageSize || next == len(orders) || orders[next].placed.After(now) {
				break
			}
		}
		np, err := p.NextPoll(ctx, now)
		if err != nil {
			return SimRun{}, fmt.Errorf("simulate planner: %w", err)
		}
		if !np.After(now) {
			np = now.Add(time.Second)
		}
		nextPoll = np
	}
	calls := make([]int, w.opts.Days)
	for i := range calls {
		label, _, _ := quotaDay(w.starts[i], w.opts.Config.Zone, w.opts.Config.ResetHour)
		q, err := ledger.Day(ctx, label)
		if err != nil {
			return SimRun{}, fmt.Errorf("simulate planner: %w", err)
		}
		calls[i] = q.Total()
	}
	run := w.summarize(orders, calls, polls)
	run.WriteBacks = len(orders)
	run.WriteBacksOnTime = wbOnTime
	run.PollsInSlowWindows = w.countInSlow(pollTimes)
	return run, nil
}
