package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Counts returns the number of orders per local state and marketplace
// status from counters, in constant time.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	c := Counts{ByState: map[State]int64{}, ByStatus: map[MarketStatus]int64{}}
	for _, st := range States() {
		c.ByState[st] = 0
	}
	for _, m := range MarketStatuses() {
		c.ByStatus[m] = 0
	}
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValue(txn, []byte(prefixCounter), func(k, v []byte) error {
			n := decodeInt64(v)
			ks := string(k)
			if ks == keyTotal {
				c.Total = n
			} else if st, ok := strings.CutPrefix(ks, prefixStateCount); ok && st != "" {
				c.ByState[State(st)] = n
			} else if m, ok := strings.CutPrefix(ks, prefixStatusCount); ok && m != "" {
				c.ByStatus[MarketStatus(m)] = n
			}
			return nil
		})
	})
	if err != nil {
		return Counts{}, fmt.Errorf("counts: %w", err)
	}
	return c, nil
}

// Audit returns the last n audit entries, newest first.
func (s *Store) Audit(ctx context.Context, n int) ([]AuditEntry, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []AuditEntry
	p := []byte(prefixAudit)
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValueFrom(txn, p, reverseSeekKey(p, 8), true, func(_, v []byte) (bool, error) {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return false, fmt.Errorf("decode: %w", err)
			}
			out = append(out, e)
			return len(out) < n, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

// Samples returns one carrier's latency samples in [since, until), oldest
// first.
func (s *Store) Samples(ctx context.Context, carrier string, since, until time.Time) ([]LatencySample, error) {
	if !validID(carrier) {
		return nil, nil
	}
	p := idPrefix(prefixSample, carrier)
	end := timeSortKey(until)
	var out []LatencySample
	err := s.view(ctx, func(txn *badger.Txn) error {
		seek := append(append([]byte(nil), p...), u64(timeSortKey(since))...)
		return eachValueFrom(txn, p, seek, false, func(k, v []byte) (bool, error) {
			if sortKeyAt(k, len(p)) >= end {
				return false, nil
			}
			var ls LatencySample
			if err := json.Unmarshal(v, &ls); err != nil {
				return false, fmt.Errorf("decode: %w", err)
			}
			out = append(out, ls)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("latency samples of %s: %w", carrier, err)
	}
	return out, nil
}

// Quota returns the ledger of one quota day (an empty ledger if none).
func (s *Store) Quota(ctx context.Context, day string) (QuotaDay, error) {
	q := QuotaDay{Day: day}
	if err := s.readJSON(ctx, quotaKey(day), &q); err != nil {
		return QuotaDay{}, fmt.Errorf("quota ledger %s: %w", day, err)
	}
	if q.Used == nil {
		q.Used = map[CallKind]int{}
	}
	return q, nil
}

// Cursor returns the poller's cursor (zero if none).
func (s *Store) Cursor(ctx context.Context) (Cursor, error) {
	var c Cursor
	if err := s.readJSON(ctx, []byte(keyCursor), &c); err != nil {
		return Cursor{}, fmt.Errorf("cursor: %w", err)
	}
	return c, nil
}

// WorkerControl returns what an operator set on the worker (zero if
// nothing).
func (s *Store) WorkerControl(ctx context.Context) (WorkerControl, error) {
	var c WorkerControl
	if err := s.readJSON(ctx, []byte(keyWorker), &c); err != nil {
		return WorkerControl{}, fmt.Errorf("worker control: %w", err)
	}
	return c, nil
}

// readJSON decodes the record at k into v, leaving v as it is when there is
// no record.
func (s *Store) readJSON(ctx context.Context, k []byte, v any) error {
	return s.view(ctx, func(txn *badger.Txn) error {
		raw, err := getValue(txn, k)
		if err != nil || raw == nil {
			return err
		}
		return json.Unmarshal(raw, v)
	})
}

// maxProfileDays bounds ArrivalProfile's window (ten years of hours).
const maxProfileDays = 3660

// ArrivalProfile returns the number of orders created per hour of day (UTC
// hour index 0..23) over the last days days, from per-hour counters.
func (s *Store) ArrivalProfile(ctx context.Context, now time.Time, days int) ([24]int64, error) {
	var profile [24]int64
	if days <= 0 {
		return profile, nil
	}
	days = min(days, maxProfileDays)
	last := now.UTC().Truncate(time.Hour)
	first := last.Add(-time.Duration(days*24-1) * time.Hour)
	p := []byte(prefixHour)
	endLabel := last.Format(hourLabelLayout)
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValueFrom(txn, p, hourKey(first), false, func(k, v []byte) (bool, error) {
			label := string(k[len(p):])
			if label > endLabel {
				return false, nil
			}
			if len(label) != len(hourLabelLayout) {
				return true, nil
			}
			hour, err := strconv.Atoi(label[8:10])
			if err != nil || hour < 0 || hour > 23 {
				return true, nil
			}
			profile[hour] += decodeInt64(v)
			return true, nil
		})
	})
	if err != nil {
		return [24]int64{}, fmt.Errorf("arrival profile: %w", err)
	}
	return profile, nil
}
