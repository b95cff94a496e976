package tui

import (
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// TestHeaderSaysTheDiskIsAlmostFull: the worker degraded by a low disk
// shows the reason in the header, for viewers too, and the header clears
// when the worker resumes.
func TestHeaderSaysTheDiskIsAlmostFull(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	eng.SetWorker(store.WorkerStatus{State: store.WorkerDegraded, Reason: "disk almost full: 3 MB free on /srv/shipdeck"})
	h := newHarness(t, eng, viewer, 160, 40)
	h.requireScreen("degraded", "disk almost full: 3 MB free on /srv/shipdeck")
	eng.SetWorker(store.WorkerStatus{State: store.WorkerSleeping})
	h.sync()
	h.rejectScreen("degraded", "disk almost full")
}
