package store

import (
	"fmt"
	"time"
)

// orderIndexKeys lists the secondary index keys an order is filed under.
func orderIndexKeys(o *Order) [][]byte {
	ship := shipBySortKey(o)
	keys := [][]byte{
		queueKey(o.State, ship, o.ID),
		statusKey(NormalizeStatus(string(o.Status)), ship, o.ID),
		createdKey(o),
	}
	switch o.State {
	case StateFailed:
		next := retrySortKey(o.NextAttemptAt)
		keys = append(keys, failedKey(next, o.ID), dueKey(next, o.ID))
	case StateDead:
		keys = append(keys, failedKey(sortDead, o.ID))
	case StateNew:
		// A new order that becomes eligible at a known time (the end of the
		// buyer-remorse window) is due then, so the worker wakes for it
		// without another poll.
		if !o.NextAttemptAt.IsZero() {
			keys = append(keys, dueKey(retrySortKey(o.NextAttemptAt), o.ID))
		}
	}
	return keys
}

// indexChanges returns the index keys to delete and to add when an order
// changes from prev (nil if new) to next.
func indexChanges(prev, next *Order) (del, add [][]byte) {
	add = orderIndexKeys(next)
	if prev == nil {
		return nil, add
	}
	old := orderIndexKeys(prev)
	keep := make(map[string]bool, len(old))
	for _, k := range add {
		keep[string(k)] = true
	}
	had := make(map[string]bool, len(old))
	for _, k := range old {
		had[string(k)] = true
		if !keep[string(k)] {
			del = append(del, k)
		}
	}
	fresh := add[:0:0]
	for _, k := range add {
		if !had[string(k)] {
			fresh = append(fresh, k)
		}
	}
	return del, fresh
}

// counterDeltas hands add the counter changes, by counter key, for an order
// changing from prev (nil if new) to next.
func counterDeltas(prev, next *Order, add func(k []byte, d int64)) {
	if prev == nil {
		add([]byte(keyTotal), 1)
		add(hourKey(arrivalTime(next)), 1)
	} else {
		add(stateCountKey(prev.State), -1)
		add(statusCountKey(NormalizeStatus(string(prev.Status))), -1)
	}
	add(stateCountKey(next.State), 1)
	add(statusCountKey(NormalizeStatus(string(next.Status))), 1)
}

// arrivalTime is the hour an order counts toward in the arrival profile.
func arrivalTime(o *Order) time.Time {
	if !o.CreateTime.IsZero() {
		return o.CreateTime
	}
	return o.StoredAt
}

// stampOrder sets the fields the store owns: Version, ChangedAt, and
// StoredAt (kept from the first store).
func stampOrder(o *Order, prev *Order, now time.Time) {
	o.ChangedAt = now
	if prev == nil {
		o.Version = 1
		if o.StoredAt.IsZero() {
			o.StoredAt = now
		}
		return
	}
	o.Version = prev.Version + 1
	if !prev.StoredAt.IsZero() {
		o.StoredAt = prev.StoredAt
	}
}

// validateOrder rejects orders the indexes cannot file.
func validateOrder(o *Order) error {
	if err := checkID("order id", o.ID); err != nil {
		return err
	}
	if !o.State.Valid() {
		return fmt.Errorf("order %s: unknown local state %q", o.ID, o.State)
	}
	return nil
}
