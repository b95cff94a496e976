package quota

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// eveningProfile is 14 days of orders placed only between 18:00 and 22:00
// UTC.
var eveningProfile = [24]int64{18: 500, 19: 500, 20: 500, 21: 500}

func TestNextPollClamps(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cfg     Config
		profile [24]int64
		used    int
		at      time.Time
		want    time.Time
	}{
		{"a huge budget in the peak polls at the minimum interval",
			Config{DailyLimit: 1_000_000}, eveningProfile, 0, utc(2026, 3, 2, 19, 0), utc(2026, 3, 2, 19, 1)},
		{"a dead hour polls at the maximum interval",
			Config{DailyLimit: 200}, eveningProfile, 0, utc(2026, 3, 2, 3, 0), utc(2026, 3, 2, 4, 0)},
		{"custom bounds are honoured",
			Config{DailyLimit: 1_000_000, MinInterval: 5 * time.Minute, MaxInterval: 20 * time.Minute}, eveningProfile, 0, utc(2026, 3, 2, 19, 0), utc(2026, 3, 2, 19, 5)},
		{"custom maximum in a dead hour",
			Config{DailyLimit: 200, MaxInterval: 20 * time.Minute}, eveningProfile, 0, utc(2026, 3, 2, 3, 0), utc(2026, 3, 2, 3, 20)},
		{"a spent poll budget waits for the reset",
			Config{DailyLimit: 500, ReserveRelease: -1}, eveningProfile, 400, utc(2026, 3, 2, 19, 0), utc(2026, 3, 3, 0, 0)},
		{"a reset closer than the minimum interval is still at least that far",
			Config{DailyLimit: 500, ReserveRelease: -1}, eveningProfile, 400, utc(2026, 3, 2, 23, 59).Add(30 * time.Second), utc(2026, 3, 3, 0, 0).Add(30 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _ := newTestPlanner(t, tt.cfg, tt.at, profileOf(tt.profile))
			spend(t, p, store.CallOperator, tt.used)
			got, err := p.NextPoll(ctx, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("NextPoll(%s) = %s, want %s", tt.at.Format("15:04:05"), got.UTC().Format("01-02 15:04:05"), tt.want.Format("01-02 15:04:05"))
			}
		})
	}
}

// The planner polls more often where orders arrive, and less once calls
// have been spent.
func TestNextPollFollowsArrivalsAndSpending(t *testing.T) {
	ctx := context.Background()
	peak := utc(2026, 3, 2, 19, 0)
	quiet := utc(2026, 3, 2, 9, 0)
	profile := [24]int64{9: 20, 10: 20, 18: 500, 19: 500, 20: 500, 21: 500}

	interval := func(at time.Time, used int) time.Duration {
		p, _, _ := newTestPlanner(t, Config{}, at, profileOf(profile))
		spend(t, p, store.CallOperator, used)
		next, err := p.NextPoll(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return next.Sub(at)
	}
	if inPeak, inQuiet := interval(peak, 0), interval(quiet, 0); inPeak*3 > inQuiet {
		t.Errorf("interval in the peak %s is not well below the quiet hour's %s", inPeak, inQuiet)
	}
	if fresh, spent := interval(quiet, 0), interval(quiet, 200); spent <= fresh {
		t.Errorf("interval after 200 calls spent %s is not longer than with none spent %s", spent, fresh)
	}
}

// Polling two days through the planner spends the poll budget without
// being refused, never polls inside a slow window and never touches the
// reserve's floor.
func TestSlowWindowsGetNoPolls(t *testing.T) {
	ctx := context.Background()
	evening, err := ParseWindow("18:00-21:00 Asia/Shanghai") // 10:00-13:00 UTC
	if err != nil {
		t.Fatal(err)
	}
	night, err := ParseWindow("23:30-01:00") // the planner's zone, over midnight
	if err != nil {
		t.Fatal(err)
	}
	flat := [24]int64{}
	for h := range flat {
		flat[h] = 100
	}
	start := utc(2026, 3, 2, 1, 0)
	p, ledger, clk := newTestPlanner(t, Config{SlowWindows: []Window{evening, night}}, start, profileOf(flat))
	var polls []time.Time
	for now := start; now.Before(start.Add(48 * time.Hour)); {
		clk.now = now
		if evening.Contains(now, time.UTC) || night.Contains(now, time.UTC) {
			t.Fatalf("poll planned at %s, inside a slow window", now.Format("01-02 15:04:05"))
		}
		if err := p.Reserve(ctx, store.CallPoll, 1); err != nil {
			t.Fatalf("poll planned at %s refused: %v", now.Format("01-02 15:04:05"), err)
		}
		polls = append(polls, now)
		next, err := p.NextPoll(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if !next.After(now) {
			t.Fatalf("NextPoll(%s) = %s, not after now", now, next)
		}
		now = next
	}
	found := map[string]bool{}
	for _, at := range polls {
		found[at.UTC().Format("15:04:05")] = true
	}
	for _, want := range []string{"13:00:00", "01:00:00"} {
		if !found[want] {
			t.Errorf("no poll at the end of a slow window (%s)", want)
		}
	}
	ceiling := p.Config().DailyLimit - p.Config().ReserveFloor()
	for _, day := range []string{"2026-03-02", "2026-03-03"} {
		q, err := ledger.Day(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if q.Used[store.CallPoll] < 400 || q.Total() > 500 || q.Total() > ceiling {
			t.Errorf("%s: polling spent %d poll calls (%d in all); want the budget used, never past %d (the limit less the reserve floor)",
				day, q.Used[store.CallPoll], q.Total(), ceiling)
		}
	}
}

// Inside a slow window the next poll is at its end.
func TestNextPollInsideSlowWindow(t *testing.T) {
	evening := mustWindow(t, "18:00-21:00 Asia/Shanghai")
	at := utc(2026, 3, 2, 11, 0)
	p, _, _ := newTestPlanner(t, Config{SlowWindows: []Window{evening}}, at, nil)
	got, err := p.NextPoll(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if want := utc(2026, 3, 2, 13, 0); !got.Equal(want) {
		t.Errorf("NextPoll inside the window = %s, want its end %s", got.UTC(), want)
	}
}

// While the reserve still holds back the next call, the poll waits for the
// release instead of being refused.
func TestNextPollWaitsForReserveRelease(t *testing.T) {
	at := utc(2026, 3, 2, 17, 0)
	p, _, _ := newTestPlanner(t, Config{DailyLimit: 500}, at, profileOf(eveningProfile))
	spend(t, p, store.CallPoll, 400)
	got, err := p.NextPoll(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(utc(2026, 3, 2, 18, 0)) || !got.Before(utc(2026, 3, 2, 18, 10)) {
		t.Errorf("NextPoll = %s, want just after the release starts at 18:00", got.UTC())
	}
}

type failingLedger struct{ MemLedger }

var errDisk = errors.New("disk on fire")

func (f *failingLedger) Day(context.Context, string) (store.QuotaDay, error) {
	return store.QuotaDay{}, errDisk
}

func TestNextPollErrors(t *testing.T) {
	ctx := context.Background()
	at := utc(2026, 3, 2, 9, 0)
	p, err := New(Config{}, &failingLedger{}, func() time.Time { return at }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.NextPoll(ctx, at); !errors.Is(err, errDisk) {
		t.Errorf("NextPoll with a failing ledger: %v, want the ledger's error", err)
	}
	// A failing profile falls back to the prior curve.
	p2, _, _ := newTestPlanner(t, Config{}, at, func(context.Context) ([24]int64, error) { return [24]int64{}, errDisk })
	next, err := p2.NextPoll(ctx, at)
	if err != nil || !next.After(at) {
		t.Errorf("NextPoll with a failing profile = %s, %v; want a time after now", next, err)
	}
}
