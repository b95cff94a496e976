package quota

import (
	"fmt"
	"time"
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
	// day (DefaultArrivals(Seed, OrdersPerDay, Config.BuyerZone)); times
	// outside the day are ignored.
	Arrivals func(day time.Time) []time.Time
	// FixedInterval is the baseline's poll interval (15 minutes).
	FixedInterval time.Duration
	// Orders ship between ShipAfterMin and ShipAfterMax after they are
	// placed (2h and 6h; never before they are detected), and their
	// tracking write-back is due WriteBackWithin after shipping (1h).
	ShipAfterMin, ShipAfterMax time.Duration
	WriteBackWithin            time.Duration
	// Burst, if set, adds one burst of orders a day (see Burst).
	Burst *Burst
}

// SimRun is one strategy's outcome. Detection delay is the time from an
// order being placed to the poll that stores it.
type SimRun struct {
	MeanDetectionS float64 `json:"mean_detection_s"`
	P95DetectionS  float64 `json:"p95_detection_s"`
	// BurstOrders are the orders placed inside a burst window, and the
	// Burst* figures their detection delay.
	BurstOrders         int     `json:"burst_orders,omitempty"`
	BurstMeanDetectionS float64 `json:"burst_mean_detection_s,omitempty"`
	BurstP95DetectionS  float64 `json:"burst_p95_detection_s,omitempty"`
	CallsPerDay         float64 `json:"calls_per_day"`
	DaysOverBudget      int     `json:"days_over_budget"`
	PollsPerDay         float64 `json:"polls_per_day"`
	MaxCallsInDay       int     `json:"max_calls_in_day,omitempty"`
	Orders              int     `json:"orders,omitempty"`
	WriteBacks          int     `json:"writebacks,omitempty"`
	WriteBacksOnTime    int     `json:"writebacks_on_time,omitempty"`
	// PollsInSlowWindows counts polls sent inside a configured slow window.
	PollsInSlowWindows int `json:"polls_in_slow_windows,omitempty"`
	// StrictPollsPerDay and StrictMeanDetectionS (floor only) are the
	// floor if the whole reserve were kept until the reset.
	StrictPollsPerDay    float64 `json:"strict_reserve_polls_per_day,omitempty"`
	StrictMeanDetectionS float64 `json:"strict_reserve_mean_detection_s,omitempty"`
}

// SimResult compares the fixed poll, the planner, the oracle (the planner
// told each burst in advance) and the floor (the square-root-rule optimum
// for the day's spare calls).
type SimResult struct {
	Fixed   SimRun `json:"fixed_15m"`
	Planner SimRun `json:"planner"`
	Oracle  SimRun `json:"oracle"`
	Floor   SimRun `json:"floor"`
}

// BurstRatio is the planner's mean detection delay of burst orders as a
// multiple of the oracle's (0 without bursts).
func (r SimResult) BurstRatio() float64 {
	if r.Oracle.BurstMeanDetectionS == 0 {
		return 0
	}
	return r.Planner.BurstMeanDetectionS / r.Oracle.BurstMeanDetectionS
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
	bursts := r.Planner.BurstOrders > 0
	row := func(name string, s SimRun, wb string) string {
		burst := ""
		if bursts {
			burst = fmt.Sprintf(" %.0f | %.0f |", s.BurstMeanDetectionS, s.BurstP95DetectionS)
			if name == "floor (square-root rule, spare calls)" {
				burst = " n/a | n/a |"
			}
		}
		return fmt.Sprintf("| %s | %.0f | %.0f |%s %.1f | %.1f | %d | %s |\n",
			name, s.MeanDetectionS, s.P95DetectionS, burst, s.PollsPerDay, s.CallsPerDay, s.DaysOverBudget, wb)
	}
	onTime := func(s SimRun) string { return fmt.Sprintf("%d/%d", s.WriteBacksOnTime, s.WriteBacks) }
	head := "| strategy | mean detection (s) | p95 detection (s) |"
	rule := "|---|---:|---:|"
	if bursts {
		head += " burst orders: mean (s) | burst orders: p95 (s) |"
		rule += "---:|---:|"
	}
	out := head + " polls/day | calls/day | days over budget | write-backs on time |\n" +
		rule + "---:|---:|---:|---:|\n" +
		row("fixed 15 min", r.Fixed, onTime(r.Fixed)) +
		row("planner", r.Planner, onTime(r.Planner))
	if bursts {
		out += row("oracle (planner told each burst in advance)", r.Oracle, onTime(r.Oracle))
	}
	out += row("floor (square-root rule, spare calls)", r.Floor, "n/a")
	out += fmt.Sprintf("\nplanner / fixed mean detection: %.3f; floor keeping the whole reserve to the reset: %.0f s at %.1f polls/day\n",
		r.Ratio(), r.Floor.StrictMeanDetectionS, r.Floor.StrictPollsPerDay)
	if bursts {
		out += fmt.Sprintf("burst orders: %d; planner / oracle mean detection of burst orders: %.2f\n", r.Planner.BurstOrders, r.BurstRatio())
	}
	return out
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
	if opts.Burst != nil && (opts.Burst.Duration <= 0 || opts.Burst.Factor <= 0) {
		return SimResult{}, fmt.Errorf("simulate: burst needs a positive duration and factor")
	}
	if opts.Days < 0 || opts.OrdersPerDay < 0 || opts.FixedInterval < 0 || opts.ShipAfterMax < opts.ShipAfterMin {
		return SimResult{}, fmt.Errorf("simulate: nonsensical options (days %d, orders/day %g)", opts.Days, opts.OrdersPerDay)
	}
	w := newSimWorld(opts)
	var res SimResult
	res.Fixed = w.runFixed()
	var err error
	if res.Planner, err = w.runPlanner(false); err != nil {
		return SimResult{}, err
	}
	if res.Oracle, err = w.runPlanner(true); err != nil {
		return SimResult{}, err
	}
	res.Floor = w.floor()
	return res, nil
}
