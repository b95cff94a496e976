package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// trackLoop asks the 3PLs for tracking of pushed orders every TrackEvery.
func (e *Engine) trackLoop(ctx context.Context) {
	for e.wait(ctx, e.cfg.TrackEvery, nil) {
		if e.idle() {
			continue
		}
		n, err := e.Track(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("tracking pass failed", "err", err)
		}
		if n > 0 {
			e.nudge()
		}
	}
}

// batcher is a carrier that collects pushes and delivers them in batches.
type batcher interface {
	Flush(ctx context.Context) error
}

// batchLoop flushes batching carriers (the CSV drop) every few seconds.
func (e *Engine) batchLoop(ctx context.Context) {
	for e.wait(ctx, 5*time.Second, nil) {
		e.flushBatches(ctx)
	}
	// Flush what is pending on the way out, so a clean stop leaves no rows
	// only in the pending file.
	e.flushBatches(context.WithoutCancel(ctx))
}

func (e *Engine) flushBatches(ctx context.Context) {
	for _, name := range e.names {
		if b, ok := e.carriers[name].Carrier.Carrier.(batcher); ok {
			if err := b.Flush(ctx); err != nil {
				e.log.Warn("flush batch failed", "carrier", name, "err", err)
			}
		}
	}
}

// Track asks each carrier about its pushed orders (a page at a time, within
// the carrier's concurrency limit) and moves the ones with a tracking number
// to tracking. It returns how many got tracking.
func (e *Engine) Track(ctx context.Context) (int, error) {
	got := 0
	var after store.Order
	for ctx.Err() == nil && !e.idle() {
		page, err := e.st.QueueAfter(ctx, store.StatePushed, after, e.cfg.Batch)
		if err != nil || len(page) == 0 {
			return got, err
		}
		after = page[len(page)-1]
		var mu gosync.Mutex
		var wg gosync.WaitGroup
		var errs []error
		moved := 0
		now := e.now()
		for _, o := range page {
			slot := e.carriers[o.Carrier()]
			if slot == nil || o.Push == nil || o.Push.ExternalID == "" || !slot.Capabilities().Status || slot.readsPaused(now) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case slot.sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				defer func() { <-slot.sem }()
				ok, err := e.trackOne(ctx, slot, o)
				mu.Lock()
				defer mu.Unlock()
				if ok {
					moved++
				}
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		got += moved
		if err := errors.Join(errs...); err != nil {
			return got, err
		}
		if len(page) < e.cfg.Batch {
			return got, nil
		}
	}
	return got, ctx.Err()
}

// trackOne reads one order's status at its 3PL.
func (e *Engine) trackOne(ctx context.Context, slot *carrierSlot, o store.Order) (bool, error) {
	start := time.Now()
	r, err := slot.Status(ctx, o.Push.ExternalID)
	lat := time.Since(start)
	now := e.now()
	e.health.Record(slot.Name(), now, lat, err == nil)
	if err == nil {
		// Never another order's tracking: the 3PL's reply must be about this
		// order and this push (issue: a 3PL that returned one id for two
		// orders made one store the other's tracking).
		err = carrier.CheckOrder(slot.Name(), "status", r, o.Push.ExternalID, o.ID, o.Push.IdempotencyKey)
	}
	if err != nil {
		var ce *carrier.Error
		if errors.As(err, &ce) && ce.Class == carrier.Permanent && ce.HTTPStatus == http.StatusNotFound {
			return false, e.lostAtCarrier(ctx, slot, o, now, lat, err)
		}
		return false, e.trackFailed(ctx, slot, o, now, lat, err)
	}
	if r.TrackingNumber == "" && r.Status != carrier.StatusCancelled {
		return false, e.trackCleared(ctx, o)
	}
	moved := false
	err = e.st.Update(ctx, func(tx *store.Tx) error {
		moved = false
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StatePushed || cur.Push == nil || cur.Push.ExternalID != o.Push.ExternalID {
			return err
		}
		if r.Status == carrier.StatusCancelled {
			cur.State, cur.ErrorClass = store.StateDead, "cancelled_at_3pl"
			cur.Reason = slot.Name() + " cancelled the order: re-route or resolve it"
		} else {
			cur.State, cur.Reason, cur.ErrorClass = store.StateTracking, "", ""
			cur.Push.TrackingNumber, cur.Push.CarrierCode = r.TrackingNumber, r.CarrierCode
			applyProvider(cur.Push, slot.Providers, r.CarrierCode)
			moved = true
		}
		if err := tx.AddAttempt(store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptStatus, Carrier: slot.Name(),
			Generation: cur.Push.Generation, Outcome: store.OutcomeSuccess, Latency: lat}); err != nil {
			return err
		}
		return tx.PutOrder(cur)
	})
	if err != nil {
		return false, fmt.Errorf("record tracking of order %s: %w", o.ID, err)
	}
	return moved, nil
}

// writeBack ships every tracking order's packages on TikTok with the mapped
// shipping provider, or corrects the shipping info of a re-routed order
// that had already shipped.
func (e *Engine) writeBack(ctx context.Context) (int, error) {
	done := 0
	var after store.Order
	for ctx.Err() == nil && !e.idle() && !e.writeBackBlocked() {
		page, err := e.st.QueueAfter(ctx, store.StateTracking, after, e.cfg.Batch)
		if err != nil || len(page) == 0 {
			return done, err
		}
		after = page[len(page)-1]
		for _, o := range page {
			if e.writeBackBlocked() {
				return done, nil // rate limited: the rest waits for TikTok's delay
			}
			ok, err := e.writeBackOne(ctx, o)
			if err != nil {
				return done, err
			}
			if ok {
				done++
			}
		}
		if len(page) < e.cfg.Batch {
			return done, nil
		}
	}
	return done, ctx.Err()
}

// writeBackOne writes one order's tracking to TikTok. It reports whether
// the order left tracking; a rate limit leaves it for the next pass.
func (e *Engine) writeBackOne(ctx context.Context, o store.Order) (bool, error) {
	now := e.now()
	if o.Push == nil {
		return false, nil
	}
	if e.mp == nil || o.Source == "import" {
		// Not a TikTok order: tracking is the end.
		return true, e.finishWriteBack(ctx, o, now, nil, 0, "imported order: no TikTok write-back")
	}
	if err := preflightTracking(o); err != nil {
		return true, e.finishWriteBack(ctx, o, now, err, 0, "")
	}
	if len(o.Packages) == 0 {
		return true, e.finishWriteBack(ctx, o, now, errNoPackage(), 0, "")
	}
	if !o.ShippedAt.IsZero() && now.Sub(o.ShippedAt) > reroutableWindow {
		return true, e.finishWriteBack(ctx, o, now, errTooLateToCorrect(), 0, "")
	}
	start := time.Now()
	var warnings []string
	provider, err := e.providerFor(ctx, o)
	if err == nil {
		wctx := tiktok.WithKind(ctx, string(store.CallWriteBack))
		if !o.ShippedAt.IsZero() {
			var d tiktok.ShipData
			d, err = e.mp.UpdateShippingInfo(wctx, o.ID, tiktok.UpdateShippingInfoRequest{TrackingNumber: o.Push.TrackingNumber, ShippingProviderID: provider})
			warnings = append(warnings, warningText(d)...)
		} else {
			for _, p := range o.Packages {
				var d tiktok.ShipData
				d, err = e.mp.ShipPackage(wctx, p.ID, tiktok.ShipPackageRequest{
					HandoverMethod: "DROP_OFF",
					SelfShipment:   &tiktok.SelfShipment{ShippingProviderID: provider, TrackingNumber: o.Push.TrackingNumber},
				})
				if err != nil && tiktok.IsAlreadyShipped(err) {
					err = nil // an earlier run shipped it before it could record so
				}
				if err != nil {
					break
				}
				warnings = append(warnings, warningText(d)...)
			}
		}
	}
	lat := time.Since(start)
	if err != nil && tiktok.ClassOf(err) == tiktok.ClassRateLimited {
		// Stop writing back until TikTok's delay has passed, instead of
		// spending the reserve on one refused call per order.
		e.mu.Lock()
		e.writeBackUntil = now.Add(max(tiktok.RetryAfterOf(err), 30*time.Second))
		e.mu.Unlock()
		return false, nil
	}
	if err != nil && errors.Is(err, store.ErrQuotaExhausted) {
		return false, nil
	}
	return err == nil, e.finishWriteBack(ctx, o, now, err, lat, "", warnings...)
}

// finishWriteBack records a write-back's outcome.
func (e *Engine) finishWriteBack(ctx context.Context, o store.Order, now time.Time, werr error, lat time.Duration, note string, warnings ...string) error {
	return e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StateTracking {
			return err
		}
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptWriteBack, Carrier: "tiktok", Latency: lat, Outcome: store.OutcomeSuccess, Error: note}
		if cur.Push != nil {
			att.Generation = cur.Push.Generation
		}
		cur.Warnings = append(cur.Warnings, warnings...)
		if werr == nil {
			if cur.ShippedAt.IsZero() {
				cur.ShippedAt = now
			}
			if cur.Milestones.RTSTime.IsZero() { // TikTok's rts_time follows on the next poll
				cur.Milestones.RTSTime = now
			}
			cur.State, cur.Reason, cur.ErrorClass, cur.WriteBackAttempts = store.StateShipped, note, "", 0
		} else {
			cur.WriteBackAttempts++
			class := tiktok.ClassOf(werr)
			att.Error = werr.Error()
			cur.ErrorClass = "writeback_" + string(class)
			// A local refusal (no TikTok class: the ledger could not be
			// written, say) is retried like a transient TikTok error.
			retry := class == tiktok.ClassTransient || class == tiktok.ClassMalformed || class == ""
			if retry && !e.cfg.Backoff.Exhausted(cur.WriteBackAttempts) {
				att.Outcome = store.OutcomeRetryable
				cur.State, cur.Reason = store.StateFailed, "write-back to TikTok failed: "+werr.Error()
				cur.NextAttemptAt = now.Add(e.delay(cur.WriteBackAttempts, tiktok.RetryAfterOf(werr)))
			} else {
				att.Outcome = store.OutcomePermanent
				cur.State, cur.NextAttemptAt = store.StateDead, time.Time{}
				cur.Reason = "write-back to TikTok failed: " + werr.Error()
			}
		}
		if err := tx.AddAttempt(att); err != nil {
			return err
		}
		return tx.PutOrder(cur)
	})
}

func warningText(d tiktok.ShipData) []string {
	var out []string
	for _, w := range d.Warnings {
		if w.Message != "" {
			out = append(out, w.Message)
		}
	}
	return out
}

// providerFor returns the TikTok shipping provider id for the order's
// carrier: from config, else looked up (once per delivery option and
// carrier code) from TikTok's shipping providers.
func (e *Engine) providerFor(ctx context.Context, o store.Order) (string, error) {
	if o.Push.ShippingProviderID != "" {
		return o.Push.ShippingProviderID, nil
	}
	if slot := e.carriers[o.Push.Carrier]; slot != nil && slot.ProviderID != "" {
		return slot.ProviderID, nil
	}
	key := o.DeliveryOptionID + "|" + o.Push.Provider + "|" + o.Push.CarrierCode
	e.mu.Lock()
	id, ok := e.providers[key]
	e.mu.Unlock()
	if ok {
		return id, nil
	}
	list, err := e.mp.ShippingProviders(tiktok.WithKind(ctx, string(store.CallWriteBack)), o.DeliveryOptionID)
	if err != nil {
		return "", fmt.Errorf("shipping providers for order %s: %w", o.ID, err)
	}
	// The name the carrier code maps to must match exactly (UPS is not
	// "UPS Mail Innovations"); the looser match on the code and the carrier
	// name comes after.
	for _, p := range list {
		if o.Push.Provider != "" && strings.EqualFold(strings.TrimSpace(p.Name), o.Push.Provider) {
			e.mu.Lock()
			e.providers[key] = p.ID
			e.mu.Unlock()
			return p.ID, nil
		}
	}
	for _, p := range list {
		if matchProvider(p.Name, o.Push.CarrierCode, o.Push.Carrier) {
			e.mu.Lock()
			e.providers[key] = p.ID
			e.mu.Unlock()
			return p.ID, nil
		}
	}
	return "", &tiktok.APIError{Endpoint: "shipping providers", Class: tiktok.ClassNeedsHuman,
		Message: fmt.Sprintf("no TikTok shipping provider matches carrier %q (code %q): map the code in its providers table or set tiktok_provider_id", o.Push.Carrier, o.Push.CarrierCode)}
}

// Flush delivers what batching carriers (the CSV drop) hold now.
func (e *Engine) Flush(ctx context.Context) { e.flushBatches(ctx) }

// matchProvider reports whether a TikTok shipping provider's name fits the
// carrier code the 3PL reported or the carrier's configured name.
func matchProvider(provider, code, name string) bool {
	p := strings.ToLower(provider)
	for _, s := range []string{code, name} {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && (p == s || strings.Contains(p, s)) {
			return true
		}
	}
	return false
}

// errNoPackage and errTooLateToCorrect are write-backs that can never
// succeed; they make the order dead with the reason.
func errNoPackage() error {
	return &tiktok.APIError{Endpoint: "ship package", Class: tiktok.ClassNeedsHuman,
		Message: "TikTok sent no package id for this order: ship it in Seller Center, then resolve"}
}

func errTooLateToCorrect() error {
	return &tiktok.APIError{Endpoint: "update shipping info", Class: tiktok.ClassNeedsHuman,
		Message: "more than 72 hours since shipping: TikTok no longer accepts new tracking; resolve it"}
}

// writeBackBlocked reports whether TikTok asked shipdeck to wait before
// the next write-back.
func (e *Engine) writeBackBlocked() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now().Before(e.writeBackUntil)
}

// lostAtCarrier makes a pushed order dead when its 3PL no longer knows it
// (404): an operator decides. Other errors (a bad tracking file, say) are
// tried again on the next pass.
func (e *Engine) lostAtCarrier(ctx context.Context, slot *carrierSlot, o store.Order, now time.Time, lat time.Duration, serr error) error {
	return e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StatePushed || cur.Push == nil || cur.Push.ExternalID != o.Push.ExternalID {
			return err
		}
		cur.State, cur.ErrorClass, cur.NextAttemptAt = store.StateDead, string(carrier.Permanent), time.Time{}
		cur.Reason = slot.Name() + " cannot report on order " + o.Push.ExternalID + ": " + serr.Error() + "; re-route or resolve"
		if err := tx.AddAttempt(store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptStatus, Carrier: slot.Name(),
			Generation: cur.Push.Generation, Outcome: store.OutcomePermanent, Error: serr.Error(), Latency: lat}); err != nil {
			return err
		}
		return tx.PutOrder(cur)
	})
}
