// Package zone shows times to operators in one display time zone
// ([console] timezone, default the machine's local zone), and always with
// its label, so the console, the CLI tables and CSV exports read the same
// way: "Nov 24 15:04 CET", never a bare "15:04".
package zone

import (
	"fmt"
	"strings"
	"time"
)

// Zone is a display time zone. The zero value is the machine's local zone.
type Zone struct {
	loc *time.Location
}

// Load returns the zone named by an IANA name ("Europe/Berlin"), "UTC", or
// "" / "local" for the machine's local zone.
func Load(name string) (Zone, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "local":
		return Zone{loc: time.Local}, nil
	}
	loc, err := time.LoadLocation(strings.TrimSpace(name))
	if err != nil {
		return Zone{}, fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Berlin, UTC or local)", name)
	}
	return Zone{loc: loc}, nil
}

// Fixed returns the zone loc, for tests and callers that already hold one.
func Fixed(loc *time.Location) Zone { return Zone{loc: loc} }

// Location is the zone's location.
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return time.Local
	}
	return z.loc
}

// In converts t to the zone.
func (z Zone) In(t time.Time) time.Time { return t.In(z.Location()) }

// Clock is the time of day with seconds and the zone: "15:04:05 CET".
func (z Zone) Clock(t time.Time) string { return z.In(t).Format("15:04:05 MST") }

// Short is a date and time to the minute with the zone: "Nov 24 15:04 CET".
func (z Zone) Short(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return z.In(t).Format("Jan 02 15:04 MST")
}

// Long is a full date and time with the zone: "2026-11-24 15:04:05 CET".
func (z Zone) Long(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return z.In(t).Format("2006-01-02 15:04:05 MST")
}

// Stamp is RFC 3339 in the zone, for CSV and JSON readers that parse it:
// the offset is its label ("2026-11-24T15:04:05+01:00").
func (z Zone) Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return z.In(t).Format(time.RFC3339)
}

// Name is the zone's name as configured ("Local" for the machine's).
func (z Zone) Name() string { return z.Location().String() }
