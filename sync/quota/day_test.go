package quota

import (
	"testing"
	"time"
)

func TestQuotaDayBoundaries(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	sh := mustZone(t, "Asia/Shanghai")
	tests := []struct {
		name         string
		zone         *time.Location
		hour         int
		at           time.Time
		label        string
		start, reset time.Time
		length       time.Duration
	}{
		{"UTC midnight reset", time.UTC, 0, utc(2026, 3, 2, 23, 59), "2026-03-02",
			utc(2026, 3, 2, 0, 0), utc(2026, 3, 3, 0, 0), 24 * time.Hour},
		{"UTC reset instant starts the new day", time.UTC, 0, utc(2026, 3, 3, 0, 0), "2026-03-03",
			utc(2026, 3, 3, 0, 0), utc(2026, 3, 4, 0, 0), 24 * time.Hour},
		{"Shanghai midnight is 16:00 UTC", sh, 0, utc(2026, 3, 2, 16, 30), "2026-03-03",
			utc(2026, 3, 2, 16, 0), utc(2026, 3, 3, 16, 0), 24 * time.Hour},
		{"reset hour before it on the local date", time.UTC, 6, utc(2026, 3, 2, 5, 0), "2026-03-01",
			utc(2026, 3, 1, 6, 0), utc(2026, 3, 2, 6, 0), 24 * time.Hour},
		{"LA spring-forward day is 23 hours", la, 0, utc(2026, 3, 8, 12, 0), "2026-03-08",
			utc(2026, 3, 8, 8, 0), utc(2026, 3, 9, 7, 0), 23 * time.Hour},
		{"LA fall-back day is 25 hours", la, 0, utc(2026, 11, 1, 12, 0), "2026-11-01",
			utc(2026, 11, 1, 7, 0), utc(2026, 11, 2, 8, 0), 25 * time.Hour},
		{"LA 02:00 reset on the spring-forward date, before it", la, 2, utc(2026, 3, 8, 8, 30), "2026-03-07",
			utc(2026, 3, 7, 10, 0), utc(2026, 3, 8, 9, 0), 23 * time.Hour},
		{"LA 02:00 reset on the spring-forward date, after it", la, 2, utc(2026, 3, 8, 9, 0), "2026-03-08",
			utc(2026, 3, 8, 9, 0), utc(2026, 3, 9, 9, 0), 24 * time.Hour},
		{"LA 01:00 reset on the fall-back date", la, 1, utc(2026, 11, 1, 9, 30), "2026-11-01",
			utc(2026, 11, 1, 8, 0), utc(2026, 11, 2, 9, 0), 25 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _ := newTestPlanner(t, Config{Zone: tt.zone, ResetHour: tt.hour}, tt.at, nil)
			label, start, reset := p.Day(tt.at)
			if label != tt.label || !start.Equal(tt.start) || !reset.Equal(tt.reset) {
				t.Errorf("Day(%s) = %s [%s, %s), want %s [%s, %s)", tt.at.Format(time.RFC3339),
					label, start.UTC().Format(time.RFC3339), reset.UTC().Format(time.RFC3339),
					tt.label, tt.start.Format(time.RFC3339), tt.reset.Format(time.RFC3339))
			}
			if got := reset.Sub(start); got != tt.length {
				t.Errorf("day length = %s, want %s", got, tt.length)
			}
			// Days tile time: the reset starts the next day, and the
			// instant before the start belongs to the previous one.
			nextLabel, nextStart, _ := p.Day(reset)
			if !nextStart.Equal(reset) || nextLabel == label {
				t.Errorf("the day after %s starts at %s (%s), want %s", label, nextStart, nextLabel, reset)
			}
			_, _, prevReset := p.Day(start.Add(-time.Nanosecond))
			if !prevReset.Equal(start) {
				t.Errorf("the day before %s resets at %s, want %s", label, prevReset, start)
			}
		})
	}
}
