package quota

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// The planner beats the premise's fixed 15-minute poll by at least three
// times under the same 500-call budget, and neither goes over budget.
func TestSimulateTargetThirtyDays(t *testing.T) {
	res, err := Simulate(SimOptions{Days: 30, OrdersPerDay: 150, Seed: 1, Config: Config{DailyLimit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Table())
	js, _ := json.Marshal(res)
	t.Logf("%s", js)
	if res.Fixed.DaysOverBudget != 0 || res.Planner.DaysOverBudget != 0 {
		t.Errorf("days over budget: fixed %d, planner %d; want 0 and 0", res.Fixed.DaysOverBudget, res.Planner.DaysOverBudget)
	}
	if r := res.Ratio(); r > 1.0/3 {
		t.Errorf("planner mean detection %.0fs is %.3f of the fixed poll's %.0fs; want at most 1/3",
			res.Planner.MeanDetectionS, r, res.Fixed.MeanDetectionS)
	}
	if res.Planner.WriteBacksOnTime != res.Planner.WriteBacks {
		t.Errorf("planner wrote back %d of %d orders on time; want all", res.Planner.WriteBacksOnTime, res.Planner.WriteBacks)
	}
}

func TestSimulateIsDeterministic(t *testing.T) {
	opts := SimOptions{Days: 3, Seed: 7}
	a, err := Simulate(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs with one seed differ:\n%+v\n%+v", a, b)
	}
	c, err := Simulate(SimOptions{Days: 3, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("runs with different seeds are identical")
	}
}

// Buyers in Los Angeles (through the DST change), the quota resetting at
// midnight in Shanghai and TikTok's slow Shanghai evening: the planner
// stays in budget, never polls in the slow window, writes back on time and
// still beats the fixed poll.
func TestSimulateZonesAndSlowWindow(t *testing.T) {
	slow, err := ParseWindow("18:00-21:00 Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(SimOptions{
		Days: 14,
		Config: Config{
			Zone:        mustZone(t, "Asia/Shanghai"),
			BuyerZone:   mustZone(t, "America/Los_Angeles"),
			SlowWindows: []Window{slow},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Table())
	if res.Planner.DaysOverBudget != 0 {
		t.Errorf("planner over budget on %d days", res.Planner.DaysOverBudget)
	}
	if res.Planner.PollsInSlowWindows != 0 {
		t.Errorf("planner polled %d times inside the slow window", res.Planner.PollsInSlowWindows)
	}
	if res.Fixed.PollsInSlowWindows == 0 {
		t.Errorf("the fixed poll never hit the slow window; the scenario is not testing anything")
	}
	if res.Planner.WriteBacksOnTime != res.Planner.WriteBacks {
		t.Errorf("planner wrote back %d of %d on time", res.Planner.WriteBacksOnTime, res.Planner.WriteBacks)
	}
	// Orders placed inside the three-hour window wait for its end, which
	// alone adds about 100 s to the mean here; the fixed poll ignores the
	// window.
	if res.Planner.MeanDetectionS >= 0.6*res.Fixed.MeanDetectionS {
		t.Errorf("planner mean detection %.0fs is not under 0.6 of the fixed poll's %.0fs", res.Planner.MeanDetectionS, res.Fixed.MeanDetectionS)
	}
}

// At loads the budget cannot carry (2 000 orders a day, one write-back
// each) the naive fixed poll overspends every day; the planner never does,
// and the floor says there is nothing to spare.
func TestSimulateOverloadStaysInBudget(t *testing.T) {
	res, err := Simulate(SimOptions{Days: 5, OrdersPerDay: 2000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Table())
	if res.Planner.DaysOverBudget != 0 || res.Planner.MaxCallsInDay > 500 {
		t.Errorf("planner over budget on %d days (max %d calls)", res.Planner.DaysOverBudget, res.Planner.MaxCallsInDay)
	}
	if res.Fixed.DaysOverBudget != 5 {
		t.Errorf("fixed poll over budget on %d of 5 days; the overload is not one", res.Fixed.DaysOverBudget)
	}
	if res.Floor.PollsPerDay != 0 || res.Floor.MeanDetectionS != 0 {
		t.Errorf("floor under overload = %+v, want no spare polls", res.Floor)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("overload result does not encode: %v", err)
	}
}

func TestSimulateNoOrders(t *testing.T) {
	res, err := Simulate(SimOptions{Days: 2, Arrivals: func(time.Time) []time.Time { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Planner.DaysOverBudget != 0 || res.Planner.PollsPerDay < 24 || res.Planner.Orders != 0 {
		t.Errorf("a day without orders: %+v", res.Planner)
	}
}

func TestSimulateRejectsNonsense(t *testing.T) {
	if _, err := Simulate(SimOptions{Days: -1}); err == nil {
		t.Error("negative days accepted")
	}
	if _, err := Simulate(SimOptions{Config: Config{ResetHour: 30}}); err == nil {
		t.Error("reset hour 30 accepted")
	}
}

// BenchmarkPlannerVsFixed runs the 30-day comparison at 150 orders a day
// on a 500-call budget and reports both mean detection delays and their
// ratio.
func BenchmarkPlannerVsFixed(b *testing.B) {
	var res SimResult
	for b.Loop() {
		var err error
		res, err = Simulate(SimOptions{Days: 30, OrdersPerDay: 150, Seed: 1, Config: Config{DailyLimit: 500}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Fixed.MeanDetectionS, "fixed_mean_s")
	b.ReportMetric(res.Planner.MeanDetectionS, "planner_mean_s")
	b.ReportMetric(res.Floor.MeanDetectionS, "floor_mean_s")
	b.ReportMetric(res.Ratio(), "planner/fixed")
	b.ReportMetric(float64(res.Planner.DaysOverBudget), "planner_days_over")
}
