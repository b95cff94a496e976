package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
)

func TestActivityLogRecordsPollsFailedPushesCircuitsAndOperators(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 600, history: 12 * time.Hour,
		routes: []route.Rule{{Name: "down", Carrier: "steady"}}})
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
	failed, err := w.st.Failed(ctx, 0, 1)
	if err != nil || len(failed) == 0 {
		t.Fatalf("no failed push to retry: %v", err)
	}
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	if err := w.eng.Hold(ctx, op, failed[0].ID); err != nil {
		t.Fatal(err)
	}

	kinds := map[store.ActivityKind]store.Activity{}
	all, err := w.eng.Activity(ctx, 0, store.MaxActivity, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if _, seen := kinds[a.Kind]; !seen {
			kinds[a.Kind] = a // the newest of each kind
		}
	}
	if a := kinds[store.ActivityPoll]; !strings.HasPrefix(a.Text, "poll: ") {
		t.Errorf("poll entry = %+v", a)
	}
	if a := kinds[store.ActivityPush]; a.Carrier != "steady" || a.OrderID == "" || !strings.Contains(a.Text, "push failed") {
		t.Errorf("push entry = %+v", a)
	}
	if a := kinds[store.ActivityCircuit]; a.Carrier != "steady" || a.Text != "circuit closed → open" || a.Level != "error" {
		t.Errorf("circuit entry = %+v", a)
	}
	if a := all[0]; a.Kind != store.ActivityOperator || a.Who != "ana" || a.OrderID != failed[0].ID {
		t.Errorf("newest entry = %+v, want ana's hold", a)
	}
	// The query narrows to what mentions it.
	steady, err := w.eng.Activity(ctx, 0, 50, "STEADY")
	if err != nil || len(steady) == 0 {
		t.Fatalf("activity for steady: %v, %v", steady, err)
	}
	for _, a := range steady {
		if a.Carrier != "steady" && !strings.Contains(strings.ToLower(a.Text), "steady") {
			t.Errorf("query steady kept %+v", a)
		}
	}
	// The carrier's history: its calls with latency and errors, and the
	// circuit opening.
	h, err := w.eng.CarrierHistory(ctx, "steady", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Calls) == 0 || h.Calls[0].OK || h.Calls[0].Error == "" || h.Calls[0].OrderID == "" {
		t.Errorf("calls = %+v", h.Calls)
	}
	if len(h.Circuit) != 1 || h.Circuit[0].Text != "circuit closed → open" {
		t.Errorf("circuit history = %+v", h.Circuit)
	}
}
