package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
)

// Error classes a tracking read leaves on an order.
const (
	// classTrackUnreadable: the 3PL's status reply could not be read.
	classTrackUnreadable = "tracking_unreadable"
	// classWrongOrder: the 3PL answered about another order.
	classWrongOrder = "wrong_order"
	// classTrackFailing: reading the status failed (timeout, 5xx, 429);
	// the order stays pushed and says so.
	classTrackFailing = "tracking_failing"
)

// readsPaused reports whether the 3PL asked (Retry-After) not to be read
// before now.
func (s *carrierSlot) readsPaused(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(s.readsAfter)
}

// pauseReads holds the tracker's reads of this 3PL until t.
func (s *carrierSlot) pauseReads(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.After(s.readsAfter) {
		s.readsAfter = t
	}
}

// trackFailed puts a failed status read on the order, so an order never
// sits in pushed with no reason while its 3PL fails. A reply that could not
// be read, or that was about another order, moves it to failed (the failed
// pane) until the next read; other failures (timeouts, 5xx, rate limits)
// leave it pushed with the reason. A 429's Retry-After pauses every read of
// that 3PL. The reason and log line are written when they change, not on
// every pass.
func (e *Engine) trackFailed(ctx context.Context, slot *carrierSlot, o store.Order, now time.Time, lat time.Duration, serr error) error {
	after := carrier.RetryAfterOf(serr)
	if after > 0 {
		slot.pauseReads(now.Add(after))
	}
	class, state := classTrackFailing, store.StatePushed
	switch {
	case errors.Is(serr, carrier.ErrWrongOrder):
		class, state = classWrongOrder, store.StateFailed
	case errors.Is(serr, carrier.ErrUnreadable):
		class, state = classTrackUnreadable, store.StateFailed
	}
	reason := "reading tracking at " + slot.Name() + " failed: " + reasonText(serr)
	if state == store.StatePushed && o.Reason == reason && o.ErrorClass == class {
		return nil // already says so
	}
	e.log.Warn("tracking read failed", "order", o.ID, "carrier", slot.Name(), "class", class, "err", serr)
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StatePushed || cur.Push == nil || cur.Push.ExternalID != o.Push.ExternalID {
			return err
		}
		cur.State, cur.Reason, cur.ErrorClass = state, reason, class
		if state == store.StateFailed {
			cur.NextAttemptAt = now.Add(max(e.cfg.TrackEvery, after))
		}
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptStatus, Carrier: slot.Name(),
			Generation: cur.Push.Generation, Outcome: store.OutcomeRetryable, Error: reason, Latency: lat}
		var ce *carrier.Error
		if errors.As(serr, &ce) {
			att.HTTPStatus = ce.HTTPStatus
		}
		if err := tx.AddAttempt(att); err != nil {
			return err
		}
		return tx.PutOrder(cur)
	})
	if err != nil {
		return fmt.Errorf("record failed tracking read of order %s at %s: %w", o.ID, slot.Name(), err)
	}
	return nil
}

// trackCleared drops a tracking failure's reason once a read succeeds.
func (e *Engine) trackCleared(ctx context.Context, o store.Order) error {
	if o.ErrorClass != classTrackFailing && o.ErrorClass != classTrackUnreadable && o.ErrorClass != classWrongOrder {
		return nil
	}
	return e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StatePushed || cur.ErrorClass != o.ErrorClass {
			return err
		}
		cur.Reason, cur.ErrorClass = "", ""
		return tx.PutOrder(cur)
	})
}

// reasonText is the operator text of a carrier error: its reason, with the
// 3PL's request id when it gave one.
func reasonText(err error) string {
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Reason == "" {
		return err.Error()
	}
	msg := ce.Reason
	if ce.HTTPStatus != 0 {
		msg = fmt.Sprintf("HTTP %d: %s", ce.HTTPStatus, msg)
	}
	if ce.RequestID != "" && !strings.Contains(msg, ce.RequestID) {
		msg += " (request id " + ce.RequestID + ")"
	}
	return msg
}

// applyProvider records the TikTok shipping provider the 3PL's carrier
// code maps to: an id from the table replaces the carrier's configured one;
// a name is kept for the write-back to match, where no id is configured.
func applyProvider(p *store.Push, m carrier.ProviderMap, code string) {
	id, name := m.Provider(code)
	if id != "" {
		p.ShippingProviderID = id
	}
	p.Provider = name
}
