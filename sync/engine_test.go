package sync_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/enginetest"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// world is an engine wired to a simulator on a manual clock, as
// `shipdeck sync` wires it, with a real store on disk.
type world struct {
	t     *testing.T
	sim   *sim.Sim
	clock *sim.Clock
	st    *store.Store
	eng   *shipsync.Engine
	dir   string
	opts  worldOptions
	cfg   shipsync.Config
	deps  shipsync.Deps
}

type worldOptions struct {
	ordersPerDay int
	faults       float64
	history      time.Duration
	routes       []route.Rule
	failover     bool
	scans        sim.ScanPlan
	// simOpts adjusts the simulator's options (shops, local sellers,
	// webhooks) before it starts.
	simOpts func(*sim.Options)
	// discover leaves the client without a shop cipher, as a config
	// without shop_cipher does; shopID is [shop] shop_id.
	discover bool
	shopID   string
	backoff  backoff.Policy
	// freeSpace replaces the store's statfs, to simulate a full disk.
	freeSpace func(string) (uint64, error)
}

var start = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	clock := sim.NewManualClock(start)
	so := sim.Options{Seed: 7, OrdersPerDay: o.ordersPerDay, Clock: clock,
		History: o.history, CarrierFaults: o.faults, DailyLimit: 5000, PerSecond: -1, Scans: o.scans}
	if o.simOpts != nil {
		o.simOpts(&so)
	}
	s, err := sim.Start(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	w := &world{t: t, sim: s, clock: clock, dir: t.TempDir(), opts: o}
	w.open()
	return w
}

// open opens the store and wires a fresh engine (as a restart would),
// talking to the simulator directly.
func (w *world) open() { w.openWith(w.sim.MarketplaceURL(), 300*time.Millisecond, 0) }

// openThrough wires a fresh engine whose TikTok client and carriers reach
// the simulator through base (a fault proxy) with short timeouts.
func (w *world) openThrough(base string) {
	w.openWith(base, proxiedCarrierTimeout, proxiedTikTokTimeout)
}

// openWith opens the store and wires the engine as cmd does, with every
// peer's base URL rewritten from the simulator's to base.
func (w *world) openWith(base string, carrierTimeout, tiktokTimeout time.Duration) {
	w.t.Helper()
	wired := enginetest.Wire(w.t, w.sim, w.clock, enginetest.Options{Dir: w.dir, Base: base,
		CarrierTimeout: carrierTimeout, TikTokTimeout: tiktokTimeout, Routes: w.opts.routes, Failover: w.opts.failover,
		ShopID: w.opts.shopID, Backoff: w.opts.backoff, Discover: w.opts.discover, FreeSpace: w.opts.freeSpace})
	w.st, w.eng, w.cfg, w.deps = wired.Store, wired.Engine, wired.Config, wired.Deps
}

// engineWith wires another engine like the world's, talking to TikTok
// through mp.
func (w *world) engineWith(mp shipsync.Marketplace) *shipsync.Engine {
	w.t.Helper()
	d := w.deps
	d.Marketplace = mp
	eng, err := shipsync.New(w.cfg, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return eng
}

func (w *world) close() {
	if err := w.st.Close(); err != nil {
		w.t.Fatal(err)
	}
}

// cycle runs what the worker does in one round: poll, pipeline, track,
// write back.
func (w *world) cycle(ctx context.Context) {
	w.t.Helper()
	if _, err := w.eng.Poll(ctx); err != nil {
		w.t.Fatalf("poll: %v", err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil && !tolerable(err) {
		w.t.Fatalf("pipeline: %v", err)
	}
	if _, err := w.eng.Track(ctx); err != nil {
		w.t.Fatalf("track: %v", err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil && !tolerable(err) {
		w.t.Fatalf("pipeline: %v", err)
	}
}

// tolerable are failures the pipeline records on the order and moves on.
func tolerable(err error) bool {
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "record push"))
}

// drain runs cycles, moving the clock on, until nothing is in flight.
func (w *world) drain(ctx context.Context, rounds int, step time.Duration) {
	for i := 0; i < rounds; i++ {
		w.cycle(ctx)
		w.clock.Advance(step)
	}
}

func (w *world) counts() store.Counts {
	c, err := w.st.Counts(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// assertExactlyOnce checks the simulator's own counters: no order created
// twice at a carrier, no order at two carriers (unless re-routed), no
// package shipped twice on TikTok.
func (w *world) assertExactlyOnce() {
	t := w.t
	c := w.sim.Counters()
	at := map[string][]string{}
	for name, cc := range c.Carriers {
		if d := cc.DuplicateCreates(); len(d) > 0 {
			t.Errorf("carrier %s created orders more than once: %v", name, d)
		}
		for id := range cc.CreatesByExternalID {
			at[id] = append(at[id], name)
		}
	}
	for id, carriers := range at {
		if len(carriers) > 1 {
			o, _ := w.st.Order(context.Background(), id)
			if o.Push == nil || len(o.Push.PreviousCarriers) == 0 {
				t.Errorf("order %s was created at %v without a re-route", id, carriers)
			}
		}
	}
	for pkg, n := range c.Marketplace.ShipsByPackage {
		if n > 1 {
			t.Errorf("package %s shipped %d times on TikTok", pkg, n)
		}
	}
}

func TestSyncPushesEveryEligibleOrderExactlyOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 400, history: 8 * time.Hour})
	w.drain(ctx, 12, 20*time.Minute)
	w.cycle(ctx)
	w.assertExactlyOnce()
	counts := w.counts()
	if counts.Total == 0 {
		t.Fatal("no orders were stored")
	}
	// Every order the simulator holds is stored exactly once.
	simOrders := w.sim.Orders()
	if int(counts.Total) != len(simOrders) {
		t.Errorf("stored %d orders, the simulator has %d", counts.Total, len(simOrders))
	}
	eligibleAtCarrier := 0
	c := w.sim.Counters()
	for _, cc := range c.Carriers {
		eligibleAtCarrier += cc.Creates()
	}
	if eligibleAtCarrier == 0 {
		t.Fatal("nothing reached a carrier")
	}
	for _, s := range []store.State{store.StatePushing, store.StateUnknown, store.StateReady, store.StateQueued} {
		if counts.ByState[s] != 0 {
			t.Errorf("%d orders left %s after draining", counts.ByState[s], s)
		}
	}
	if counts.ByState[store.StateShipped] == 0 {
		t.Errorf("no order got its tracking written back: %+v", counts.ByState)
	}
	for pkg, n := range c.Marketplace.ShipsByPackage {
		if n != 1 {
			t.Errorf("package %s written back %d times", pkg, n)
		}
	}
}

func TestFlakyCarrierRetriesThenLandsOrGoesDeadWithReason(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 8 * time.Hour, faults: 1,
		routes: []route.Rule{{Name: "flaky", Carrier: "flaky"}}})
	w.drain(ctx, 30, 10*time.Minute)
	// Faults lifted: whatever was in doubt settles.
	w.sim.SetCarrierFaults(0)
	w.drain(ctx, 6, 10*time.Minute)
	w.assertExactlyOnce()
	counts := w.counts()
	if counts.ByState[store.StatePushing] != 0 || counts.ByState[store.StateUnknown] != 0 {
		t.Errorf("in flight after draining: %+v", counts.ByState)
	}
	failed, err := w.st.Failed(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range failed {
		if o.State == store.StateDead && o.Reason == "" {
			t.Errorf("dead order %s has no reason", o.ID)
		}
	}
	fc := w.sim.Counters().Carriers["flaky"]
	if len(fc.Faults) == 0 {
		t.Fatal("the flaky carrier injected no faults; the test proves nothing")
	}
	if fc.Creates() == 0 {
		t.Fatal("nothing landed at the flaky carrier")
	}
}

func TestCrashBetweenCarrierAcceptAndCommitDoesNotDuplicate(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour})
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	// Cancel the pipeline while pushes are in flight: the 3PL may have
	// accepted some orders whose result was never committed.
	pctx, cancel := context.WithCancel(ctx)
	go func() {
		time.Sleep(3 * time.Millisecond)
		cancel()
	}()
	_, _ = w.eng.PipelineOnce(pctx)
	w.close()
	w.open() // restart
	if err := w.eng.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	w.drain(ctx, 8, 20*time.Minute)
	w.assertExactlyOnce()
	counts := w.counts()
	if counts.ByState[store.StatePushing] != 0 || counts.ByState[store.StateUnknown] != 0 || counts.ByState[store.StateQueued] != 0 {
		t.Errorf("unresolved after restart: %+v", counts.ByState)
	}
}

func TestOperatorRetryAndReroute(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour,
		routes: []route.Rule{{Name: "picky", Carrier: "picky"}}})
	w.drain(ctx, 4, 20*time.Minute)
	dead, err := w.st.Queue(ctx, store.StateDead, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) == 0 {
		t.Fatal("the picky carrier rejected nothing with this seed; the test proves nothing")
	}
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	viewer := store.Actor{Name: "vic", Role: store.RoleViewer}
	id := dead[0].ID

	if err := w.eng.Retry(ctx, viewer, id); !errors.Is(err, shipsync.ErrForbidden) {
		t.Fatalf("viewer retry: got %v, want ErrForbidden", err)
	}
	// Dead stays dead until an operator acts.
	w.drain(ctx, 2, 20*time.Minute)
	if o, _ := w.st.Order(ctx, id); o.State != store.StateDead {
		t.Fatalf("dead order moved to %s without an operator", o.State)
	}
	if err := w.eng.Reroute(ctx, op, id, "swift"); err != nil {
		t.Fatalf("reroute: %v", err)
	}
	o, atts, audit, err := w.st.OrderDetail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != store.StateQueued || o.Push.Carrier != "swift" || o.Push.Generation != 2 {
		t.Fatalf("after reroute: state %s carrier %s gen %d", o.State, o.Carrier(), o.Push.Generation)
	}
	if len(atts) == 0 {
		t.Error("no attempts recorded")
	}
	if len(audit) == 0 || audit[len(audit)-1].Who != "ana" || audit[len(audit)-1].Action != "reroute" {
		t.Errorf("audit trail lacks the reroute by ana: %+v", audit)
	}
	w.drain(ctx, 3, 20*time.Minute)
	if o, _ := w.st.Order(ctx, id); o.State == store.StateDead || o.State == store.StateQueued {
		t.Errorf("rerouted order is %s (%s)", o.State, o.Reason)
	}
	w.assertExactlyOnce()

	// Retry of a dead order: refused while not failed, accepted when dead.
	if len(dead) > 1 {
		id2 := dead[1].ID
		if err := w.eng.Retry(ctx, op, id2); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if o, _ := w.st.Order(ctx, id2); o.State != store.StateQueued {
			t.Errorf("after retry: %s", o.State)
		}
		if err := w.eng.Retry(ctx, op, id2); !errors.Is(err, shipsync.ErrRefused) {
			t.Errorf("second retry: got %v, want ErrRefused", err)
		}
	}
}

func TestCancellationOnTikTokCancelsAtCarrier(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 600, history: 12 * time.Hour})
	w.drain(ctx, 3, 10*time.Minute)
	// Buyers cancel orders the 3PL already accepted.
	pushed, err := w.st.Queue(ctx, store.StatePushed, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed) == 0 {
		t.Fatal("nothing pushed to cancel")
	}
	for _, o := range pushed {
		if !w.sim.CancelOrder(o.ID) {
			t.Fatalf("the simulator would not cancel %s", o.ID)
		}
	}
	w.drain(ctx, 30, 30*time.Minute)
	w.assertExactlyOnce()
	for _, o := range pushed {
		got, _ := w.st.Order(ctx, o.ID)
		if got.State != store.StateCancelled {
			t.Errorf("pushed order %s cancelled by the buyer is %s (%s)", o.ID, got.State, got.Reason)
		}
	}
	cancels := 0
	for _, cc := range w.sim.Counters().Carriers {
		cancels += cc.Cancels
	}
	if cancels < len(pushed) {
		t.Errorf("%d cancels reached the 3PLs for %d pushed orders cancelled on TikTok", cancels, len(pushed))
	}
	cancelled, err := w.st.Queue(ctx, store.StateCancelled, 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(cancelled) == 0 {
		t.Fatal("no cancellations with this seed; the test proves nothing")
	}
	// Every order cancelled here is cancelled on TikTok and is not live at
	// any 3PL, asked through each carrier's own lookup.
	var lookups []carrier.Carrier
	for _, ci := range w.sim.Carriers() {
		if ci.Kind != "rest" {
			continue
		}
		c, err := carrier.NewREST(carrier.RESTConfig{Name: ci.Name, Endpoint: ci.URL, Token: ci.Token})
		if err != nil {
			t.Fatal(err)
		}
		lookups = append(lookups, c)
	}
	for _, o := range cancelled {
		if so, ok := w.sim.Order(o.ID); !ok || so.Status != "CANCELLED" {
			t.Errorf("order %s is cancelled here but %q on TikTok", o.ID, so.Status)
		}
		for _, c := range lookups {
			remotes, err := c.Lookup(ctx, o.ID)
			if err != nil {
				t.Fatalf("lookup %s at %s: %v", o.ID, c.Name(), err)
			}
			for _, r := range remotes {
				if r.Status != carrier.StatusCancelled {
					t.Errorf("order %s is cancelled on TikTok but live at %s (%s)", o.ID, c.Name(), r.Status)
				}
			}
		}
	}
}

func TestOpenCircuitDoesNotHoldBackOtherCarriers(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 600, history: 12 * time.Hour,
		routes: []route.Rule{{Name: "down", Carrier: "steady", When: route.When{Country: "US"}}, {Name: "rest", Carrier: "swift"}}})
	// steady fails every push, so its circuit opens.
	if err := w.sim.InjectCarrierFault("steady", sim.Fault{Kind: sim.FaultServerError, Count: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.eng.PipelineOnce(ctx); err != nil && !tolerable(err) {
			t.Fatal(err)
		}
	}
	// Re-route a handful of queued orders to swift: they sit behind the
	// stuck carrier's orders in deadline order, yet must be pushed.
	queued, err := w.st.Queue(ctx, store.StateQueued, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) < 100 {
		t.Fatalf("only %d orders queued behind the open circuit; the test needs more than a claim page", len(queued))
	}
	t.Logf("%d orders queued behind the open circuit", len(queued))
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	late := queued[len(queued)-5:]
	for _, o := range late {
		if err := w.eng.Reroute(ctx, op, o.ID, "swift"); err != nil {
			t.Fatalf("reroute %s: %v", o.ID, err)
		}
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil && !tolerable(err) {
		t.Fatal(err)
	}
	for _, o := range late {
		got, _ := w.st.Order(ctx, o.ID)
		if got.State != store.StatePushed {
			t.Errorf("order %s for swift is %s behind steady's open circuit", o.ID, got.State)
		}
	}
	w.assertExactlyOnce()
}

func TestPauseLastsAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour})
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	if err := w.eng.SetPaused(ctx, op, true); err != nil {
		t.Fatal(err)
	}
	w.close()
	w.open()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.eng.Run(rctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for !w.eng.Paused() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !w.eng.Paused() {
		t.Fatal("the worker forgot it was paused across a restart")
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c := w.counts(); c.Total != 0 {
		t.Errorf("a paused worker stored %d orders", c.Total)
	}
	if err := w.eng.SetPaused(ctx, op, false); err != nil {
		t.Fatal(err)
	}
	if w.eng.Paused() {
		t.Error("resume did not take")
	}
}

// A stop that arrives while the worker is starting (SIGTERM right after
// `serve` began) is a clean stop, not an error exit.
func TestRunStoppedWhileStartingIsACleanStop(t *testing.T) {
	w := newWorld(t, worldOptions{ordersPerDay: 10})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.eng.Run(ctx); err != nil {
		t.Fatalf("run stopped while starting: %v", err)
	}
}

// The header's alert strip leads with the critical alerts.
func TestSnapshotListsCriticalAlertsFirst(t *testing.T) {
	w := newWorld(t, worldOptions{ordersPerDay: 10})
	ctx := context.Background()
	err := w.st.Update(ctx, func(tx *store.Tx) error {
		for _, a := range []store.Alert{
			{Key: "a/1", Rule: "order_at_risk", Severity: "warning", Summary: "at risk"},
			{Key: "b/1", Rule: "push_dead", Severity: "critical", Summary: "dead"},
			{Key: "c/1", Rule: "quota_exhaustion", Severity: "warning", Summary: "quota"},
		} {
			if err := tx.PutAlert(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.eng.Refresh(ctx)
	got := w.eng.Snapshot().Alerts
	if len(got) != 3 || got[0].Severity != "critical" {
		t.Fatalf("alerts in the snapshot: %+v; want the critical one first", got)
	}
}
