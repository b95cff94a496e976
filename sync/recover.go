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
	if err := e.replaceNew(ctx); err != nil {
		return err
	}
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

// replaceNew files every new order again under the push rules in force,
// so a changed remorse window, or a store written under older rules,
// takes effect at start instead of on the order's next change at TikTok.
// Stopped half-way (shipdeck is stopping), it leaves the rest for the next
// start: each page is its own transaction, and filing again is idempotent.
func (e *Engine) replaceNew(ctx context.Context) error {
	err := e.replaceNewPages(ctx)
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

func (e *Engine) replaceNewPages(ctx context.Context) error {
	var after store.Order
	for {
		page, err := e.st.QueueAfter(ctx, store.StateNew, after, e.cfg.Batch)
		if err != nil {
			return fmt.Errorf("re-check new orders: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1]
		now := e.now()
		err = e.st.Update(ctx, func(tx *store.Tx) error {
			for _, p := range page {
				o, err := tx.Order(p.ID)
				if err != nil || o.State != store.StateNew {
					continue
				}
				was := o
				e.rules.Place(&o, now)
				if o.State == was.State && o.Reason == was.Reason && o.NextAttemptAt.Equal(was.NextAttemptAt) {
					continue
				}
				if err := tx.PutOrder(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("re-check new orders: %w", err)
		}
		if len(page) < e.cfg.Batch {
			return nil
		}
	}
}
