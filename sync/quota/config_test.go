package quota

import (
	"errors"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value takes defaults", Config{}, true},
		{"negative limit", Config{DailyLimit: -1}, false},
		{"reset hour 24", Config{ResetHour: 24}, false},
		{"reserve of everything", Config{ReservePercent: 100}, false},
		{"no reserve", Config{ReservePercent: -1}, true},
		{"max below min", Config{MinInterval: time.Hour, MaxInterval: time.Minute}, false},
		{"empty slow window", Config{SlowWindows: []Window{{Start: time.Hour, End: time.Hour}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, NewMemLedger(), nil, nil)
			if tt.ok && err != nil {
				t.Fatalf("New: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New error = %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := New(Config{}, nil, nil, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("New without a ledger: %v, want ErrInvalidConfig", err)
	}
}

func TestReserveSizes(t *testing.T) {
	reset := utc(2026, 3, 3, 0, 0)
	tests := []struct {
		name       string
		cfg        Config
		at         time.Time
		full, held int
	}{
		{"defaults in the morning", Config{}, utc(2026, 3, 2, 9, 0), 100, 100},
		{"defaults at the start of the release", Config{}, utc(2026, 3, 2, 18, 0), 100, 100},
		{"defaults halfway through the release", Config{}, utc(2026, 3, 2, 21, 0), 100, 63},
		{"defaults at the reset", Config{}, reset, 100, 25},
		{"release off keeps it all", Config{ReserveRelease: -1}, utc(2026, 3, 2, 23, 59), 100, 100},
		{"no reserve", Config{ReservePercent: -1}, utc(2026, 3, 2, 9, 0), 0, 0},
		{"no reserve holds no floor", Config{ReservePercent: -1}, reset, 0, 0},
		{"floor capped by reserve", Config{ReservePercent: 3, ReserveFloorPercent: 10}, reset, 15, 15},
		{"floor of zero", Config{ReserveFloorPercent: -1}, reset, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.Reserve(); got != tt.full {
				t.Errorf("Reserve() = %d, want %d", got, tt.full)
			}
			if got := tt.cfg.HeldBack(tt.at, reset); got != tt.held {
				t.Errorf("HeldBack(%s) = %d, want %d", tt.at.Format(time.Kitchen), got, tt.held)
			}
			// Defaults applied twice change nothing.
			if twice := tt.cfg.withDefaults().withDefaults(); twice.HeldBack(tt.at, reset) != tt.held {
				t.Errorf("withDefaults is not idempotent")
			}
		})
	}
}
