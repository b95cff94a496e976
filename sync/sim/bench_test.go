package sim

import (
	"net/url"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// BenchmarkArrivalTimesYear is the cost of replaying a year of arrivals.
func BenchmarkArrivalTimesYear(b *testing.B) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		ArrivalTimes(1, 500, from, from.AddDate(1, 0, 0), time.UTC)
	}
}

// BenchmarkSearchPage is one signed search round trip over loopback with
// about 10 000 orders on file.
func BenchmarkSearchPage(b *testing.B) {
	s, clock := startSimB(b, Options{Seed: 1, OrdersPerDay: 3000, History: 80 * time.Hour})
	c := newAPIClient(b, s)
	filter := tiktok.SearchRequest{UpdateTimeGE: clock.Now().Add(-24 * time.Hour).Unix()}
	q := url.Values{"page_size": {"100"}, "sort_field": {"update_time"}, "sort_order": {"ASC"}}
	for b.Loop() {
		if res, _ := c.search(q, filter); res.env.Code != 0 {
			b.Fatalf("search: code %d", res.env.Code)
		}
	}
	b.ReportMetric(float64(len(s.Orders())), "orders")
}

func startSimB(b *testing.B, opts Options) (*Sim, *Clock) {
	clock := NewManualClock(testStart)
	opts.Clock, opts.ArrivalZone = clock, "UTC"
	opts.DailyLimit, opts.PerSecond = -1, -1
	s, err := Start(b.Context(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, clock
}
