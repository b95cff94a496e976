package route

import (
	"fmt"
	"time"
)

// dayLayout is how dates appear in reasons: "Tue 2 Dec".
const dayLayout = "Mon 2 Jan"

// addBusinessDays is the date transit business days after from, skipping
// Saturdays and Sundays (public holidays are not modelled). The shipment is
// assumed to leave on from's date, so an order routed on a Friday with 1
// transit day arrives on Monday.
func addBusinessDays(from time.Time, transit int) time.Time {
	d := from
	for transit > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			transit--
		}
	}
	return d
}

// dateOf is t's calendar date as a comparable number.
func dateOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// feasible reports whether a carrier with transit business days, leaving
// at now, delivers by due; dates are compared in loc (the due time's own
// location when loc is nil). When it cannot, why says so in the words the
// decision shows.
func feasible(transit int, due, now time.Time, loc *time.Location) (bool, string) {
	if transit <= 0 || due.IsZero() {
		return true, ""
	}
	if loc == nil {
		loc = due.Location()
	}
	due = due.In(loc)
	arrive := addBusinessDays(now.In(loc), transit)
	if dateOf(arrive) <= dateOf(due) {
		return true, ""
	}
	unit := "transit days"
	if transit == 1 {
		unit = "transit day"
	}
	return false, fmt.Sprintf("%d %s miss delivery due %s (arrives %s)",
		transit, unit, due.Format(dayLayout), arrive.Format(dayLayout))
}
