package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// pick returns the first order of a state that no earlier pick took.
func (w *world) pick(ctx context.Context, s store.State, taken map[string]bool, ok func(store.Order) bool) store.Order {
	w.t.Helper()
	page, err := w.eng.Queue(ctx, s, 0, 500)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range page {
		if !taken[o.ID] && (ok == nil || ok(o)) {
			taken[o.ID] = true
			return o
		}
	}
	w.t.Fatalf("no %s order left to pick (%d in the queue)", s, len(page))
	return store.Order{}
}

// TestReconcileFindsAndFixesEachDisagreement stages each disagreement the
// cross-check must find on the simulator (a clerk keying orders by hand at
// a 3PL, a seller shipping in Seller Center, a cancel that never reached a
// 3PL, a re-route whose old copy came back, an edited tracking number, a
// shipment nobody wrote back), then applies each finding's action and
// checks the 3PLs and TikTok saw it.
func TestReconcileFindsAndFixesEachDisagreement(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 400, history: 12 * time.Hour})
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	taken := map[string]bool{}
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	// Orders shipdeck has not pushed yet.
	adopt := w.pick(ctx, store.StateReady, taken, nil)
	elsewhere := w.pick(ctx, store.StateReady, taken, nil)
	for _, id := range []string{adopt.ID, elsewhere.ID} {
		if err := w.eng.Hold(ctx, op, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil { // everything else goes to swift
		t.Fatal(err)
	}
	notWritten := w.pick(ctx, store.StatePushed, taken, nil)
	rerouted := w.pick(ctx, store.StatePushed, taken, nil)
	if err := w.eng.Hold(ctx, op, notWritten.ID); err != nil { // so the tracker leaves it alone
		t.Fatal(err)
	}
	if err := w.eng.Reroute(ctx, op, rerouted.ID, "steady"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ := w.st.Order(ctx, rerouted.ID); o.Carrier() != "steady" || o.Push.ExternalID == "" {
		t.Fatalf("re-route did not land at steady: %+v", o.Push)
	}
	// Let swift ship what it holds, and the tracker write it back.
	w.drain(ctx, 8, time.Hour)
	mismatch := w.pick(ctx, store.StateShipped, taken, func(o store.Order) bool {
		return o.Carrier() == "swift" && o.Push.TrackingNumber != "" && o.Status == store.StatusAwaitingCollection
	})
	// Orders the last round pushed, which swift cannot have shipped yet
	// (it takes over an hour).
	fresh := func(o store.Order) bool { return !o.Push.PushedAt.Before(w.clock.Now().Add(-time.Hour)) }
	dup := w.pick(ctx, store.StatePushed, taken, fresh)
	cancelled := w.pick(ctx, store.StatePushed, taken, fresh)

	// The world disagrees.
	mustID := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	handAdopt := mustID(w.sim.KeyByHand("steady", adopt.ID))
	handDup := mustID(w.sim.KeyByHand("steady", dup.ID))
	handOld := mustID(w.sim.KeyByHand("swift", rerouted.ID))
	if err := w.sim.ShipOnTikTok(elsewhere.ID, "7117858858072016686", "9400111899223197428490"); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.EditTracking(mismatch.ID, "1ZSELLERFIX0000001"); err != nil {
		t.Fatal(err)
	}
	if !w.sim.CancelOrder(cancelled.ID) {
		t.Fatalf("order %s could not be cancelled on TikTok", cancelled.ID)
	}
	w.clock.Advance(time.Minute) // a poll sees updates before its own instant
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	// The cancel at swift failed for good (say the 3PL refused it): dead,
	// still live there.
	err := w.st.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(cancelled.ID)
		if err != nil {
			return err
		}
		o.State, o.Reason = store.StateDead, "cancel at swift refused"
		return tx.PutOrder(o)
	})
	if err != nil {
		t.Fatal(err)
	}

	rep, err := w.eng.Reconcile(ctx, w.clock.Now().Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		id   string
		kind store.FindingKind
	}
	got := map[key]store.Finding{}
	for _, f := range rep.Findings {
		got[key{f.OrderID, f.Kind}] = f
		t.Logf("finding %s %s at %s %s → %s: %s", f.OrderID, f.Kind, f.Carrier, f.RemoteID, f.Action, f.Explain)
	}
	want := []struct {
		id     string
		kind   store.FindingKind
		action store.FindingAction
		remote string
	}{
		{adopt.ID, store.FindingHandKeyed, store.ActionAdopt, handAdopt},
		{dup.ID, store.FindingHandKeyed, store.ActionCancelAt3PL, handDup},
		{rerouted.ID, store.FindingAtTwo3PLs, store.ActionCancelAt3PL, handOld},
		{elsewhere.ID, store.FindingShippedElsewhere, store.ActionResolve, ""},
		{mismatch.ID, store.FindingTrackingMismatch, store.ActionResolve, ""}, // the seller's edit used TikTok's one change
		{cancelled.ID, store.FindingCancelledButLive, store.ActionCancelAt3PL, ""},
		{notWritten.ID, store.FindingShippedNotWrittenBack, store.ActionWriteBack, ""},
	}
	for _, c := range want {
		f, ok := got[key{c.id, c.kind}]
		switch {
		case !ok:
			t.Errorf("no %s finding for order %s", c.kind, c.id)
		case f.Action != c.action || c.remote != "" && f.RemoteID != c.remote || f.Explain == "":
			t.Errorf("order %s %s: action %s remote %s (%q), want %s remote %s", c.id, c.kind, f.Action, f.RemoteID, f.Explain, c.action, c.remote)
		}
	}
	// Besides the staged ones, only what the marketplace itself caused:
	// buyers cancelling orders swift had already shipped.
	staged := map[string]bool{}
	for _, c := range want {
		staged[c.id] = true
	}
	for _, f := range rep.Findings {
		if staged[f.OrderID] {
			continue
		}
		so, _ := w.sim.Order(f.OrderID)
		if f.Kind != store.FindingCancelledButLive || f.Action != store.ActionResolve || so.Status != sim.StatusCancelled {
			t.Errorf("unexpected finding %+v (marketplace status %s)", f, so.Status)
		}
	}
	if rep.Lookups == 0 {
		t.Errorf("no lookups")
	}
	for _, p := range rep.Problems {
		if !strings.Contains(p, "rate-limited") {
			t.Errorf("reconciliation problem: %s", p)
		}
	}

	// A viewer may not act on a finding.
	if err := w.eng.ApplyFinding(ctx, store.Actor{Name: "vic", Role: store.RoleViewer}, got[key{adopt.ID, store.FindingHandKeyed}]); err == nil {
		t.Fatal("a viewer applied a finding")
	}
	before := w.sim.Counters()
	for _, c := range want {
		if err := w.eng.ApplyFinding(ctx, op, got[key{c.id, c.kind}]); err != nil {
			t.Errorf("apply %s for %s: %v", c.kind, c.id, err)
		}
	}
	w.drain(ctx, 14, time.Hour)
	after := w.sim.Counters()
	if d := after.Carriers["steady"].Cancels - before.Carriers["steady"].Cancels; d != 1 {
		t.Errorf("steady cancelled %d orders, want 1 (the hand-keyed duplicate)", d)
	}
	if d := after.Carriers["swift"].Cancels - before.Carriers["swift"].Cancels; d != 2 {
		t.Errorf("swift cancelled %d orders, want 2 (the old copy of the re-routed order, the cancelled order)", d)
	}
	check := func(id string, wantState store.State, what string) {
		t.Helper()
		o, err := w.st.Order(ctx, id)
		if err != nil || o.State != wantState {
			t.Errorf("%s: order %s is %s (%s), want %s", what, id, o.State, o.Reason, wantState)
		}
	}
	check(adopt.ID, store.StateShipped, "adopted order written back from steady's tracking")
	if o, _ := w.st.Order(ctx, adopt.ID); o.Push == nil || o.Push.ExternalID != handAdopt || o.Push.Carrier != "steady" {
		t.Errorf("adopted order's push = %+v, want steady %s", o.Push, handAdopt)
	}
	check(elsewhere.ID, store.StateShipped, "resolved")
	check(notWritten.ID, store.StateShipped, "written back")
	if d := after.Marketplace.Calls["shipping_info.update"] - before.Marketplace.Calls["shipping_info.update"]; d != 0 {
		t.Errorf("TikTok got %d shipping-info updates, want none: the seller's edit used the order's one change", d)
	}
	check(mismatch.ID, store.StateShipped, "mismatch acknowledged, the order untouched")
	audit, err := w.st.Audit(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, a := range audit {
		actions[a.Action]++
	}
	if actions["adopt"] != 1 || actions["cancel at 3pl"] != 3 || actions["reconcile write back"] != 1 || actions["resolve"] != 1 ||
		actions["reconcile acknowledge"] != 1 {
		t.Errorf("audit trail %v: want adopt 1, cancel at 3pl 3, reconcile write back 1, resolve 1, reconcile acknowledge 1", actions)
	}
}
