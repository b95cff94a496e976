package quota

import (
	"strings"
	"testing"
	"time"
)

func TestParseBurst(t *testing.T) {
	tests := []struct {
		in      string
		want    Burst
		wantErr string
	}{
		{in: "random 2h x10", want: Burst{Random: true, Duration: 2 * time.Hour, Factor: 10}},
		{in: "03:30 90m x8", want: Burst{Start: 3*time.Hour + 30*time.Minute, Duration: 90 * time.Minute, Factor: 8}},
		{in: "random 2h", wantErr: "START DURATION xFACTOR"},
		{in: "noon 2h x10", wantErr: "neither a clock time"},
		{in: "random forever x10", wantErr: "duration"},
		{in: "random 2h 10", wantErr: "factor"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBurst(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseBurst(%q) error %v, want one saying %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseBurst(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestPlannerReactsToBursts replays the scenario — 30 seeded days
// of 150 orders and 500 calls, with one random two-hour ×10 burst a day at
// an hour the profile never saw: the planner, which only learns of a burst
// from what its polls find, detects burst orders within 1.5× of an oracle
// told each burst in advance, keeps its overall mean under 0.3× the fixed
// poll's, and has no day over budget and every write-back on time.
func TestPlannerReactsToBursts(t *testing.T) {
	res, err := Simulate(SimOptions{Days: 30, OrdersPerDay: 150, Config: Config{DailyLimit: 500},
		Burst: &Burst{Random: true, Duration: 2 * time.Hour, Factor: 10}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Table())
	if res.Planner.BurstOrders == 0 {
		t.Fatal("no burst orders: the scenario tests nothing")
	}
	if r := res.BurstRatio(); r > 1.5 {
		t.Errorf("planner's burst-order mean is %.2f× the oracle's, want at most 1.5×", r)
	}
	if r := res.Ratio(); r > 0.3 {
		t.Errorf("planner's overall mean is %.3f× the fixed poll's, want at most 0.3×", r)
	}
	if res.Planner.BurstMeanDetectionS >= 0.5*res.Fixed.BurstMeanDetectionS {
		t.Errorf("planner's burst-order mean %.0fs is not under half the fixed poll's %.0fs", res.Planner.BurstMeanDetectionS, res.Fixed.BurstMeanDetectionS)
	}
	for name, run := range map[string]SimRun{"planner": res.Planner, "oracle": res.Oracle} {
		if run.DaysOverBudget != 0 {
			t.Errorf("%s over budget on %d days", name, run.DaysOverBudget)
		}
		if run.WriteBacksOnTime != run.WriteBacks {
			t.Errorf("%s wrote back %d of %d on time", name, run.WriteBacksOnTime, run.WriteBacks)
		}
	}
}

// BenchmarkPlannerBurst is the burst scenario (30 days, 150 orders
// and 500 calls a day, one random two-hour ×10 burst a day); it reports the
// mean detection delay of all orders and of burst orders per strategy.
func BenchmarkPlannerBurst(b *testing.B) {
	var res SimResult
	for b.Loop() {
		var err error
		res, err = Simulate(SimOptions{Days: 30, OrdersPerDay: 150, Seed: 1, Config: Config{DailyLimit: 500},
			Burst: &Burst{Random: true, Duration: 2 * time.Hour, Factor: 10}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, s := range []struct {
		name string
		run  SimRun
	}{{"fixed", res.Fixed}, {"planner", res.Planner}, {"oracle", res.Oracle}} {
		b.ReportMetric(s.run.MeanDetectionS, s.name+"_mean_s")
		b.ReportMetric(s.run.BurstMeanDetectionS, s.name+"_burst_mean_s")
		b.ReportMetric(s.run.BurstP95DetectionS, s.name+"_burst_p95_s")
		b.ReportMetric(float64(s.run.DaysOverBudget), s.name+"_days_over")
	}
	b.ReportMetric(res.BurstRatio(), "planner/oracle_burst")
	b.ReportMetric(res.Ratio(), "planner/fixed")
}
