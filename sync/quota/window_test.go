package quota

import (
	"errors"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in         string
		start, end time.Duration
		zone       string
		ok         bool
	}{
		{"18:00-21:00 Asia/Shanghai", 18 * time.Hour, 21 * time.Hour, "Asia/Shanghai", true},
		{"18:00–21:00 Asia/Shanghai", 18 * time.Hour, 21 * time.Hour, "Asia/Shanghai", true},
		{"23:30-01:00", 23*time.Hour + 30*time.Minute, time.Hour, "", true},
		{"  9:05-24:00 UTC ", 9*time.Hour + 5*time.Minute, 24 * time.Hour, "UTC", true},
		{"", 0, 0, "", false},
		{"18:00", 0, 0, "", false},
		{"18:00-18:00", 0, 0, "", false},
		{"00:00-24:00", 0, 0, "", false},
		{"25:00-26:00", 0, 0, "", false},
		{"18:60-19:00", 0, 0, "", false},
		{"18:00-21:00 Mars/Olympus", 0, 0, "", false},
		{"18:00-21:00 Asia/Shanghai extra", 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, err := ParseWindow(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidWindow) {
					t.Fatalf("ParseWindow error = %v, want ErrInvalidWindow", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWindow: %v", err)
			}
			if w.Start != tt.start || w.End != tt.end {
				t.Errorf("window = %s..%s, want %s..%s", w.Start, w.End, tt.start, tt.end)
			}
			zone := ""
			if w.Zone != nil {
				zone = w.Zone.String()
			}
			if zone != tt.zone {
				t.Errorf("zone = %q, want %q", zone, tt.zone)
			}
			if back, err := ParseWindow(w.String()); err != nil || back.Start != w.Start || back.End != w.End {
				t.Errorf("String() %q does not parse back: %v", w.String(), err)
			}
		})
	}
}

func TestWindowContains(t *testing.T) {
	evening := mustWindow(t, "18:00-21:00 Asia/Shanghai")
	night := mustWindow(t, "23:30-01:00")
	la := mustZone(t, "America/Los_Angeles")
	tests := []struct {
		name string
		w    Window
		def  *time.Location
		at   time.Time
		want bool
	}{
		{"Shanghai evening start is inside", evening, time.UTC, utc(2026, 3, 2, 10, 0), true},
		{"Shanghai evening middle", evening, time.UTC, utc(2026, 3, 2, 12, 59), true},
		{"Shanghai evening end is outside", evening, time.UTC, utc(2026, 3, 2, 13, 0), false},
		{"just before Shanghai evening", evening, time.UTC, utc(2026, 3, 2, 9, 59), false},
		{"past midnight, before it", night, time.UTC, utc(2026, 3, 2, 23, 29), false},
		{"past midnight, late side", night, time.UTC, utc(2026, 3, 2, 23, 45), true},
		{"past midnight, early side", night, time.UTC, utc(2026, 3, 3, 0, 30), true},
		{"past midnight, after it", night, time.UTC, utc(2026, 3, 3, 1, 0), false},
		{"zoneless window uses the planner's zone", night, la, utc(2026, 3, 3, 7, 45), true},
		{"zoneless window is not UTC then", night, la, utc(2026, 3, 2, 23, 45), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Contains(tt.at, tt.def); got != tt.want {
				t.Errorf("Contains(%s) = %v, want %v", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}
