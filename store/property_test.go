package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestIndexesAndCountersMatchOrders drives random sequences of order
// transitions and checks, after every step, that the counters equal a full
// recount and that every index lists exactly the right orders in order. If
// this fails, a pane would show a wrong number or miss an order.
func TestIndexesAndCountersMatchOrders(t *testing.T) {
	base := t.TempDir()
	times := []time.Time{{}, testBase, testBase.Add(time.Hour), testBase.Add(26 * time.Hour), testBase.Add(-5 * time.Hour)}
	genTime := rapid.SampledFrom(times)
	idPool := []string{"1001", "1002", "1003", "1004", "1005", "a", "a/b", "z\u00ff"}
	statuses := append(MarketStatuses(), "SOMETHING_NEW", "")

	genOrder := rapid.Custom(func(t *rapid.T) Order {
		o := Order{
			ID:     rapid.SampledFrom(idPool).Draw(t, "id"),
			State:  rapid.SampledFrom(States()).Draw(t, "state"),
			Status: rapid.SampledFrom(statuses).Draw(t, "status"),
		}
		switch rapid.IntRange(0, 4).Draw(t, "deadline") {
		case 0:
			o.RTSSLATime = genTime.Draw(t, "rts")
		case 1:
			o.ShippingDueTime = genTime.Draw(t, "due")
		case 2:
			o.TTSSLATime = genTime.Draw(t, "tts")
		case 3:
			o.CreateTime = genTime.Draw(t, "create")
		}
		if o.State == StateFailed || rapid.Bool().Draw(t, "next") {
			o.NextAttemptAt = genTime.Draw(t, "nextAttempt")
		}
		return o
	})

	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp(base, "check")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		s, err := Open(dir, Options{GCInterval: -1})
		if err != nil {
			rt.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for step := range steps {
			switch rapid.IntRange(0, 3).Draw(rt, "kind") {
			case 0: // one transition
				o := genOrder.Draw(rt, "order")
				if err := s.Update(ctx, func(tx *Tx) error { return tx.PutOrder(o) }); err != nil {
					rt.Fatalf("step %d: put: %v", step, err)
				}
			case 1: // several transitions in one transaction, same id possibly twice
				batch := rapid.SliceOfN(genOrder, 1, 4).Draw(rt, "batch")
				err := s.Update(ctx, func(tx *Tx) error {
					for _, o := range batch {
						if err := tx.PutOrder(o); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					rt.Fatalf("step %d: put batch: %v", step, err)
				}
			case 2: // a failing transaction leaves nothing
				o := genOrder.Draw(rt, "doomed")
				errDoomed := errors.New("doomed")
				err := s.Update(ctx, func(tx *Tx) error {
					if err := tx.PutOrder(o); err != nil {
						return err
					}
					return errDoomed
				})
				if !errors.Is(err, errDoomed) {
					rt.Fatalf("step %d: failing update returned %v", step, err)
				}
			case 3: // bulk write, duplicates included
				batch := rapid.SliceOfN(genOrder, 1, 5).Draw(rt, "bulk")
				if err := s.BulkPut(ctx, batch); err != nil {
					rt.Fatalf("step %d: bulk: %v", step, err)
				}
			}
			checkIndexes(rt, s, genTime.Draw(rt, "dueNow"))
		}
	})
}

func checkIndexes(t *rapid.T, s *Store, now time.Time) {
	ctx := context.Background()
	var orders []Order
	if err := s.ScanOrders(ctx, func(o Order) bool { orders = append(orders, o); return true }); err != nil {
		t.Fatalf("scan: %v", err)
	}
	got, err := s.Counts(ctx)
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	if d := countsDiff(got, recount(orders)); d != "" {
		t.Fatalf("counters disagree with a recount: %s", d)
	}
	const all = 1000
	for _, st := range States() {
		page, err := s.Queue(ctx, st, 0, all)
		if err != nil {
			t.Fatalf("queue %s: %v", st, err)
		}
		want := expectIDs(orders, func(o Order) bool { return o.State == st }, shipByLess)
		if !slices.Equal(ids(page), want) {
			t.Fatalf("queue %s = %q, want %q", st, ids(page), want)
		}
	}
	for _, m := range MarketStatuses() {
		page, err := s.QueueByStatus(ctx, m, 0, all)
		if err != nil {
			t.Fatalf("status queue %s: %v", m, err)
		}
		want := expectIDs(orders, func(o Order) bool { return NormalizeStatus(string(o.Status)) == m }, shipByLess)
		if !slices.Equal(ids(page), want) {
			t.Fatalf("status queue %s = %q, want %q", m, ids(page), want)
		}
	}
	failed, err := s.Failed(ctx, 0, all)
	if err != nil {
		t.Fatalf("failed: %v", err)
	}
	want := expectIDs(orders, func(o Order) bool { return o.State == StateFailed || o.State == StateDead }, failedLess)
	if !slices.Equal(ids(failed), want) {
		t.Fatalf("failed pane = %q, want %q", ids(failed), want)
	}
	due, err := s.Due(ctx, now, all)
	if err != nil {
		t.Fatalf("due: %v", err)
	}
	want = expectIDs(orders, func(o Order) bool {
		return (o.State == StateFailed || o.State == StateNew && !o.NextAttemptAt.IsZero()) && !o.NextAttemptAt.After(now)
	}, failedLess)
	if !slices.Equal(ids(due), want) {
		t.Fatalf("due at %s = %q, want %q", fmt.Sprint(now), ids(due), want)
	}
}
