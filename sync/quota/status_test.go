package quota

import (
	"context"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

func TestStatusFigures(t *testing.T) {
	ctx := context.Background()
	at := utc(2026, 3, 2, 6, 0)
	early := mustWindow(t, "05:00-07:00")
	p, _, _ := newTestPlanner(t, Config{DailyLimit: 500, SlowWindows: []Window{early}}, at, nil)
	spend(t, p, store.CallPoll, 120)
	spend(t, p, store.CallWriteBack, 25)
	spend(t, p, store.CallOperator, 5)
	if err := p.NoteRateLimited(ctx, at.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	st, err := p.Status(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"day", st.Day, "2026-03-02"},
		{"limit", st.Limit, 500},
		{"used", st.Used, 150},
		{"remaining", st.Remaining, 350},
		{"reserve", st.Reserve, 100},
		{"polls", st.ByKind[store.CallPoll], 120},
		{"write-backs", st.ByKind[store.CallWriteBack], 25},
		{"operator", st.ByKind[store.CallOperator], 5},
		{"kinds listed", len(st.ByKind), len(store.CallKinds())},
		{"reset", st.ResetAt.UTC(), utc(2026, 3, 3, 0, 0)},
		// 150 calls in 6 hours: the other 350 last 14 more hours.
		{"exhaustion", st.ExhaustAt.UTC(), utc(2026, 3, 2, 20, 0)},
		{"next poll at the slow window's end", st.NextPoll.UTC(), utc(2026, 3, 2, 7, 0)},
		{"rate limited", st.RateLimited, 1},
		{"last limited", st.LastLimited.UTC(), at.Add(-time.Minute)},
		{"per second", st.PerSecond, 50},
		{"in slow window", st.InSlowWindow, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestStatusExhaustion(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		used int
		at   time.Time
		want time.Time
	}{
		{"nothing spent", 0, utc(2026, 3, 2, 6, 0), time.Time{}},
		{"a pace that lasts the day", 100, utc(2026, 3, 2, 6, 0), time.Time{}},
		{"a pace that runs out in the evening", 300, utc(2026, 3, 2, 12, 0), utc(2026, 3, 2, 20, 0)},
		{"already spent", 500, utc(2026, 3, 2, 12, 0), utc(2026, 3, 2, 12, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _ := newTestPlanner(t, Config{DailyLimit: 500}, tt.at, nil)
			spend(t, p, store.CallOperator, tt.used)
			st, err := p.Status(ctx, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if !st.ExhaustAt.Equal(tt.want) {
				t.Errorf("ExhaustAt = %s, want %s", st.ExhaustAt.UTC(), tt.want)
			}
			if st.InSlowWindow {
				t.Errorf("in a slow window with none configured")
			}
			if tt.used == 500 && (st.Remaining != 0 || !st.NextPoll.Equal(utc(2026, 3, 3, 0, 0))) {
				t.Errorf("spent day: remaining %d, next poll %s; want 0 and the reset", st.Remaining, st.NextPoll.UTC())
			}
		})
	}
}
