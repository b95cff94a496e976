package health

import (
	"math"
	"math/rand/v2"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// noon is a fixed instant the tests count from.
var noon = time.Date(2026, 12, 1, 12, 7, 30, 0, time.UTC)

// exactPercentile is the nearest-rank percentile of sorted samples.
func exactPercentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// within reports whether got is within rel of want.
func within(got, want time.Duration, rel float64) bool {
	return math.Abs(float64(got)-float64(want)) <= rel*float64(want)
}

func TestStatsPercentilesMatchExactWithinTolerance(t *testing.T) {
	const tolerance = 0.045 // half a bin: 2^(1/16)-1 ≈ 4.4%
	dists := []struct {
		name string
		draw func(r *rand.Rand) time.Duration
	}{
		{"lognormal around 180ms", func(r *rand.Rand) time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()*0.6+math.Log(180)) * float64(time.Millisecond))
		}},
		{"uniform 1ms-2s", func(r *rand.Rand) time.Duration {
			return time.Millisecond + time.Duration(r.Int64N(int64(2*time.Second)))
		}},
		{"bimodal fast with slow tail", func(r *rand.Rand) time.Duration {
			if r.IntN(10) == 0 {
				return 3*time.Second + time.Duration(r.Int64N(int64(4*time.Second)))
			}
			return 20*time.Millisecond + time.Duration(r.Int64N(int64(15*time.Millisecond)))
		}},
		{"loopback sub-millisecond", func(r *rand.Rand) time.Duration {
			return 80*time.Microsecond + time.Duration(r.Int64N(int64(900*time.Microsecond)))
		}},
		{"timeouts near the top", func(r *rand.Rand) time.Duration {
			return 20*time.Second + time.Duration(r.Int64N(int64(40*time.Second)))
		}},
	}
	for i, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 42))
			tr := NewTracker()
			var samples []time.Duration
			for k := range 20_000 {
				lat := d.draw(r)
				samples = append(samples, lat)
				// Spread over 50 minutes so merging buckets is exercised.
				at := noon.Add(-time.Duration(k%3000) * time.Second)
				tr.Record("swift", at, lat, true)
			}
			slices.Sort(samples)
			st := tr.Stats("swift", Window1h, noon)
			if st.Calls != len(samples) {
				t.Fatalf("Calls = %d, want %d", st.Calls, len(samples))
			}
			for _, c := range []struct {
				name string
				got  time.Duration
				q    float64
			}{{"p50", st.P50, 0.50}, {"p95", st.P95, 0.95}, {"p99", st.P99, 0.99}} {
				want := exactPercentile(samples, c.q)
				if !within(c.got, want, tolerance) {
					t.Errorf("%s = %s, exact %s (off by %.1f%%)", c.name, c.got, want,
						100*math.Abs(float64(c.got)-float64(want))/float64(want))
				}
			}
		})
	}
}

func TestStatsConstantLatencyIsExact(t *testing.T) {
	tr := NewTracker()
	for range 100 {
		tr.Record("steady", noon, 137*time.Millisecond, true)
	}
	st := tr.Stats("steady", Window5m, noon)
	if st.P50 != 137*time.Millisecond || st.P99 != 137*time.Millisecond {
		t.Errorf("constant 137ms reported as p50 %s p99 %s", st.P50, st.P99)
	}
}

func TestStatsWindowBoundaries(t *testing.T) {
	// now is 12:07:30; windows count whole minutes ending with now's.
	tr := NewTracker()
	calls := []struct {
		at time.Time
		ok bool
	}{
		{time.Date(2026, 12, 1, 12, 10, 0, 0, time.UTC), true},   // after now's minute: never counted
		{time.Date(2026, 12, 1, 12, 7, 59, 0, time.UTC), false},  // now's minute
		{time.Date(2026, 12, 1, 12, 3, 0, 0, time.UTC), true},    // first minute of 5m
		{time.Date(2026, 12, 1, 12, 2, 59, 0, time.UTC), false},  // just outside 5m
		{time.Date(2026, 12, 1, 11, 8, 0, 0, time.UTC), true},    // first minute of 1h
		{time.Date(2026, 12, 1, 11, 7, 59, 0, time.UTC), true},   // just outside 1h
		{time.Date(2026, 11, 30, 12, 8, 0, 0, time.UTC), false},  // first minute of 24h
		{time.Date(2026, 11, 30, 12, 7, 59, 0, time.UTC), true},  // just outside 24h
		{time.Date(2026, 11, 29, 12, 7, 10, 0, time.UTC), true},  // two days old
		{time.Date(2026, 11, 30, 12, 7, 20, 0, time.UTC), false}, // same slot as 12:07 today, older: dropped
		{time.Date(2026, 12, 1, 12, 5, 0, 0, time.UTC), true},    // inside 5m
	}
	for _, c := range calls {
		tr.Record("swift", c.at, 100*time.Millisecond, c.ok)
	}
	tests := []struct {
		window time.Duration
		calls  int
		errors int
	}{
		{30 * time.Second, 1, 1}, // rounds up to now's minute
		{Window5m, 3, 1},
		{6 * time.Minute, 4, 2},
		{Window1h, 5, 2},
		{61 * time.Minute, 6, 2},
		{Window24h, 7, 3},
		{48 * time.Hour, 7, 3}, // clamped to the 24h the ring holds
	}
	for _, tc := range tests {
		st := tr.Stats("swift", tc.window, noon)
		if st.Calls != tc.calls || st.Errors != tc.errors {
			t.Errorf("window %s: %d calls %d errors, want %d calls %d errors", tc.window, st.Calls, st.Errors, tc.calls, tc.errors)
		}
		if want := float64(tc.errors) / float64(tc.calls); st.ErrorRate != want {
			t.Errorf("window %s: error rate %v, want %v", tc.window, st.ErrorRate, want)
		}
	}
}

func TestStatsAfterTimeMoves(t *testing.T) {
	tr := NewTracker()
	tr.Record("swift", noon, 50*time.Millisecond, false)
	tests := []struct {
		later  time.Duration
		window time.Duration
		calls  int
	}{
		{4 * time.Minute, Window5m, 1},
		{5 * time.Minute, Window5m, 0},
		{59 * time.Minute, Window1h, 1},
		{time.Hour, Window1h, 0},
		{23*time.Hour + 59*time.Minute, Window24h, 1},
		{24 * time.Hour, Window24h, 0},
	}
	for _, tc := range tests {
		if got := tr.Stats("swift", tc.window, noon.Add(tc.later)).Calls; got != tc.calls {
			t.Errorf("%s later, window %s: %d calls, want %d", tc.later, tc.window, got, tc.calls)
		}
	}
}

func TestNewerDayOverwritesSlot(t *testing.T) {
	tr := NewTracker()
	tr.Record("swift", noon, time.Second, false)
	tr.Record("swift", noon.Add(24*time.Hour), 10*time.Millisecond, true)
	st := tr.Stats("swift", Window24h, noon.Add(24*time.Hour))
	if st.Calls != 1 || st.Errors != 0 || st.P50 != 10*time.Millisecond {
		t.Errorf("after a day the old minute still counts: %+v", st)
	}
}

func TestUnknownCarrierIsEmpty(t *testing.T) {
	tr := NewTracker()
	if st := tr.Stats("nobody", Window1h, noon); st != (Stats{}) {
		t.Errorf("Stats of unknown carrier = %+v", st)
	}
	spark := tr.Spark("nobody", noon)
	if len(spark) != SparkMinutes || slices.ContainsFunc(spark, func(v float64) bool { return v != 0 }) {
		t.Errorf("Spark of unknown carrier = %v", spark)
	}
}

func TestSparkIsMedianPerMinuteOldestFirst(t *testing.T) {
	tr := NewTracker()
	minute := func(ago int) time.Time { return noon.Add(-time.Duration(ago) * time.Minute) }
	tr.Record("swift", minute(60), 999*time.Millisecond, true) // an hour ago: not in the spark
	tr.Record("swift", minute(59), 40*time.Millisecond, true)
	for _, ms := range []int{10, 20, 30, 400, 500} {
		tr.Record("swift", minute(30), time.Duration(ms)*time.Millisecond, ms != 500)
	}
	tr.Record("swift", minute(0), 250*time.Millisecond, true)

	spark := tr.Spark("swift", noon)
	if len(spark) != SparkMinutes {
		t.Fatalf("len(Spark) = %d, want %d", len(spark), SparkMinutes)
	}
	want := map[int]float64{0: 40, 29: 30, 59: 250}
	for i, v := range spark {
		w, has := want[i]
		if !has {
			if v != 0 {
				t.Errorf("spark[%d] = %v, want 0 (no calls)", i, v)
			}
			continue
		}
		if math.Abs(v-w) > 0.045*w {
			t.Errorf("spark[%d] = %vms, want about %vms", i, v, w)
		}
	}
}

func TestLoadWarmsFromStore(t *testing.T) {
	tr := NewTracker()
	tr.Load([]store.LatencySample{
		{Carrier: "swift", At: noon.Add(-time.Minute), Latency: 120 * time.Millisecond, OK: true},
		{Carrier: "swift", At: noon.Add(-2 * time.Minute), Latency: 80 * time.Millisecond, OK: false},
		{Carrier: "steady", At: noon.Add(-3 * time.Hour), Latency: time.Second, OK: true},
	})
	if st := tr.Stats("swift", Window5m, noon); st.Calls != 2 || st.Errors != 1 {
		t.Errorf("swift after load: %+v", st)
	}
	if st := tr.Stats("steady", Window24h, noon); st.Calls != 1 {
		t.Errorf("steady after load: %+v", st)
	}
	if got := tr.Carriers(); !slices.Equal(got, []string{"steady", "swift"}) {
		t.Errorf("Carriers() = %v", got)
	}
	row := tr.Row("swift", Window5m, noon)
	if row.Name != "swift" || row.Calls != 2 || row.ErrorRate != 0.5 || len(row.Spark) != SparkMinutes || !within(row.P99, 120*time.Millisecond, 0.045) {
		t.Errorf("Row = %+v", row)
	}
}

func TestTrackerConcurrentRecord(t *testing.T) {
	tr := NewTracker()
	var wg gosync.WaitGroup
	carriers := []string{"swift", "steady", "flaky"}
	for g := range 8 {
		wg.Go(func() {
			for k := range 500 {
				c := carriers[(g+k)%len(carriers)]
				tr.Record(c, noon.Add(-time.Duration(k)*time.Second), time.Duration(k)*time.Millisecond, k%4 != 0)
				_ = tr.Stats(c, Window5m, noon)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, c := range carriers {
		total += tr.Stats(c, Window1h, noon).Calls
	}
	if total != 8*500 {
		t.Errorf("recorded %d calls, want %d", total, 8*500)
	}
}

func TestNegativeLatencyCountsAsZero(t *testing.T) {
	tr := NewTracker()
	tr.Record("swift", noon, -time.Second, true)
	if st := tr.Stats("swift", Window5m, noon); st.Calls != 1 || st.P50 != 0 {
		t.Errorf("negative latency recorded as %+v", st)
	}
}

func BenchmarkTrackerRecord(b *testing.B) {
	tr := NewTracker()
	r := rand.New(rand.NewPCG(1, 1))
	at := noon
	for b.Loop() {
		at = at.Add(7 * time.Millisecond)
		tr.Record("swift", at, time.Duration(r.Int64N(int64(2*time.Second))), true)
	}
}

func BenchmarkTrackerStats(b *testing.B) {
	tr := NewTracker()
	r := rand.New(rand.NewPCG(1, 1))
	// A full day with a call every 5 seconds.
	for at := noon.Add(-24 * time.Hour); at.Before(noon); at = at.Add(5 * time.Second) {
		tr.Record("swift", at, time.Duration(r.Int64N(int64(2*time.Second))), r.IntN(20) != 0)
	}
	for _, w := range []struct {
		name   string
		window time.Duration
	}{{"5m", Window5m}, {"1h", Window1h}, {"24h", Window24h}} {
		b.Run(w.name, func(b *testing.B) {
			for b.Loop() {
				_ = tr.Stats("swift", w.window, noon)
			}
		})
	}
	b.Run("spark", func(b *testing.B) {
		for b.Loop() {
			_ = tr.Spark("swift", noon)
		}
	})
}
