package sim

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func TestDailyQuota(t *testing.T) {
	// The quota day starts at 08:00 UTC; the clock starts at 09:00.
	s, clock := startSim(t, Options{OrdersPerDay: -1, DailyLimit: 5, PerSecond: -1, ResetHour: 8})
	c := newAPIClient(t, s)
	call := func() apiResult { return c.do(http.MethodGet, "/authorization/202309/shops", nil, nil) }
	for i := range 5 {
		clock.Advance(time.Minute)
		if res := call(); res.status != 200 || res.env.Code != 0 {
			t.Fatalf("call %d of 5: HTTP %d code %d", i+1, res.status, res.env.Code)
		}
	}
	res := call()
	if res.status != http.StatusTooManyRequests || res.env.Code != tiktok.CodeRateLimited {
		t.Fatalf("call past the daily limit: HTTP %d code %d", res.status, res.env.Code)
	}
	ra, err := strconv.Atoi(res.header.Get("Retry-After"))
	nextReset := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
	if want := int(nextReset.Sub(clock.Now()).Seconds()); err != nil || ra < want || ra > want+1 {
		t.Fatalf("Retry-After %q, want about %d s (until 08:00 tomorrow)", res.header.Get("Retry-After"), want)
	}
	// A refused call does not use quota, a bad signature is refused first.
	c2 := newAPIClient(t, s)
	c2.secret = "wrong"
	if res := c2.do(http.MethodGet, "/authorization/202309/shops", nil, nil); res.env.Code != tiktok.CodeBadSignature {
		t.Fatalf("bad signature past the quota: code %d", res.env.Code)
	}
	counters := s.Counters().Marketplace
	if counters.QuotaUsed != 5 || counters.QuotaExhausted != 1 {
		t.Fatalf("QuotaUsed %d QuotaExhausted %d, want 5 and 1", counters.QuotaUsed, counters.QuotaExhausted)
	}
	clock.Set(nextReset.Add(-time.Second))
	if res := call(); res.status != http.StatusTooManyRequests {
		t.Fatalf("a second before the reset: HTTP %d", res.status)
	}
	clock.Set(nextReset)
	if res := call(); res.status != 200 {
		t.Fatalf("after the reset: HTTP %d code %d", res.status, res.env.Code)
	}
	if counters := s.Counters().Marketplace; counters.QuotaDay != "2026-03-03" || counters.QuotaUsed != 1 {
		t.Fatalf("new quota day %s used %d, want 2026-03-03 and 1", counters.QuotaDay, counters.QuotaUsed)
	}
}

func TestPerSecondCap(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1, DailyLimit: -1, PerSecond: 3})
	c := newAPIClient(t, s)
	call := func() apiResult { return c.do(http.MethodGet, "/authorization/202309/shops", nil, nil) }
	for i := range 3 {
		if res := call(); res.status != 200 {
			t.Fatalf("call %d within the cap: HTTP %d", i+1, res.status)
		}
	}
	res := call()
	if res.status != http.StatusTooManyRequests || res.env.Code != tiktok.CodeRateLimited || res.header.Get("Retry-After") != "1" {
		t.Fatalf("4th call in one second: HTTP %d code %d Retry-After %q", res.status, res.env.Code, res.header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if res := call(); res.status != 200 {
		t.Fatalf("next second: HTTP %d", res.status)
	}
	if got := s.Counters().Marketplace.RateLimited; got != 1 {
		t.Errorf("RateLimited = %d, want 1", got)
	}
}
