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
			if r.CostCents > 0 || r.InsuranceCents > 0 {
				cur.Push.Cost = &store.ShipCost{ShipmentCents: r.CostCents, InsuranceCents: r.InsuranceCents, Currency: "USD"}
			}
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
	if e.mp == nil || o.Source == store.SourceImport {
		// Not a TikTok order: tracking is the end.
		return true, e.finishWriteBack(ctx, o, now, writeBackResult{note: "imported order: no TikTok write-back"})
	}
	if err := preflightTracking(o); err != nil {
		return true, e.finishWriteBack(ctx, o, now, writeBackResult{err: err})
	}
	if !o.ShippedAt.IsZero() && now.Sub(o.ShippedAt) > reroutableWindow {
		return true, e.finishWriteBack(ctx, o, now, writeBackResult{err: errTooLateToCorrect()})
	}
	start := time.Now()
	res := writeBackResult{}
	provider, err := e.providerFor(ctx, o)
	if err == nil {
		res, err = e.sendTracking(ctx, o, provider)
	}
	res.err, res.latency = err, time.Since(start)
	switch {
	case err != nil && tiktok.ClassOf(err) == tiktok.ClassRateLimited:
		// Held until TikTok's delay has passed (scoped noted it), instead
		// of spending the reserve on one refused call per order.
		return false, nil
	case err != nil && errors.Is(err, store.ErrQuotaExhausted):
		return false, nil
	case err != nil && errors.Is(err, ErrShopChoice):
		// Not this order's fault: the worker is degraded with the reason
		// and the order waits in tracking until the shop is settled.
		return false, err
	}
	return err == nil, e.finishWriteBack(ctx, o, now, res)
}

// writeBackResult is what one write-back did.
type writeBackResult struct {
	err      error
	latency  time.Duration
	note     string
	warnings []string
	// packages are the package ids TikTok created (Mark Package As
	// Shipped), kept on the order for later updates.
	packages []string
}

// sendTracking makes the TikTok calls that write o's tracking back:
//   - first write-back, order with packages: Ship Package for each;
//   - first write-back, no package yet (US/UK local sellers): Mark Package
//     As Shipped for the whole order, keeping the package id TikTok returns;
//   - re-route after shipping: Update Shipping Info for the order, or, for
//     a split order (several packages), Update Package Shipping Info for
//     each package, as TikTok's Update Shipping Info page asks.
func (e *Engine) sendTracking(ctx context.Context, o store.Order, provider string) (writeBackResult, error) {
	var res writeBackResult
	wctx := tiktok.WithKind(ctx, string(store.CallWriteBack))
	info := tiktok.UpdateShippingInfoRequest{TrackingNumber: o.Push.TrackingNumber, ShippingProviderID: provider}
	switch {
	case !o.ShippedAt.IsZero() && len(o.Packages) > 1:
		for _, p := range o.Packages {
			var d tiktok.ShipData
			err := e.scoped(ctx, func() (err error) {
				d, err = e.mp.UpdatePackageShippingInfo(wctx, p.ID, info)
				return err
			})
			if err != nil {
				return res, fmt.Errorf("update shipping info of package %s: %w", p.ID, err)
			}
			res.warnings = append(res.warnings, warningText(d)...)
		}
	case !o.ShippedAt.IsZero():
		var d tiktok.ShipData
		err := e.scoped(ctx, func() (err error) {
			d, err = e.mp.UpdateShippingInfo(wctx, o.ID, info)
			return err
		})
		if err != nil {
			return res, err
		}
		res.warnings = warningText(d)
	case len(o.Packages) == 0:
		var d tiktok.MarkShippedData
		err := e.scoped(ctx, func() (err error) {
			d, err = e.mp.MarkPackageShipped(wctx, o.ID, tiktok.MarkShippedRequest{TrackingNumber: o.Push.TrackingNumber, ShippingProviderID: provider})
			return err
		})
		if err != nil {
			return res, err
		}
		res.packages = []string{d.PackageID}
		if d.Warning != nil && d.Warning.Message != "" {
			res.warnings = []string{d.Warning.Message}
		}
	default:
		for _, p := range o.Packages {
			var d tiktok.ShipData
			err := e.scoped(ctx, func() (err error) {
				d, err = e.mp.ShipPackage(wctx, p.ID, tiktok.ShipPackageRequest{
					HandoverMethod: "DROP_OFF",
					SelfShipment:   &tiktok.SelfShipment{ShippingProviderID: provider, TrackingNumber: o.Push.TrackingNumber},
				})
				return err
			})
			if err != nil && tiktok.IsAlreadyShipped(err) {
				continue // an earlier run shipped it before it could record so
			}
			if err != nil {
				return res, err
			}
			res.warnings = append(res.warnings, warningText(d)...)
		}
	}
	return res, nil
}

// onHoldRetry is how long a write-back refused for the ON_HOLD period
// waits when the order does not say when it was paid (the hold lasts an
// hour from payment: TikTok changelog "For US and UK markets: introducing
// On Hold order status").
const onHoldRetry = 10 * time.Minute

// finishWriteBack records a write-back's outcome.
func (e *Engine) finishWriteBack(ctx context.Context, o store.Order, now time.Time, r writeBackResult) error {
	werr := r.err
	var ev Event
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		ev = Event{}
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StateTracking {
			return err
		}
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptWriteBack, Carrier: "tiktok", Latency: r.latency, Outcome: store.OutcomeSuccess, Error: r.note}
		if cur.Push != nil {
			att.Generation = cur.Push.Generation
		}
		cur.Warnings = append(cur.Warnings, r.warnings...)
		for _, id := range r.packages {
			if !hasPackage(cur.Packages, id) {
				cur.Packages = append(cur.Packages, store.Package{ID: id})
			}
		}
		class := tiktok.ClassOf(werr)
		switch {
		case werr == nil:
			if cur.ShippedAt.IsZero() {
				cur.ShippedAt = now
			}
			if cur.Milestones.RTSTime.IsZero() { // TikTok's rts_time follows on the next poll
				cur.Milestones.RTSTime = now
			}
			cur.State, cur.Reason, cur.ErrorClass, cur.WriteBackAttempts = store.StateShipped, r.note, "", 0
		case class == tiktok.ClassOnHold:
			// Not a failure of ours: TikTok takes the tracking once the
			// hold ends, so the attempt budget is not spent.
			att.Error, att.Outcome = werr.Error(), store.OutcomeRetryable
			cur.ErrorClass = "writeback_" + string(class)
			cur.State, cur.Reason = store.StateFailed, "write-back waits: "+werr.Error()
			cur.NextAttemptAt = now.Add(onHoldRetry)
			if end := cur.PaidTime.Add(time.Hour); !cur.PaidTime.IsZero() && end.After(now) {
				cur.NextAttemptAt = end
			}
		default:
			cur.WriteBackAttempts++
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
		ev = Event{Kind: EventWriteBack, At: now, Order: o.ID, Carrier: o.Carrier(), Outcome: string(cur.State),
			Class: cur.ErrorClass, Reason: cur.Reason, RequestID: requestID(werr), Attempts: cur.WriteBackAttempts, Latency: r.latency}
		return tx.PutOrder(cur)
	})
	if err == nil && ev.Kind != "" {
		e.emit(ev)
	}
	return err
}

func hasPackage(ps []store.Package, id string) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
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
	var list []tiktok.ShippingProvider
	err := e.scoped(ctx, func() (err error) {
		list, err = e.mp.ShippingProviders(tiktok.WithKind(ctx, string(store.CallWriteBack)), o.DeliveryOptionID)
		return err
	})
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

// errTooLateToCorrect is a write-back that can never succeed; it makes
// the order dead with the reason.
func errTooLateToCorrect() error {
	return &tiktok.APIError{Endpoint: "update shipping info", Class: tiktok.ClassNeedsHuman,
		Message: "more than 72 hours since shipping: TikTok no longer accepts new tracking; resolve it"}
}

// writeBackBlocked reports whether TikTok asked shipdeck to wait before
// the next call.
func (e *Engine) writeBackBlocked() bool { return e.RateLimitedFor() > 0 }

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
