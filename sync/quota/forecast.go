package quota

import (
	"math"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// expectedWriteBacks forecasts the write-back calls still to come before
// reset. A day is expected to need as many as yesterday; a first day with
// no ledger behind it guesses one per order, extrapolating the orders seen
// so far. Once half the day is gone today's pace counts too, if higher
// (not earlier: write-backs trail orders by hours, so a morning of last
// night's shipments says little about the afternoon). One standard
// deviation of Poisson noise is added. What is left after today's
// write-backs is capped at twice the pro-rata share of the time left, so a
// quieter day than yesterday frees its calls for the last hours' polls
// instead of holding them to the reset. guessed says the forecast rests on
// no ledger history.
func expectedWriteBacks(today, prev store.QuotaDay, arr arrivals, counts [24]int64, start, reset, now time.Time) (forecast float64, guessed bool) {
	dayLen := reset.Sub(start)
	elapsed := now.Sub(start)
	left := reset.Sub(now)
	if dayLen <= 0 || left <= 0 {
		return 0, false
	}
	done := float64(today.Used[store.CallWriteBack])
	day := float64(prev.Used[store.CallWriteBack])
	switch {
	case day > 0:
	case prev.Total() == 0:
		// First day: the profile holds only today's orders so far.
		var seen float64
		for _, c := range counts {
			seen += float64(max(c, 0))
		}
		day = seen / max(arr.share(start, now), 0.25)
		guessed = true
	default:
		day = arr.perDay
	}
	if elapsed >= dayLen/2 {
		day = max(day, done*float64(dayLen)/float64(elapsed))
	}
	day += math.Sqrt(day)
	return max(min(day-done, 2*day*float64(left)/float64(dayLen)), 0), guessed
}
