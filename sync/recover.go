package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Recover turns every push left in flight by a crash into unknown, so it is
// resolved through the 3PL's lookup (or a replay of the same key) before
// anything is sent again. Run calls it first; it is safe to call again.
func (e *Engine) Recover(ctx context.Context) error {
	now := e.now()
	for {
		page, err := e.st.Queue(ctx, store.StatePushing, 0, e.cfg.Batch)
		if err != nil {
			return fmt.Errorf("recover in-flight pushes: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		err = e.st.Update(ctx, func(tx *store.Tx) error {
			for _, p := range page {
				o, err := tx.Order(p.ID)
				if err != nil || o.State != store.StatePushing {
					continue
				}
				o.State, o.ErrorClass = store.StateUnknown, "unknown"
				o.Reason = "was in flight when shipdeck stopped: checking with " + o.Carrier()
				o.NextAttemptAt = now
				if o.Push != nil {
					o.Push.LeaseUntil = time.Time{}
				}
				if err := tx.PutOrder(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("recover in-flight pushes: %w", err)
		}
	}
}
