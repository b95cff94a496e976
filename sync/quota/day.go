package quota

import "time"

// dayLabelLayout formats a quota day's label: the local date it starts on.
const dayLabelLayout = "2006-01-02"

// quotaDay returns the quota day containing t for a reset at hour in
// zone: its label (the local date it starts on), its start and its reset
// (the next day's start). DST days are 23 or 25 hours long; a reset hour
// that does not exist on a spring-forward date is placed as Go's time.Date
// normalizes it, consistently for both days it bounds.
func quotaDay(t time.Time, zone *time.Location, hour int) (label string, start, reset time.Time) {
	l := t.In(zone)
	date := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
	at := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, zone)
	}
	start = at(date)
	for t.Before(start) {
		date = date.AddDate(0, 0, -1)
		start = at(date)
	}
	reset = at(date.AddDate(0, 0, 1))
	for !t.Before(reset) {
		date = date.AddDate(0, 0, 1)
		start, reset = reset, at(date.AddDate(0, 0, 1))
	}
	return date.Format(dayLabelLayout), start, reset
}
