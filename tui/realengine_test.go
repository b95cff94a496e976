package tui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/enginetest"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// These tests run the console against the real engine: a Badger store in a
// temporary directory and the simulator over loopback, on a manual clock.
// The console's rules (what may be retried, released, re-routed, and how)
// are the engine's, so a rule change there shows up here.

var realStart = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

// realShop is the engine with a day of orders: those for the US go to
// steady, whose every push fails, so after two passes they are dead; the
// rest went to swift.
type realShop struct {
	t     *testing.T
	sim   *sim.Sim
	clock *sim.Clock
	w     *enginetest.Wired
}

func newRealShop(t *testing.T) *realShop {
	t.Helper()
	clock := sim.NewManualClock(realStart)
	s, err := sim.Start(context.Background(), sim.Options{Seed: 7, OrdersPerDay: 300, Clock: clock,
		History: 8 * time.Hour, DailyLimit: 5000, PerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.InjectCarrierFault("steady", sim.Fault{Kind: sim.FaultServerError, Count: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	w := enginetest.Wire(t, s, clock, enginetest.Options{Dir: t.TempDir(), Search: true,
		Backoff: backoff.Policy{MaxAttempts: 2},
		Routes:  []route.Rule{{Name: "us", Carrier: "steady", When: route.When{Country: "US"}}, {Name: "rest", Carrier: "swift"}}})
	t.Cleanup(func() { _ = w.Store.Close() })
	r := &realShop{t: t, sim: s, clock: clock, w: w}
	ctx := context.Background()
	if _, err := w.Engine.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.Engine.PipelineOnce(ctx); err != nil && !strings.Contains(err.Error(), "record push") {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
	}
	w.Engine.Refresh(ctx)
	if r.count(store.StateDead) == 0 {
		t.Fatal("no dead orders: the test proves nothing")
	}
	return r
}

func (r *realShop) count(st store.State) int64 {
	c, err := r.w.Store.Counts(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return c.ByState[st]
}

// console starts the console on the real engine in a terminal emulator.
func (r *realShop) console(actor store.Actor) *tuitest.Terminal {
	r.t.Helper()
	m, err := tui.New(r.w.Engine, tui.Options{Actor: actor, Now: r.clock.Now, Theme: theme.New(theme.Options{Dark: true}),
		ExportDir: r.t.TempDir()})
	if err != nil {
		r.t.Fatal(err)
	}
	return tuitest.StartTerminal(r.t, m, 150, 46)
}

var olga = store.Actor{Name: "olga", Role: store.RoleOperator}

func TestRealEngineJumpFilterAndRetryAllOnTheFilter(t *testing.T) {
	r := newRealShop(t)
	ctx := context.Background()
	dead, err := r.w.Store.Queue(ctx, store.StateDead, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, o := range dead {
		keys[o.ID] = o.Push.IdempotencyKey
	}
	term := r.console(olga)
	term.WaitFor("Failed pushes")
	term.TM.Type("1:dead")
	term.TM.Send(tuitest.Key("enter"))
	term.WaitFor("Queues · state=dead", dead[0].ID)
	term.TM.Type("c")
	term.WaitFor("Show carrier")
	term.TM.Type("steady")
	term.TM.Send(tuitest.Key("enter"))
	term.WaitFor("Queues · carrier=steady state=dead")
	term.TM.Type("R")
	// The confirmation counts the real store.
	term.WaitFor("Retry all " + strconv.Itoa(len(dead)) + " orders in this view (carrier=steady state=dead)?")
	term.TM.Type("y")
	term.WaitFor("retried " + strconv.Itoa(len(dead)) + " orders")
	// The engine's rule: a retry keeps the idempotency key and queues the
	// order, with an audit entry by the operator.
	for _, o := range dead {
		got, err := r.w.Store.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.StateQueued || got.Push.IdempotencyKey != keys[o.ID] {
			t.Fatalf("%s after retry all: state %s key %s (was %s)", o.ID, got.State, got.Push.IdempotencyKey, keys[o.ID])
		}
	}
	audit, err := r.w.Store.Audit(ctx, 1)
	if err != nil || len(audit) == 0 || audit[0].Who != "olga" || audit[0].Action != "retry" {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
	term.TM.Send(tuitest.Key("esc"))
	term.Quit()
}

func TestRealEngineRerouteFromTheConsoleBumpsTheGeneration(t *testing.T) {
	r := newRealShop(t)
	ctx := context.Background()
	term := r.console(olga)
	term.WaitFor("Failed pushes")
	term.TM.Type("4") // the failed pane, dead orders first
	dead, err := r.w.Engine.Failed(ctx, 0, 1)
	if err != nil || len(dead) == 0 {
		t.Fatalf("failed page: %v", err)
	}
	before := dead[0]
	// The pane's list is read from the store after the pane shows: wait
	// for the first failed order itself, not for text the snapshot draws.
	term.WaitFor("steady", before.ID)
	// steady is down, so the engine's rule refuses: a push may have
	// reached it, and it must be looked up there before another carrier
	// gets the order. The console shows why and nothing changes.
	term.TM.Type("e")
	term.WaitFor("Re-route "+before.ID, "(current)")
	term.TM.Type("swift")
	term.TM.Send(tuitest.Key("enter"))
	term.WaitFor("reroute failed", "look it up at steady first")
	if o, _ := r.w.Store.Order(ctx, before.ID); o.Carrier() != "steady" || o.Push.Generation != before.Push.Generation {
		t.Fatalf("a refused re-route changed the order: %+v", o.Push)
	}
	// steady answers again: the lookup finds nothing there, and the order
	// moves with a new route generation and key.
	r.sim.ClearFaults()
	term.TM.Type("e")
	term.WaitFor("Re-route "+before.ID, "(current)")
	term.TM.Type("swift")
	term.TM.Send(tuitest.Key("enter"))
	term.WaitFor("re-routed " + before.ID + " to swift")
	after, err := r.w.Store.Order(ctx, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Carrier() != "swift" || after.Push.Generation != before.Push.Generation+1 ||
		after.Push.IdempotencyKey == before.Push.IdempotencyKey {
		t.Fatalf("after re-route: carrier %s generation %d key %s (before %d %s)", after.Carrier(),
			after.Push.Generation, after.Push.IdempotencyKey, before.Push.Generation, before.Push.IdempotencyKey)
	}
	term.Quit()
}

func TestRealEngineDrillDownAndActivity(t *testing.T) {
	r := newRealShop(t)
	term := r.console(olga)
	term.WaitFor("Carriers")
	term.TM.Type("3") // zoom the carriers pane
	term.WaitFor("steady")
	for _, c := range r.w.Engine.Snapshot().Carriers {
		if c.Name == "steady" {
			break
		}
		term.TM.Type("j")
	}
	term.TM.Send(tuitest.Key("enter"))
	// The real samples with the 3PL's error, and the circuit opening as
	// the engine recorded it.
	term.WaitFor("Carrier steady", "failed", "circuit closed → open")
	term.TM.Send(tuitest.Key("esc"))
	term.WaitFor("Queues · carrier=steady")
	term.TM.Send(tuitest.Key("esc"))
	term.TM.Type("a")
	term.WaitFor("Activity", "poll: ", "push dead", "circuit closed → open")
	term.TM.Send(tuitest.Key("esc"))
	term.Quit()
}

func TestRealEngineHoldAndReleaseFollowTheEnginesRules(t *testing.T) {
	r := newRealShop(t)
	ctx := context.Background()
	term := r.console(olga)
	term.WaitFor("Failed pushes")
	term.TM.Type("4")
	first, err := r.w.Engine.Failed(ctx, 0, 1)
	if err != nil || len(first) == 0 {
		t.Fatalf("failed page: %v", err)
	}
	id := first[0].ID
	term.WaitFor("steady", id) // the pane's list is loaded, not only drawn
	term.TM.Type("h")
	term.WaitFor("held " + id)
	if o, _ := r.w.Store.Order(ctx, id); o.State != store.StateHeld || o.HeldFrom != store.StateDead {
		t.Fatalf("after hold: state %s from %s", o.State, o.HeldFrom)
	}
	// The held order is found by the jump, and h releases it to where the
	// engine says it came from.
	term.TM.Type(":held")
	term.TM.Send(tuitest.Key("enter"))
	term.WaitFor("Queues · state=held", id)
	term.TM.Type("h")
	term.WaitFor("released " + id)
	if o, _ := r.w.Store.Order(ctx, id); o.State != store.StateDead {
		t.Fatalf("after release: state %s, want dead again (no order leaves dead without an operator retrying it)", o.State)
	}
	term.TM.Send(tuitest.Key("esc"))
	term.Quit()
}
