package quota

import (
	"context"
	"errors"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"pgregory.net/rapid"
)

// Polls stop at the reserve; write-backs and operator actions can still
// spend it, up to the daily limit and never past it.
func TestReserveHoldsBackForUrgentCalls(t *testing.T) {
	ctx := context.Background()
	morning := utc(2026, 3, 2, 9, 0)
	p, ledger, _ := newTestPlanner(t, Config{DailyLimit: 500}, morning, nil)

	spend(t, p, store.CallPoll, 350)
	spend(t, p, store.CallSweep, 30)
	spend(t, p, store.CallDetail, 20)
	err := p.Reserve(ctx, store.CallPoll, 1)
	var ex *ExhaustedError
	if !errors.As(err, &ex) || !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("poll past the reserve: err = %v, want *ExhaustedError wrapping ErrQuotaExhausted", err)
	}
	if ex.Used != 400 || ex.Allowed != 400 || ex.Limit != 500 || ex.Kind != store.CallPoll || !ex.ResetAt.Equal(utc(2026, 3, 3, 0, 0)) {
		t.Errorf("refusal = %+v", *ex)
	}
	if err := p.Reserve(ctx, store.CallOther, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Errorf("other call past the reserve: %v, want refusal", err)
	}

	spend(t, p, store.CallWriteBack, 60)
	spend(t, p, store.CallOperator, 40)
	if err := p.Reserve(ctx, store.CallWriteBack, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("write-back past the limit: %v, want refusal", err)
	}
	if err := p.Reserve(ctx, store.CallOperator, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("operator call past the limit: %v, want refusal", err)
	}
	q, _ := ledger.Day(ctx, "2026-03-02")
	if q.Total() != 500 || q.Used[store.CallPoll] != 350 || q.Used[store.CallWriteBack] != 60 {
		t.Errorf("ledger = %+v, want 500 calls with 350 polls and 60 write-backs", q.Used)
	}
	// A batch that does not fit is refused whole.
	p2, ledger2, _ := newTestPlanner(t, Config{DailyLimit: 10, ReservePercent: -1}, morning, nil)
	spend(t, p2, store.CallPoll, 8)
	if err := p2.Reserve(ctx, store.CallPoll, 3); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("batch of 3 with 2 left: %v, want refusal", err)
	}
	if q, _ := ledger2.Day(ctx, "2026-03-02"); q.Total() != 8 {
		t.Errorf("refused batch left %d calls in the ledger, want 8", q.Total())
	}
}

// Late in the day the unused reserve is released to polls, down to the
// floor; the next day starts with a fresh budget.
func TestReserveReleasedBeforeReset(t *testing.T) {
	ctx := context.Background()
	p, _, clk := newTestPlanner(t, Config{DailyLimit: 500}, utc(2026, 3, 2, 12, 0), nil)
	spend(t, p, store.CallPoll, 400)
	if err := p.Reserve(ctx, store.CallPoll, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("poll at noon past the reserve: %v", err)
	}
	clk.now = utc(2026, 3, 2, 23, 0)
	spend(t, p, store.CallPoll, 500-25-400-13) // held back an hour before: 25 + ceil(75/6)
	if err := p.Reserve(ctx, store.CallPoll, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("poll at 23:00 past the released reserve: %v", err)
	}
	clk.now = utc(2026, 3, 3, 0, 0)
	spend(t, p, store.CallPoll, 1)
}

func TestReserveRejectsNonPositiveCounts(t *testing.T) {
	p, _, _ := newTestPlanner(t, Config{}, utc(2026, 3, 2, 9, 0), nil)
	for _, n := range []int{0, -3} {
		if err := p.Reserve(context.Background(), store.CallPoll, n); err == nil || errors.Is(err, store.ErrQuotaExhausted) {
			t.Errorf("Reserve(%d) = %v, want a usage error", n, err)
		}
	}
}

// The per-second cap makes callers wait for a token instead of failing;
// a cancelled wait reserves nothing.
func TestPerSecondCapWaits(t *testing.T) {
	at := utc(2026, 3, 2, 9, 0)
	clk := &fakeClock{now: at}
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return clk.Sleep(ctx, d)
	}
	ledger := NewMemLedger()
	p, err := New(Config{PerSecond: 4}, ledger, clk.Now, nil, WithSleep(sleep))
	if err != nil {
		t.Fatal(err)
	}
	spend(t, p, store.CallPoll, 4)
	if len(waits) != 0 {
		t.Fatalf("a full bucket made callers wait %v", waits)
	}
	spend(t, p, store.CallPoll, 1)
	if len(waits) != 1 || waits[0] != 250*time.Millisecond {
		t.Fatalf("fifth call in a second waited %v, want one wait of 250ms", waits)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = p.Reserve(ctx, store.CallPoll, 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
	if q, _ := ledger.Day(context.Background(), "2026-03-02"); q.Total() != 5 {
		t.Errorf("ledger holds %d calls after a cancelled wait, want 5", q.Total())
	}
}

func TestPerSecondCapWithRealSleep(t *testing.T) {
	// The default sleep honours the context.
	p, err := New(Config{PerSecond: 1}, NewMemLedger(), func() time.Time { return utc(2026, 3, 2, 9, 0) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	spend(t, p, store.CallPoll, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Reserve(ctx, store.CallPoll, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Reserve with a cancelled context on an empty bucket: %v", err)
	}
}

func TestNoteRateLimited(t *testing.T) {
	ctx := context.Background()
	at := utc(2026, 3, 2, 9, 0)
	p, ledger, clk := newTestPlanner(t, Config{PerSecond: 10}, at, nil)
	for i := range 2 {
		if err := p.NoteRateLimited(ctx, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := ledger.Day(ctx, "2026-03-02")
	if q.RateLimited != 2 || !q.LastLimited.Equal(at.Add(time.Minute)) {
		t.Errorf("ledger = %d limits, last %s; want 2, %s", q.RateLimited, q.LastLimited, at.Add(time.Minute))
	}
	// After a 429 the next call waits for a fresh token.
	before := clk.now
	spend(t, p, store.CallPoll, 1)
	if !clk.now.After(before) {
		t.Errorf("the call after a rate-limit reply did not wait")
	}
}

// Concurrent callers never push the day past its limit.
func TestReserveConcurrent(t *testing.T) {
	at := utc(2026, 3, 2, 9, 0)
	ledger := NewMemLedger()
	p, err := New(Config{DailyLimit: 300, PerSecond: 1_000_000}, ledger, func() time.Time { return at }, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg gosync.WaitGroup
	var mu gosync.Mutex
	granted := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kind := store.CallPoll
			if g%2 == 0 {
				kind = store.CallWriteBack
			}
			for range 100 {
				if p.Reserve(context.Background(), kind, 1) == nil {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	q, _ := ledger.Day(context.Background(), "2026-03-02")
	if q.Total() != 300 || granted != 300 {
		t.Errorf("granted %d, ledger %d; want exactly the limit of 300", granted, q.Total())
	}
	if q.Used[store.CallPoll] > 240 {
		t.Errorf("polls took %d calls, more than the 240 outside the reserve", q.Used[store.CallPoll])
	}
}

// Property: under any sequence of calls of any kind, sizes and pauses, a
// reservation succeeds exactly when it fits what its kind may use, and the
// day's total never passes the limit.
func TestReserveNeverOverBudget(t *testing.T) {
	zones := []*time.Location{time.UTC, mustZone(t, "America/Los_Angeles"), mustZone(t, "Asia/Shanghai")}
	rapid.Check(t, func(rt *rapid.T) {
		cfg := Config{
			DailyLimit:          rapid.IntRange(1, 600).Draw(rt, "limit"),
			ReservePercent:      rapid.IntRange(-1, 60).Draw(rt, "reserve"),
			ReserveFloorPercent: rapid.IntRange(-1, 20).Draw(rt, "floor"),
			ReserveRelease:      time.Duration(rapid.IntRange(-1, 12).Draw(rt, "release")) * time.Hour,
			PerSecond:           rapid.IntRange(1, 60).Draw(rt, "perSecond"),
			ResetHour:           rapid.IntRange(0, 23).Draw(rt, "resetHour"),
			Zone:                rapid.SampledFrom(zones).Draw(rt, "zone"),
		}
		ctx := context.Background()
		clk := &fakeClock{now: utc(2026, 3, 7, 0, 0).Add(time.Duration(rapid.IntRange(0, 86400).Draw(rt, "start")) * time.Second)}
		ledger := NewMemLedger()
		p, err := New(cfg, ledger, clk.Now, nil, WithSleep(clk.Sleep))
		if err != nil {
			rt.Fatalf("New: %v", err)
		}
		cfg = p.Config()
		steps := rapid.IntRange(1, 150).Draw(rt, "steps")
		for i := range steps {
			kind := rapid.SampledFrom(store.CallKinds()).Draw(rt, "kind")
			n := rapid.IntRange(1, 30).Draw(rt, "n")
			clk.now = clk.now.Add(time.Duration(rapid.IntRange(0, 4*3600).Draw(rt, "pause")) * time.Second)
			preLabel, _, _ := p.Day(clk.now)
			pre, _ := ledger.Day(ctx, preLabel)
			err := p.Reserve(ctx, kind, n)
			now := clk.now // Reserve may have waited for the per-second cap
			label, _, reset := p.Day(now)
			before := pre.Total()
			if label != preLabel {
				before = 0 // the wait crossed into a fresh day
			}
			after, _ := ledger.Day(ctx, label)
			allowed := cfg.DailyLimit
			if !Urgent(kind) {
				allowed -= cfg.HeldBack(now, reset)
			}
			fits := before+n <= allowed
			switch {
			case fits && err != nil:
				rt.Fatalf("step %d: %d %s calls at %d/%d (allowed %d) refused: %v", i, n, kind, before, cfg.DailyLimit, allowed, err)
			case !fits && !errors.Is(err, store.ErrQuotaExhausted):
				rt.Fatalf("step %d: %d %s calls at %d/%d (allowed %d) not refused: %v", i, n, kind, before, cfg.DailyLimit, allowed, err)
			case fits && after.Total() != before+n, !fits && after.Total() != before:
				rt.Fatalf("step %d: ledger went from %d to %d for %d calls (fits %v)", i, before, after.Total(), n, fits)
			}
			if after.Total() > cfg.DailyLimit {
				rt.Fatalf("step %d: day %s at %d calls, over the limit %d", i, label, after.Total(), cfg.DailyLimit)
			}
		}
	})
}
