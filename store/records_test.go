package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestChangeFeedCoalesces: a slow console session gets one wake-up naming
// everything that changed, and the writer never waits for it.
func TestChangeFeedCoalesces(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	ch, cancel := s.Subscribe(TopicOrders | TopicQuota)
	audits, cancelAudits := s.Subscribe(TopicAudit)
	defer cancelAudits()

	for i := range 5 {
		putOrders(t, s, newOrder(fmt.Sprintf("o%d", i), StateReady, StatusAwaitingShipment, testBase))
	}
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ReserveQuota("d", CallPoll, 1, 10, 10)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.AddAudit(AuditEntry{Who: "a", Action: "x"}) }); err != nil {
		t.Fatal(err)
	}
	if got := <-ch; got != TopicOrders|TopicQuota {
		t.Fatalf("coalesced topics %b, want orders|quota", got)
	}
	select {
	case got := <-ch:
		t.Fatalf("second wake-up %b after coalescing", got)
	default:
	}
	if got := <-audits; got != TopicAudit {
		t.Fatalf("audit subscriber got %b", got)
	}
	// A failed transaction publishes nothing.
	_ = s.Update(ctx, func(tx *Tx) error {
		_ = tx.PutOrder(newOrder("doomed", StateReady, StatusAwaitingShipment, testBase))
		return errors.New("no")
	})
	select {
	case got := <-ch:
		t.Fatalf("failed transaction published %b", got)
	default:
	}
	cancel()
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after cancel")
	}
	putOrders(t, s, newOrder("after-cancel", StateReady, StatusAwaitingShipment, testBase))
}

// TestOnOrdersSeesStoredOrders: the search index hook gets each committed
// order once, in its stored form, and nothing from failed calls.
func TestOnOrdersSeesStoredOrders(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]Order{}
	var perCall [][]string
	calls := 0
	hook := func(orders []Order) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		perCall = append(perCall, ids(orders))
		for _, o := range orders {
			seen[o.ID] = o
		}
	}
	clock := &testClock{t: testBase}
	s := openTestStore(t, t.TempDir(), Options{OnOrders: hook, Now: clock.now})
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		o := newOrder("a", StateNew, StatusUnpaid, testBase)
		if err := tx.PutOrder(o); err != nil {
			return err
		}
		o.State = StateReady
		return tx.PutOrder(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Update(ctx, func(tx *Tx) error {
		_ = tx.PutOrder(newOrder("b", StateNew, StatusUnpaid, testBase))
		return errors.New("no")
	})
	if err := s.BulkPut(ctx, []Order{newOrder("c", StateReady, StatusAwaitingShipment, testBase), newOrder("a", StateQueued, StatusAwaitingShipment, testBase)}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := seen["b"]; ok {
		t.Error("hook saw an order from a failed transaction")
	}
	if a := seen["a"]; a.State != StateQueued || a.Version != 3 || !a.StoredAt.Equal(testBase) {
		t.Errorf("hook's last view of a = %s v%d stored %s; want queued v3 stored %s", a.State, a.Version, a.StoredAt, testBase)
	}
	if c := seen["c"]; c.Version != 1 || !c.ChangedAt.Equal(testBase) {
		t.Errorf("hook's c = v%d changed %s", c.Version, c.ChangedAt)
	}
	if calls != 2 {
		t.Errorf("hook called %d times, want 2", calls)
	}
	// a was stored twice in the first transaction: the hook gets it once.
	if want := [][]string{{"a"}, {"c", "a"}}; !slices.EqualFunc(perCall, want, slices.Equal) {
		t.Errorf("hook calls saw %q, want %q", perCall, want)
	}
}

// TestReserveQuotaNeverExceedsAllowed: however many goroutines race for the
// budget, the ledger never goes past what the caller may spend.
func TestReserveQuotaNeverExceedsAllowed(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	const day, limit, allowed = "2026-11-24", 100, 30
	var granted, refused atomic.Int32
	var wg sync.WaitGroup
	var badErr atomic.Value
	for g := range 40 {
		wg.Go(func() {
			for range 3 {
				kind := CallKinds()[g%len(CallKinds())]
				err := s.Update(ctx, func(tx *Tx) error {
					_, err := tx.ReserveQuota(day, kind, 1, limit, allowed)
					return err
				})
				switch {
				case err == nil:
					granted.Add(1)
				case errors.Is(err, ErrQuotaExhausted) && strings.Contains(err.Error(), day):
					refused.Add(1)
				default:
					badErr.Store(err)
				}
			}
		})
	}
	wg.Wait()
	if err := badErr.Load(); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	q, err := s.Quota(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if granted.Load() != allowed || q.Total() != allowed || refused.Load() != 120-allowed {
		t.Fatalf("granted %d, refused %d, ledger %d; want %d granted", granted.Load(), refused.Load(), q.Total(), allowed)
	}
	if q.Limit != limit {
		t.Errorf("ledger limit %d, want %d", q.Limit, limit)
	}
}

func TestReserveQuotaRefusalWritesNothing(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	var got QuotaDay
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ReserveQuota("d", CallPoll, 8, 10, 10); err != nil {
			return err
		}
		var err error
		got, err = tx.ReserveQuota("d", CallOperator, 3, 10, 10)
		if !errors.Is(err, ErrQuotaExhausted) {
			return fmt.Errorf("want exhausted, got %v", err)
		}
		if !strings.Contains(err.Error(), "8 of 10") {
			return fmt.Errorf("message %q does not say used/limit", err)
		}
		return nil // the refusal itself wrote nothing; the first reservation stands
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Limit != 10 || got.Total() != 8 {
		t.Errorf("refused reservation returned %+v", got)
	}
	q, _ := s.Quota(ctx, "d")
	if q.Total() != 8 || q.Used[CallOperator] != 0 {
		t.Errorf("ledger %+v, want 8 polls only", q)
	}
	empty, err := s.Quota(ctx, "other-day")
	if err != nil || empty.Day != "other-day" || empty.Used == nil || empty.Total() != 0 {
		t.Errorf("empty ledger %+v %v", empty, err)
	}
}

// TestAttemptsAndAuditKeepTheirOrder: the detail view lists attempts oldest
// first; the audit pane lists the newest first.
func TestAttemptsAndAuditKeepTheirOrder(t *testing.T) {
	clock := &testClock{t: testBase}
	s := openTestStore(t, t.TempDir(), Options{Now: clock.now})
	ctx := context.Background()
	putOrders(t, s, newOrder("A", StateQueued, StatusAwaitingShipment, testBase), newOrder("A/B", StateQueued, StatusAwaitingShipment, testBase))
	for round := range 3 {
		clock.t = testBase.Add(time.Duration(round) * time.Minute)
		err := s.Update(ctx, func(tx *Tx) error {
			for j := range 2 {
				for _, id := range []string{"A", "A/B"} {
					if err := tx.AddAttempt(Attempt{OrderID: id, Kind: AttemptPush, Error: fmt.Sprintf("r%d-%d", round, j)}); err != nil {
						return err
					}
				}
			}
			return tx.AddAudit(AuditEntry{Who: "op", Action: fmt.Sprintf("act%d", round), OrderID: "A"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.AddAudit(AuditEntry{Who: "op", Action: "global"}) }); err != nil {
		t.Fatal(err)
	}
	o, attempts, audit, err := s.OrderDetail(ctx, "A")
	if err != nil || o.ID != "A" {
		t.Fatalf("detail: %v", err)
	}
	var errs []string
	for i, a := range attempts {
		errs = append(errs, a.Error)
		if a.OrderID != "A" || (i > 0 && a.Seq <= attempts[i-1].Seq) {
			t.Errorf("attempt %d: %+v out of order or not A's", i, a)
		}
	}
	if want := []string{"r0-0", "r0-1", "r1-0", "r1-1", "r2-0", "r2-1"}; !slices.Equal(errs, want) {
		t.Errorf("attempts %q, want %q", errs, want)
	}
	if attempts[2].At != testBase.Add(time.Minute) {
		t.Errorf("attempt time %s not stamped from the clock", attempts[2].At)
	}
	var acts []string
	for _, e := range audit {
		acts = append(acts, e.Action)
	}
	if want := []string{"act0", "act1", "act2"}; !slices.Equal(acts, want) {
		t.Errorf("audit of A = %q, want %q", acts, want)
	}
	last, err := s.Audit(ctx, 2)
	if err != nil || len(last) != 2 || last[0].Action != "global" || last[1].Action != "act2" {
		t.Errorf("Audit(2) = %+v %v; want global, act2", last, err)
	}
	if _, _, _, err := s.OrderDetail(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("detail of a missing order: %v", err)
	}
}

// TestLatencySamplesWindowAndPrune: the carriers pane reads one carrier's
// window; samples older than 48 hours are pruned by maintenance.
func TestLatencySamplesWindowAndPrune(t *testing.T) {
	clock := &testClock{t: testBase}
	s := openTestStore(t, t.TempDir(), Options{Now: clock.now})
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		for _, c := range []string{"fast", "fast-eu", "slow"} {
			for h := -72; h <= 0; h += 12 {
				if err := tx.AddSample(LatencySample{Carrier: c, At: testBase.Add(time.Duration(h) * time.Hour), Latency: time.Duration(-h) * time.Millisecond}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Samples(ctx, "fast", testBase.Add(-24*time.Hour), testBase)
	if err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for _, ls := range got {
		if ls.Carrier != "fast" {
			t.Errorf("sample of %s in fast's window", ls.Carrier)
		}
		lat = append(lat, ls.Latency)
	}
	if want := []time.Duration{24 * time.Millisecond, 12 * time.Millisecond}; !slices.Equal(lat, want) {
		t.Errorf("window latencies %v, want %v", lat, want)
	}
	s.maintain(ctx)
	for _, c := range []string{"fast", "fast-eu", "slow"} {
		all, _ := s.Samples(ctx, c, testBase.Add(-100*time.Hour), testBase.Add(time.Hour))
		if len(all) != 5 || !all[0].At.Equal(testBase.Add(-48*time.Hour)) {
			t.Errorf("%s after prune: %d samples from %v, want 5 from -48h", c, len(all), all)
		}
	}
}

// TestSeenNotificationDedupAndExpiry: a webhook delivered twice is handled
// once; ids are forgotten after a week.
func TestSeenNotificationDedupAndExpiry(t *testing.T) {
	clock := &testClock{t: testBase}
	s := openTestStore(t, t.TempDir(), Options{Now: clock.now})
	ctx := context.Background()
	seen := func(id string) bool {
		var was bool
		err := s.Update(ctx, func(tx *Tx) error {
			var err error
			was, err = tx.SeenNotification(id, clock.t)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return was
	}
	if seen("n1") || !seen("n1") {
		t.Fatal("dedup does not remember n1")
	}
	clock.t = testBase.Add(6 * 24 * time.Hour)
	seen("n2")
	clock.t = testBase.Add(8 * 24 * time.Hour)
	s.maintain(ctx)
	if seen("n1") {
		t.Error("n1 remembered after a week")
	}
	if !seen("n2") {
		t.Error("n2 forgotten too early")
	}
}

// TestArrivalProfileSumsHours: the quota planner learns when orders arrive,
// counted once per order at its creation hour.
func TestArrivalProfileSumsHours(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	mk := func(id string, created time.Time) Order {
		return Order{ID: id, State: StateNew, Status: StatusUnpaid, CreateTime: created}
	}
	day := func(d, h int) time.Time { return testBase.Add(time.Duration(d*24+h) * time.Hour) }
	putOrders(t, s, mk("a", day(0, 9)), mk("b", day(0, 9).Add(59*time.Minute)), mk("c", day(-1, 9)), mk("d", day(-1, 21)), mk("old", day(-10, 9)))
	// A change to an existing order does not count again.
	o := mk("a", day(0, 9))
	o.State = StateReady
	putOrders(t, s, o)
	if err := s.BulkPut(ctx, []Order{mk("e", day(0, 21)), mk("a", day(0, 9))}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ArrivalProfile(ctx, day(0, 23), 3)
	if err != nil {
		t.Fatal(err)
	}
	var want [24]int64
	want[9], want[21] = 3, 2
	if got != want {
		t.Fatalf("profile %v, want %v", got, want)
	}
	if got, _ := s.ArrivalProfile(ctx, day(0, 23), 0); got != ([24]int64{}) {
		t.Fatalf("0 days gave %v", got)
	}
}

// TestBulkPutReplacesAndCounts: an import over existing orders replaces
// them, keeps versions increasing and counters right; duplicates in the
// input count once (the last wins).
func TestBulkPutReplacesAndCounts(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	putOrders(t, s, newOrder("x", StateFailed, StatusAwaitingShipment, testBase), newOrder("y", StateDead, StatusAwaitingShipment, testBase))
	in := []Order{
		newOrder("x", StateReady, StatusAwaitingShipment, testBase),
		newOrder("z", StateNew, StatusUnpaid, testBase),
		newOrder("z", StateQueued, StatusAwaitingShipment, testBase.Add(time.Hour)),
	}
	if err := s.BulkPut(ctx, in); err != nil {
		t.Fatal(err)
	}
	orders := allOrders(t, s)
	c, _ := s.Counts(ctx)
	if d := countsDiff(c, recount(orders)); d != "" || c.Total != 3 {
		t.Fatalf("counts after bulk %+v: %s", c, d)
	}
	x, _ := s.Order(ctx, "x")
	z, _ := s.Order(ctx, "z")
	if x.Version != 2 || x.State != StateReady || z.Version != 1 || z.State != StateQueued {
		t.Fatalf("x v%d %s, z v%d %s", x.Version, x.State, z.Version, z.State)
	}
	failed, _ := s.Failed(ctx, 0, 10)
	if !slices.Equal(ids(failed), []string{"y"}) {
		t.Fatalf("failed pane %q after x left it", ids(failed))
	}
	if err := s.BulkPut(ctx, []Order{{ID: "", State: StateNew}}); err == nil {
		t.Fatal("bulk accepted an order without id")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.BulkPut(cancelled, []Order{newOrder("w", StateNew, StatusUnpaid, testBase)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled bulk: %v", err)
	}
	if _, err := s.Order(ctx, "w"); !errors.Is(err, ErrNotFound) {
		t.Fatal("cancelled bulk wrote an order")
	}
}

func TestPutOrderRejectsBadInput(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	for _, tc := range []struct {
		order Order
		says  string // what the error must name
	}{
		{Order{ID: "", State: StateNew}, "order id"},
		{Order{ID: "x", State: "bogus"}, "bogus"},
		{Order{ID: "bad\xffutf8", State: StateNew}, "not UTF-8"},
		{Order{ID: "nul\x00id", State: StateNew}, "NUL"},
	} {
		o := tc.order
		err := s.Update(context.Background(), func(tx *Tx) error { return tx.PutOrder(o) })
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("PutOrder(%q, %q) = %v, want an error naming %q", o.ID, o.State, err, tc.says)
		}
	}
	if c, err := s.Counts(context.Background()); err != nil || c.Total != 0 {
		t.Errorf("counts after rejected orders: %+v, %v; want none", c, err)
	}
	if got := allOrders(t, s); len(got) != 0 {
		t.Errorf("rejected orders were stored: %q", ids(got))
	}
}
