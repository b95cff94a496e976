package tui

import (
	"context"
	"strconv"
	gosync "sync"
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// pageCall is one page read.
type pageCall struct {
	what          string
	offset, limit int
}

// recordingEngine records every page the console asks for.
type recordingEngine struct {
	Engine
	mu    gosync.Mutex
	calls []pageCall
}

func (r *recordingEngine) record(what string, offset, limit int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, pageCall{what, offset, limit})
}

func (r *recordingEngine) Queue(ctx context.Context, s store.State, offset, limit int) ([]store.Order, error) {
	r.record("queue:"+string(s), offset, limit)
	return r.Engine.Queue(ctx, s, offset, limit)
}

func (r *recordingEngine) QueueByStatus(ctx context.Context, s store.MarketStatus, offset, limit int) ([]store.Order, error) {
	r.record("status:"+string(s), offset, limit)
	return r.Engine.QueueByStatus(ctx, s, offset, limit)
}

func (r *recordingEngine) Failed(ctx context.Context, offset, limit int) ([]store.Order, error) {
	r.record("failed", offset, limit)
	return r.Engine.Failed(ctx, offset, limit)
}

func (r *recordingEngine) take() []pageCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func TestListsAskOnlyForTheVisiblePage(t *testing.T) {
	const n = 1_000_000
	rec := &recordingEngine{Engine: tuitest.NewSynthetic(n, testNow)}
	h := newHarness(t, rec, operator, 120, 40)
	queued := int(h.m.snap.Counts.ByStatus[store.StatusAwaitingShipment])
	visible := h.m.queues.VisibleRows()
	if visible <= 0 || visible > 40 {
		t.Fatalf("visible rows = %d", visible)
	}
	for _, c := range rec.take() {
		if c.limit > 40 {
			t.Fatalf("asked for %d rows at once: %+v", c.limit, c)
		}
	}
	// Moving within the page fetches nothing; past it, one page.
	h.press("j")
	if calls := rec.take(); len(calls) != 0 {
		t.Fatalf("moving inside the page fetched %+v", calls)
	}
	h.press("end")
	calls := rec.take()
	if len(calls) != 1 || calls[0].what != "status:AWAITING_SHIPMENT" || calls[0].limit != visible || calls[0].offset != queued-visible {
		t.Fatalf("end fetched %+v; want one page of %d at %d", calls, visible, queued-visible)
	}
	h.requireScreen(strconv.Itoa(queued) + "/" + strconv.Itoa(queued))
	h.press("home")
	if calls := rec.take(); len(calls) != 1 || calls[0].offset != 0 {
		t.Fatalf("home fetched %+v", calls)
	}
	// A snapshot whose counts did not move refetches nothing.
	h.sync()
	if calls := rec.take(); len(calls) != 0 {
		t.Fatalf("an unchanged snapshot refetched %+v", calls)
	}
}
