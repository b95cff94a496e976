package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// request builds a write request for driving commitGroup directly, so a
// test controls exactly which calls share a commit.
func request(ctx context.Context, fn func(*Tx) error) *writeRequest {
	return &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
}

func putFn(o Order) func(*Tx) error { return func(tx *Tx) error { return tx.PutOrder(o) } }

// TestFailingCallInAGroupLeavesNothingAndSparesOthers: one caller's error
// (or panic, or cancellation) must not block, roll back or pollute the
// others that share its commit.
func TestFailingCallInAGroupLeavesNothingAndSparesOthers(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	errBoom := errors.New("boom")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	selfCancel, cancelSelf := context.WithCancel(ctx)

	type call struct {
		req     *writeRequest
		wantErr error
		id      string
	}
	calls := []call{
		{request(ctx, putFn(newOrder("ok-1", StateReady, StatusAwaitingShipment, testBase))), nil, "ok-1"},
		{request(ctx, func(tx *Tx) error {
			if err := tx.PutOrder(newOrder("bad-1", StateReady, StatusAwaitingShipment, testBase)); err != nil {
				return err
			}
			if err := tx.AddAudit(AuditEntry{Who: "x", Action: "bad", OrderID: "bad-1"}); err != nil {
				return err
			}
			return errBoom
		}), errBoom, "bad-1"},
		{request(ctx, func(tx *Tx) error {
			// Reads see the earlier call's write in the same group.
			if _, err := tx.Order("ok-1"); err != nil {
				return fmt.Errorf("ok-1 not visible: %w", err)
			}
			if _, err := tx.Order("bad-1"); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("bad-1 visible: %v", err)
			}
			return tx.PutOrder(newOrder("ok-2", StateQueued, StatusAwaitingShipment, testBase))
		}), nil, "ok-2"},
		{request(ctx, func(tx *Tx) error {
			_ = tx.PutOrder(newOrder("panic-1", StateReady, StatusAwaitingShipment, testBase))
			panic("bug in caller")
		}), nil, "panic-1"},
		{request(cancelled, putFn(newOrder("cancelled-1", StateReady, StatusAwaitingShipment, testBase))), context.Canceled, "cancelled-1"},
		{request(selfCancel, func(tx *Tx) error {
			err := tx.PutOrder(newOrder("cancelled-2", StateReady, StatusAwaitingShipment, testBase))
			cancelSelf()
			return err
		}), context.Canceled, "cancelled-2"},
		{request(ctx, putFn(Order{ID: "bad\x00id", State: StateNew})), nil, ""},
		{request(ctx, putFn(newOrder("ok-3", StateShipped, StatusInTransit, testBase))), nil, "ok-3"},
	}
	group := make([]*writeRequest, len(calls))
	for i, c := range calls {
		group[i] = c.req
	}
	s.commitGroup(group)

	stored := map[string]bool{}
	for _, o := range allOrders(t, s) {
		stored[o.ID] = true
	}
	for _, c := range calls {
		err := <-c.req.done
		switch {
		case strings.HasPrefix(c.id, "ok-"):
			if err != nil || !stored[c.id] {
				t.Errorf("%s: err %v, stored %v; want committed", c.id, err, stored[c.id])
			}
		case c.id == "panic-1":
			if err == nil || !strings.Contains(err.Error(), "panicked") || stored[c.id] {
				t.Errorf("panicking call: err %v, stored %v", err, stored[c.id])
			}
		case c.id == "":
			if err == nil {
				t.Errorf("invalid id accepted")
			}
		default:
			if !errors.Is(err, c.wantErr) || stored[c.id] {
				t.Errorf("%s: err %v (want %v), stored %v", c.id, err, c.wantErr, stored[c.id])
			}
		}
	}
	if audit, _ := s.Audit(ctx, 10); len(audit) != 0 {
		t.Errorf("failed call left audit entries: %+v", audit)
	}
	counts, _ := s.Counts(ctx)
	if d := countsDiff(counts, recount(allOrders(t, s))); d != "" || counts.Total != 3 {
		t.Errorf("counts %+v: %s", counts, d)
	}
	// The writer still serves callers after the panic.
	putOrders(t, s, newOrder("after", StateNew, StatusUnpaid, testBase))
}

// TestConcurrentCallersShareCommits: many goroutines updating at once all
// get their own result, and the failing ones leave no trace.
func TestConcurrentCallersShareCommits(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	errOdd := errors.New("odd caller fails")
	var wg sync.WaitGroup
	results := make([]error, 64)
	for i := range results {
		wg.Go(func() {
			results[i] = s.Update(ctx, func(tx *Tx) error {
				if err := tx.PutOrder(newOrder(fmt.Sprintf("c%02d", i), StateReady, StatusAwaitingShipment, testBase)); err != nil {
					return err
				}
				if i%2 == 1 {
					return errOdd
				}
				return nil
			})
		})
	}
	wg.Wait()
	stored := map[string]bool{}
	for _, o := range allOrders(t, s) {
		stored[o.ID] = true
	}
	for i, err := range results {
		id := fmt.Sprintf("c%02d", i)
		if i%2 == 1 && (!errors.Is(err, errOdd) || stored[id]) {
			t.Errorf("%s: err %v stored %v, want failure and nothing stored", id, err, stored[id])
		}
		if i%2 == 0 && (err != nil || !stored[id]) {
			t.Errorf("%s: err %v stored %v, want stored", id, err, stored[id])
		}
	}
	counts, _ := s.Counts(ctx)
	if counts.ByState[StateReady] != 32 || counts.Total != 32 {
		t.Errorf("counts %+v, want 32 ready", counts)
	}
}

// TestOversizedGroupIsSplitNeverOneCall: a group too big for one Badger
// transaction is committed in pieces, each call whole; a single call too
// big for any transaction fails alone.
func TestOversizedGroupIsSplitNeverOneCall(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	var commits atomic.Int32
	s.commitTxn = func(txn *badger.Txn) error { commits.Add(1); return txn.Commit() }
	ctx := context.Background()
	// Values under Badger's value threshold count whole against the
	// transaction, whose limit is 15% of the memtable.
	threshold := int(valueThresholdFor(memTableSizeFor(DefaultMinFree)))
	detail := strings.Repeat("x", threshold/2)
	var group []*writeRequest
	for i := range 20 {
		group = append(group, request(ctx, func(tx *Tx) error {
			if err := tx.AddAudit(AuditEntry{Who: "t", Action: "big", Detail: detail, OrderID: fmt.Sprintf("o%d", i)}); err != nil {
				return err
			}
			return tx.PutOrder(newOrder(fmt.Sprintf("o%02d", i), StateReady, StatusAwaitingShipment, testBase))
		}))
		if i == 10 {
			// Six values just under the threshold: more than any
			// transaction holds.
			part := strings.Repeat("y", threshold-1024)
			group = append(group, request(ctx, func(tx *Tx) error {
				for range 6 {
					if err := tx.AddAudit(AuditEntry{Who: "t", Action: "huge", Detail: part}); err != nil {
						return err
					}
				}
				return nil
			}))
		}
	}
	s.commitGroup(group)
	for i, r := range group {
		err := <-r.done
		if i == 11 {
			if !errors.Is(err, badger.ErrTxnTooBig) {
				t.Errorf("huge call: err %v, want ErrTxnTooBig", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if n := commits.Load(); n < 3 {
		t.Errorf("%d commits, want the group split into at least 3", n)
	}
	audit, err := s.Audit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 20 {
		t.Fatalf("%d audit entries, want 20", len(audit))
	}
	for i, e := range audit {
		if e.Seq != uint64(20-i) || e.Action != "big" {
			t.Errorf("audit[%d] = seq %d %s, want seq %d big", i, e.Seq, e.Action, 20-i)
		}
	}
	if c, _ := s.Counts(ctx); c.Total != 20 || c.ByState[StateReady] != 20 {
		t.Errorf("counts %+v, want 20 ready", c)
	}
}

// TestConflictsAreRetriedThenReported: Badger write conflicts are retried
// a bounded number of times, then surface as ErrConflict.
func TestConflictsAreRetriedThenReported(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int
		wantErr   error
		wantRuns  int
	}{
		{"recovers", 2, nil, 3},
		{"gives up", 100, ErrConflict, conflictAttempts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTestStore(t, t.TempDir(), Options{})
			left := tc.conflicts
			s.commitTxn = func(txn *badger.Txn) error {
				if left > 0 {
					left--
					return badger.ErrConflict
				}
				return txn.Commit()
			}
			runs := 0
			err := s.Update(context.Background(), func(tx *Tx) error {
				runs++
				return tx.PutOrder(newOrder("x", StateReady, StatusAwaitingShipment, testBase))
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if runs != tc.wantRuns {
				t.Errorf("fn ran %d times, want %d", runs, tc.wantRuns)
			}
			_, err = s.Order(context.Background(), "x")
			if stored := err == nil; stored != (tc.wantErr == nil) {
				t.Errorf("order stored = %v after %v", stored, tc.wantErr)
			}
		})
	}
}

// TestCancelledContextWritesNothing: a caller that gave up never finds its
// write done behind its back.
func TestCancelledContextWritesNothing(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx *Tx) error {
		ran = true
		return tx.PutOrder(newOrder("x", StateReady, StatusAwaitingShipment, testBase))
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("err %v ran %v, want Canceled and fn not run", err, ran)
	}
	if _, err := s.Order(context.Background(), "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("order stored after a cancelled update: %v", err)
	}
}

// TestTxIsDeadAfterUpdate: a transaction leaked out of its function cannot
// write later.
func TestTxIsDeadAfterUpdate(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	var leaked *Tx
	if err := s.Update(context.Background(), func(tx *Tx) error { leaked = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := leaked.PutOrder(newOrder("x", StateReady, StatusAwaitingShipment, testBase)); !errors.Is(err, errTxFinished) {
		t.Fatalf("leaked transaction's write: %v, want errTxFinished", err)
	}
	if err := leaked.AddAudit(AuditEntry{Who: "x", Action: "late"}); !errors.Is(err, errTxFinished) {
		t.Fatalf("leaked transaction's audit: %v, want errTxFinished", err)
	}
	if _, err := s.Order(context.Background(), "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("leaked transaction stored an order: %v", err)
	}
}
