package quota

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Defaults applied by Config when a field is zero.
const (
	DefaultDailyLimit     = 500
	DefaultPerSecond      = 50
	DefaultReservePercent = 20
	DefaultReserveFloor   = 5
	DefaultReserveRelease = 6 * time.Hour
	DefaultMinInterval    = time.Minute
	DefaultMaxInterval    = 60 * time.Minute
)

// ProfileDays is how many days of order history the arrival profile is
// expected to cover (the store's ArrivalProfile is asked for this many).
const ProfileDays = 14

// ErrInvalidConfig is wrapped by every configuration error.
var ErrInvalidConfig = errors.New("invalid quota config")

// Config is the TikTok quota policy. The zero value of every field means
// its default.
type Config struct {
	// DailyLimit is the number of TikTok calls allowed per quota day.
	DailyLimit int
	// PerSecond caps the call rate; callers wait for a token instead of
	// being refused.
	PerSecond int
	// Zone and ResetHour place the quota day's boundary (TikTok's reset);
	// nil Zone means UTC.
	Zone      *time.Location
	ResetHour int
	// ReservePercent of DailyLimit is held back for urgent calls
	// (write-backs, operator actions): polls and sweeps never touch it
	// until ReserveRelease lets it go. Zero means the default (20); a
	// negative value means no reserve.
	ReservePercent int
	// ReserveRelease is how long before the reset the reserve starts to
	// shrink, linearly, to ReserveFloorPercent at the reset: a reserve
	// unused by then expires anyway, and the write-backs expected before the
	// reset are kept out of the poll budget separately. Zero means the
	// default (6h); a negative value keeps the whole reserve until the
	// reset.
	ReserveRelease time.Duration
	// ReserveFloorPercent of DailyLimit stays held back even at the reset,
	// for last-minute operator actions. Zero means the default (5); a
	// negative value means none. It is capped at ReservePercent.
	ReserveFloorPercent int
	// SlowWindows are times of day in which no non-urgent poll is planned
	// (for example TikTok's slow evening hours in Asia/Shanghai).
	SlowWindows []Window
	// MinInterval and MaxInterval bound the planned poll interval. The
	// maximum holds while the budget can pay for it; a spent budget or a
	// slow window may push the next poll further.
	MinInterval time.Duration
	MaxInterval time.Duration
	// BuyerZone is where most buyers live; the prior arrival curve
	// (used until enough order history exists) peaks in its daytime and
	// evening. nil means Zone.
	BuyerZone *time.Location
}

// withDefaults returns c with zero fields replaced by their defaults. It
// leaves negative "none" values alone, so applying it twice changes
// nothing; the accessors read them as zero.
func (c Config) withDefaults() Config {
	if c.DailyLimit == 0 {
		c.DailyLimit = DefaultDailyLimit
	}
	if c.PerSecond == 0 {
		c.PerSecond = DefaultPerSecond
	}
	if c.Zone == nil {
		c.Zone = time.UTC
	}
	if c.ReservePercent == 0 {
		c.ReservePercent = DefaultReservePercent
	}
	if c.ReserveRelease == 0 {
		c.ReserveRelease = DefaultReserveRelease
	}
	if c.ReserveFloorPercent == 0 {
		c.ReserveFloorPercent = DefaultReserveFloor
	}
	if c.MinInterval == 0 {
		c.MinInterval = DefaultMinInterval
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = DefaultMaxInterval
	}
	if c.BuyerZone == nil {
		c.BuyerZone = c.Zone
	}
	return c
}

// validate reports the first nonsensical field of a defaulted config.
func (c Config) validate() error {
	switch {
	case c.DailyLimit < 0:
		return fmt.Errorf("%w: daily limit %d is negative", ErrInvalidConfig, c.DailyLimit)
	case c.PerSecond < 0:
		return fmt.Errorf("%w: per-second cap %d is negative", ErrInvalidConfig, c.PerSecond)
	case c.ResetHour < 0 || c.ResetHour > 23:
		return fmt.Errorf("%w: reset hour %d is outside 0..23", ErrInvalidConfig, c.ResetHour)
	case c.ReservePercent >= 100:
		return fmt.Errorf("%w: reserve %d%% leaves nothing for polling", ErrInvalidConfig, c.ReservePercent)
	case c.MinInterval < 0:
		return fmt.Errorf("%w: minimum poll interval %s is negative", ErrInvalidConfig, c.MinInterval)
	case c.MaxInterval < c.MinInterval:
		return fmt.Errorf("%w: maximum poll interval %s is below the minimum %s", ErrInvalidConfig, c.MaxInterval, c.MinInterval)
	}
	for i, w := range c.SlowWindows {
		if err := w.validate(); err != nil {
			return fmt.Errorf("%w: slow window %d: %w", ErrInvalidConfig, i+1, err)
		}
	}
	return nil
}

// Reserve is the number of calls held back for urgent kinds for most of
// the day.
func (c Config) Reserve() int {
	c = c.withDefaults()
	return c.DailyLimit * max(c.ReservePercent, 0) / 100
}

// ReserveFloor is the number of calls held back for urgent kinds even at
// the end of the day.
func (c Config) ReserveFloor() int {
	c = c.withDefaults()
	return c.DailyLimit * min(max(c.ReserveFloorPercent, 0), max(c.ReservePercent, 0)) / 100
}

// HeldBack is the reserve at t in a quota day ending at reset: the full
// reserve until ReserveRelease before the reset, then shrinking linearly
// to the floor. Non-urgent calls may bring the day's total to DailyLimit
// minus this.
func (c Config) HeldBack(t, reset time.Time) int {
	c = c.withDefaults()
	full, floor := c.Reserve(), c.ReserveFloor()
	left := reset.Sub(t)
	if c.ReserveRelease <= 0 || left >= c.ReserveRelease {
		return full
	}
	if left <= 0 {
		return floor
	}
	share := float64(left) / float64(c.ReserveRelease)
	return floor + int(math.Ceil(share*float64(full-floor)))
}

// Urgent reports whether calls of kind may spend the reserve: tracking
// write-backs (a missed ship deadline costs the seller) and operator
// actions (someone is waiting at the keyboard). Polls, sweeps and detail
// look-ups for polls can wait for the next quota day.
func Urgent(kind store.CallKind) bool {
	return kind == store.CallWriteBack || kind == store.CallOperator
}
