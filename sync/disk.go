package sync

import (
	"context"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// idle reports whether the loops should start no new work: an operator
// paused the worker, or the data directory's disk is below its reserve
// (every write would be refused, so polling and pushing would only churn).
func (e *Engine) idle() bool {
	return e.Paused() || e.st.DiskSpace().Low
}

// watchDisk degrades the worker while the store's disk is low ("disk
// almost full: 3 MB free on /data") and lifts it, waking the pipeline, when
// space returns.
func (e *Engine) watchDisk(ctx context.Context) {
	changes, cancel := e.st.Subscribe(store.TopicDisk)
	defer cancel()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	low := false
	for {
		d := e.st.DiskSpace()
		switch {
		case d.Low:
			reason := d.Reason()
			if !low {
				e.log.Warn("worker degraded: "+reason, "dir", d.Dir, "free_mb", d.Free>>20, "reserve_mb", d.Reserve>>20)
			}
			low = true
			e.setWorker(func(w *store.WorkerStatus) { w.State, w.Reason = store.WorkerDegraded, reason })
		case low:
			low = false
			e.log.Info("worker resumed: disk space is back", "dir", d.Dir, "free_mb", d.Free>>20)
			e.setWorker(func(w *store.WorkerStatus) {
				if w.State == store.WorkerDegraded {
					w.State, w.Reason = store.WorkerSleeping, ""
				}
				if e.paused {
					w.State = store.WorkerPaused
				}
			})
			e.nudge()
		}
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-tick.C:
		}
	}
}

// Disk is the store's last free-space reading, for status endpoints and
// alerts: the worker is degraded while it is Low.
func (e *Engine) Disk() store.DiskSpace { return e.st.DiskSpace() }
