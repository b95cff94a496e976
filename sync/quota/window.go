package quota

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidWindow is wrapped by every slow-window parse error.
var ErrInvalidWindow = errors.New("invalid slow window")

// Window is a daily stretch of wall-clock time in its own zone, such as
// TikTok's slow evening in Asia/Shanghai. A window whose end is not after
// its start runs past midnight.
type Window struct {
	// Start and End are offsets from local midnight (End may be 24h).
	Start, End time.Duration
	// Zone is the window's zone; nil means the planner's zone.
	Zone *time.Location
}

// ParseWindow reads "HH:MM-HH:MM [IANA zone]", for example
// "18:00-21:00 Asia/Shanghai" or "23:30-01:00". An en dash works too.
func ParseWindow(s string) (Window, error) {
	fields := strings.Fields(strings.TrimSpace(s))
	if len(fields) == 0 || len(fields) > 2 {
		return Window{}, fmt.Errorf("%w %q: want \"HH:MM-HH:MM [zone]\"", ErrInvalidWindow, s)
	}
	span := strings.ReplaceAll(fields[0], "–", "-")
	from, to, ok := strings.Cut(span, "-")
	if !ok {
		return Window{}, fmt.Errorf("%w %q: want \"HH:MM-HH:MM [zone]\"", ErrInvalidWindow, s)
	}
	var w Window
	var err error
	if w.Start, err = parseClock(from); err != nil {
		return Window{}, fmt.Errorf("%w %q: start: %w", ErrInvalidWindow, s, err)
	}
	if w.End, err = parseClock(to); err != nil {
		return Window{}, fmt.Errorf("%w %q: end: %w", ErrInvalidWindow, s, err)
	}
	if len(fields) == 2 {
		if w.Zone, err = time.LoadLocation(fields[1]); err != nil {
			return Window{}, fmt.Errorf("%w %q: zone: %w", ErrInvalidWindow, s, err)
		}
	}
	if err := w.validate(); err != nil {
		return Window{}, fmt.Errorf("%w %q: %w", ErrInvalidWindow, s, err)
	}
	return w, nil
}

// parseClock reads "HH:MM" (00:00 to 24:00) as an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) == 0 || len(hh) > 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// validate rejects windows that are empty or cover the whole day (which
// would stop polling for good).
func (w Window) validate() error {
	day := 24 * time.Hour
	switch {
	case w.Start < 0 || w.Start >= day:
		return fmt.Errorf("start %s is outside the day", w.Start)
	case w.End < 0 || w.End > day:
		return fmt.Errorf("end %s is outside the day", w.End)
	case w.Start == w.End || (w.Start == 0 && w.End == day):
		return errors.New("a window must cover part of the day, not none or all of it")
	}
	return nil
}

// String gives the window back in ParseWindow's form.
func (w Window) String() string {
	clock := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	s := clock(w.Start) + "-" + clock(w.End)
	if w.Zone != nil {
		s += " " + w.Zone.String()
	}
	return s
}

// span is a half-open interval of instants.
type span struct{ from, to time.Time }

// occurrences lists the window's instances that overlap [from, to), in
// order. def is the zone used when the window names none.
func (w Window) occurrences(from, to time.Time, def *time.Location) []span {
	zone := w.Zone
	if zone == nil {
		zone = def
	}
	if zone == nil {
		zone = time.UTC
	}
	var out []span
	l := from.In(zone)
	// Start a day early: yesterday's window may run past midnight.
	date := time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, zone)
	for i := 0; i < 400; i++ {
		s := wallClock(date, w.Start, zone)
		endDate := date
		if w.End <= w.Start {
			endDate = date.AddDate(0, 0, 1)
		}
		e := wallClock(endDate, w.End, zone)
		if !s.Before(to) {
			break
		}
		if e.After(from) && e.After(s) {
			out = append(out, span{s, e})
		}
		date = date.AddDate(0, 0, 1)
	}
	return out
}

// wallClock is the instant at offset d (hours and minutes) past midnight of
// date's local day, with Go's normalization across DST gaps.
func wallClock(date time.Time, d time.Duration, zone *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, zone)
}

// Contains reports whether t falls inside the window. def is the zone
// used when the window names none.
func (w Window) Contains(t time.Time, def *time.Location) bool {
	return len(w.occurrences(t, t.Add(time.Nanosecond), def)) > 0
}
