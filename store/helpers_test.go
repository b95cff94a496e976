package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var testBase = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// testClock is a settable clock for Options.Now.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func openTestStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	if opts.GCInterval == 0 {
		opts.GCInterval = -1
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newOrder(id string, state State, status MarketStatus, shipBy time.Time) Order {
	return Order{ID: id, State: state, Status: status, RTSSLATime: shipBy, CreateTime: shipBy.Add(-48 * time.Hour)}
}

func putOrders(t testing.TB, s *Store, orders ...Order) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *Tx) error {
		for _, o := range orders {
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put orders: %v", err)
	}
}

func ids(orders []Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	return out
}

func allOrders(t testing.TB, s *Store) []Order {
	t.Helper()
	var out []Order
	if err := s.ScanOrders(context.Background(), func(o Order) bool { out = append(out, o); return true }); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

// recount derives the counts from a full scan.
func recount(orders []Order) Counts {
	c := Counts{ByState: map[State]int64{}, ByStatus: map[MarketStatus]int64{}}
	for _, st := range States() {
		c.ByState[st] = 0
	}
	for _, m := range MarketStatuses() {
		c.ByStatus[m] = 0
	}
	for _, o := range orders {
		c.ByState[o.State]++
		c.ByStatus[NormalizeStatus(string(o.Status))]++
		c.Total++
	}
	return c
}

func countsDiff(got, want Counts) string {
	var d []string
	if got.Total != want.Total {
		d = append(d, fmt.Sprintf("total %d, want %d", got.Total, want.Total))
	}
	for k, v := range want.ByState {
		if got.ByState[k] != v {
			d = append(d, fmt.Sprintf("state %s: %d, want %d", k, got.ByState[k], v))
		}
	}
	for k, v := range want.ByStatus {
		if got.ByStatus[k] != v {
			d = append(d, fmt.Sprintf("status %s: %d, want %d", k, got.ByStatus[k], v))
		}
	}
	if len(got.ByState) != len(want.ByState) || len(got.ByStatus) != len(want.ByStatus) {
		d = append(d, fmt.Sprintf("bucket sets differ: %v / %v", got, want))
	}
	return strings.Join(d, "; ")
}

// expected index orders, derived from times (not from the key encoding).

// shipByLess sorts by deadline (orders without one last), then id.
func shipByLess(a, b Order) int {
	ta, tb := a.ShipBy(), b.ShipBy()
	switch {
	case ta.IsZero() && !tb.IsZero():
		return 1
	case !ta.IsZero() && tb.IsZero():
		return -1
	case !ta.Equal(tb):
		return ta.Compare(tb)
	}
	return strings.Compare(a.ID, b.ID)
}

// failedRank: dead first, then failed with no scheduled attempt, then by
// next attempt.
func failedLess(a, b Order) int {
	rank := func(o Order) int {
		switch {
		case o.State == StateDead:
			return 0
		case o.NextAttemptAt.IsZero():
			return 1
		}
		return 2
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	if rank(a) == 2 && !a.NextAttemptAt.Equal(b.NextAttemptAt) {
		return a.NextAttemptAt.Compare(b.NextAttemptAt)
	}
	return strings.Compare(a.ID, b.ID)
}

func expectIDs(orders []Order, keep func(Order) bool, less func(a, b Order) int) []string {
	var sel []Order
	for _, o := range orders {
		if keep(o) {
			sel = append(sel, o)
		}
	}
	slices.SortFunc(sel, less)
	return ids(sel)
}
