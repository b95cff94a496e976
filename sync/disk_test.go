package sync_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// TestLowDiskDegradesTheWorkerAndResumes: below the reserve the worker says
// "disk almost full", stores nothing and calls nobody; once space returns
// it resumes by itself and every order is pushed exactly once.
func TestLowDiskDegradesTheWorkerAndResumes(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour,
		freeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	ctx := context.Background()

	free.Store(7 << 20)
	if _, err := w.eng.Poll(ctx); !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("poll on a low disk: got %v, want ErrDiskFull", err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatalf("pipeline on a low disk should idle, got %v", err)
	}
	if c := w.counts(); c.Total != 0 {
		t.Fatalf("stored %d orders on a low disk", c.Total)
	}
	if calls := w.sim.Counters().Marketplace.Calls; len(calls) != 0 {
		t.Errorf("TikTok calls spent while nothing could be stored: %v", calls)
	}

	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.eng.Run(rctx) }()
	waitWorker(t, w, func(ws store.WorkerStatus) bool { return ws.State == store.WorkerDegraded })
	want := "disk almost full: 7 MB free on " + w.dir
	if got := w.eng.Snapshot().Worker.Reason; got != want {
		t.Errorf("degraded reason %q, want %q", got, want)
	}
	if d := w.eng.Disk(); !d.Low || d.Free != 7<<20 {
		t.Errorf("Disk() = %+v, want low with 7 MB free", d)
	}
	free.Store(1 << 30)
	waitWorker(t, w, func(ws store.WorkerStatus) bool { return ws.State != store.WorkerDegraded })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	w.drain(ctx, 6, 10*time.Minute)
	if c := w.counts(); c.Total == 0 || c.ByState[store.StateQueued]+c.ByState[store.StateReady] != 0 {
		t.Errorf("after space came back: %d orders, %d still waiting", c.Total, c.ByState[store.StateQueued]+c.ByState[store.StateReady])
	}
	w.assertExactlyOnce()
}

func waitWorker(t *testing.T, w *world, ok func(store.WorkerStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(w.eng.Snapshot().Worker) {
		if time.Now().After(deadline) {
			t.Fatalf("worker state stuck at %+v", w.eng.Snapshot().Worker)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
