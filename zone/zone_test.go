package zone

import (
	"strings"
	"testing"
	"time"
)

func TestTimesAreShownInTheZoneAndLabelled(t *testing.T) {
	at := time.Date(2026, 11, 24, 14, 4, 5, 0, time.UTC)
	tests := []struct {
		zone                      string
		clock, short, long, stamp string
	}{
		{"UTC", "14:04:05 UTC", "Nov 24 14:04 UTC", "2026-11-24 14:04:05 UTC", "2026-11-24T14:04:05Z"},
		{"Europe/Berlin", "15:04:05 CET", "Nov 24 15:04 CET", "2026-11-24 15:04:05 CET", "2026-11-24T15:04:05+01:00"},
		{"Asia/Shanghai", "22:04:05 CST", "Nov 24 22:04 CST", "2026-11-24 22:04:05 CST", "2026-11-24T22:04:05+08:00"},
	}
	for _, tt := range tests {
		z, err := Load(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := z.Clock(at); got != tt.clock {
			t.Errorf("%s Clock = %q, want %q", tt.zone, got, tt.clock)
		}
		if got := z.Short(at); got != tt.short {
			t.Errorf("%s Short = %q, want %q", tt.zone, got, tt.short)
		}
		if got := z.Long(at); got != tt.long {
			t.Errorf("%s Long = %q, want %q", tt.zone, got, tt.long)
		}
		if got := z.Stamp(at); got != tt.stamp {
			t.Errorf("%s Stamp = %q, want %q", tt.zone, got, tt.stamp)
		}
	}
}

func TestLocalIsTheDefaultAndUnknownZonesAreRefused(t *testing.T) {
	for _, name := range []string{"", "local", "Local"} {
		z, err := Load(name)
		if err != nil || z.Location() != time.Local {
			t.Fatalf("Load(%q) = %v, %v; want the local zone", name, z.Location(), err)
		}
	}
	if _, err := Load("Mars/Olympus"); err == nil || !strings.Contains(err.Error(), `"Mars/Olympus"`) {
		t.Fatalf("Load(Mars/Olympus) err = %v", err)
	}
	if got := (Zone{}).Short(time.Time{}); got != "" {
		t.Fatalf("zero time = %q, want empty", got)
	}
}
