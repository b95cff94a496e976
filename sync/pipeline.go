package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
)

// PushSummary says what one pipeline pass did.
type PushSummary struct {
	Routed   int `json:"routed"`
	Pushed   int `json:"pushed"`
	Failed   int `json:"failed"`
	Dead     int `json:"dead"`
	Unknown  int `json:"unknown"`
	Resolved int `json:"resolved"`
	Requeued int `json:"requeued"`
	// Released counts new orders whose buyer-remorse window ended.
	Released int `json:"released"`
}

// Add adds another pass's counts to s.
func (s *PushSummary) Add(o PushSummary) {
	s.Routed += o.Routed
	s.Pushed += o.Pushed
	s.Failed += o.Failed
	s.Dead += o.Dead
	s.Unknown += o.Unknown
	s.Resolved += o.Resolved
	s.Requeued += o.Requeued
	s.Released += o.Released
}

// IdempotencyKey derives a push's key from the order, the carrier and the
// route generation. It never changes on retry; a re-route bumps the
// generation and so the key.
func IdempotencyKey(orderID, carrierName string, generation int) string {
	return fmt.Sprintf("shipdeck-%s-%s-g%d", orderID, carrierName, generation)
}

// pipelineLoop runs pipeline passes whenever something changed, and at
// least every second for due retries.
func (e *Engine) pipelineLoop(ctx context.Context) {
	for ctx.Err() == nil {
		if !e.idle() {
			if _, err := e.pushPass(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("pipeline pass failed", "err", err)
			}
		}
		if !e.wait(ctx, time.Second, e.wake) {
			return
		}
	}
}

// PipelineOnce runs one pass: requeue due retries and orders whose
// remorse window ended, route ready orders, resolve unknown pushes, push everything queued, and write back tracking.
func (e *Engine) PipelineOnce(ctx context.Context) (PushSummary, error) {
	sum, err := e.pushPass(ctx)
	_, werr := e.writeBack(ctx)
	return sum, errors.Join(err, werr)
}

// pushPass is PipelineOnce without the write-back, so the worker's pushes
// never wait on a slow TikTok: the write-back has its own loop.
func (e *Engine) pushPass(ctx context.Context) (PushSummary, error) {
	var sum PushSummary
	errs := []error{e.expireLeases(ctx)}
	// Due orders first, so one released from the remorse window (or a
	// failed one sent back to the router) is routed in this same pass.
	r, err := e.requeueDue(ctx)
	sum.Add(r)
	errs = append(errs, err)
	r, err = e.routeReady(ctx)
	sum.Add(r)
	errs = append(errs, err)
	r, err = e.resolveUnknown(ctx)
	sum.Add(r)
	errs = append(errs, err)
	r, err = e.pushQueued(ctx)
	sum.Add(r)
	errs = append(errs, err)
	return sum, errors.Join(errs...)
}

// writeBackLoop writes tracking back to TikTok every few seconds.
func (e *Engine) writeBackLoop(ctx context.Context) {
	for e.wait(ctx, 5*time.Second, nil) {
		if e.idle() {
			continue
		}
		if _, err := e.writeBack(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("write-back pass failed", "err", err)
		}
	}
}

// routeReady moves ready orders to queued with a carrier, a generation and
// an idempotency key, a batch per transaction.
func (e *Engine) routeReady(ctx context.Context) (PushSummary, error) {
	var sum PushSummary
	// Orders left ready (waiting for a carrier whose circuit is open) are
	// stepped over, a bounded number of pages, so the rest still route.
	var after store.Order
	for pages := 0; ctx.Err() == nil && !e.idle() && pages < maxSkipPages; pages++ {
		page, err := e.st.QueueAfter(ctx, store.StateReady, after, e.cfg.Batch)
		if err != nil || len(page) == 0 {
			return sum, err
		}
		after = page[len(page)-1]
		now := e.now()
		moved := 0
		err = e.st.Update(ctx, func(tx *store.Tx) error {
			moved = 0
			for _, p := range page {
				o, err := tx.Order(p.ID)
				if err != nil || o.State != store.StateReady {
					continue
				}
				e.applyRoute(&o, now)
				if o.State == store.StateReady {
					continue
				}
				if err := tx.PutOrder(o); err != nil {
					return err
				}
				moved++
			}
			return nil
		})
		if err != nil {
			return sum, fmt.Errorf("route ready orders: %w", err)
		}
		sum.Routed += moved
		if len(page) < e.cfg.Batch {
			return sum, nil
		}
	}
	return sum, ctx.Err()
}

// maxSkipPages bounds how far a pass looks past orders that wait on an
// open circuit, so a long outage costs a bounded read per pass.
const maxSkipPages = 25

// applyRoute picks a carrier for o: queued on success, dead with the
// router's reason when no carrier fits.
func (e *Engine) applyRoute(o *store.Order, now time.Time) {
	d := e.router.Route(*o, now, e.breakers.Skip(now))
	if !d.OK && d.Retry {
		// Every fit carrier's circuit is open: stay ready and try later.
		o.Reason = "waiting for a carrier: " + d.Reason
		return
	}
	if !d.OK {
		o.State, o.Reason, o.ErrorClass = store.StateDead, "no route: "+d.Reason, "route"
		return
	}
	if o.Push != nil && o.Push.Carrier == d.Carrier && o.Push.ExternalID == "" && !inDoubt(o) {
		// Back to the same carrier, never accepted there: keep the
		// generation and key, so a push that did land is a replay.
		o.State, o.Reason, o.ErrorClass, o.NextAttemptAt = store.StateQueued, "", "", time.Time{}
		return
	}
	e.routeTo(o, d.Carrier, d.Rule, d.Reason)
}

// routeTo queues o for a carrier under the next route generation, and so a
// new idempotency key; the carriers it had before are kept, oldest first.
func (e *Engine) routeTo(o *store.Order, carrierName, rule, reason string) {
	gen := 1
	var prev []string
	if o.Push != nil {
		gen = o.Push.Generation + 1
		prev = append(slices.Clone(o.Push.PreviousCarriers), o.Push.Carrier)
	}
	o.Push = &store.Push{
		Carrier: carrierName, Generation: gen, IdempotencyKey: IdempotencyKey(o.ID, carrierName, gen),
		RouteRule: rule, RouteReason: reason, PreviousCarriers: prev,
	}
	if p := e.carriers[carrierName]; p != nil {
		o.Push.ShippingProviderID = p.ProviderID
	}
	o.State, o.Reason, o.ErrorClass, o.Attempts, o.NextAttemptAt = store.StateQueued, "", "", 0, time.Time{}
}

// requeueDue moves orders whose time has come into the pipeline: new
// orders whose buyer-remorse window ended to the router (the wake-up needs
// no poll), cancellations to the cancel step, failed write-backs to
// tracking, failed pushes to queued with the same key.
func (e *Engine) requeueDue(ctx context.Context) (PushSummary, error) {
	var sum PushSummary
	now := e.now()
	due, err := e.st.Due(ctx, now, e.cfg.Batch)
	if err != nil || len(due) == 0 {
		return sum, err
	}
	var cancels []store.Order
	err = e.st.Update(ctx, func(tx *store.Tx) error {
		sum.Requeued, sum.Released = 0, 0
		cancels = cancels[:0]
		for _, p := range due {
			o, err := tx.Order(p.ID)
			if err != nil {
				continue
			}
			if o.State == store.StateNew && !o.NextAttemptAt.IsZero() && !o.NextAttemptAt.After(now) {
				e.rules.Place(&o, now)
				if err := tx.PutOrder(o); err != nil {
					return err
				}
				if o.State == store.StateReady {
					sum.Released++
				}
				continue
			}
			if o.State != store.StateFailed {
				continue
			}
			switch {
			case o.CancelAtCarrier:
				cancels = append(cancels, o)
				continue
			case o.Push != nil && o.Push.TrackingNumber != "":
				o.State = store.StateTracking
			case o.Push != nil && o.Push.ExternalID != "":
				// The 3PL holds it and only reading its status failed: read again.
				o.State = store.StatePushed
			case o.Push == nil:
				o.State = store.StateReady
			default:
				o.State = store.StateQueued
			}
			o.NextAttemptAt = time.Time{}
			if err := tx.PutOrder(o); err != nil {
				return err
			}
			sum.Requeued++
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("requeue due orders: %w", err)
	}
	for _, o := range cancels {
		if err := e.cancelAtCarrier(ctx, o); err != nil {
			e.log.Warn("cancel at carrier failed", "order", o.ID, "err", err)
		}
	}
	return sum, nil
}

// claim moves a batch of queued orders to pushing with a lease, in one
// synced transaction, before any HTTP call is made.
func (e *Engine) claim(ctx context.Context) ([]store.Order, error) {
	limit := 0
	for _, slot := range e.carriers {
		limit += 2 * cap(slot.sem)
	}
	size := min(e.cfg.Batch, limit)
	// When the earliest orders all wait on a carrier whose circuit is open,
	// look a few pages further so the other carriers' orders still move.
	var after store.Order
	for pages := 0; pages < maxSkipPages && !e.idle(); pages++ {
		page, err := e.st.QueueAfter(ctx, store.StateQueued, after, size)
		if err != nil || len(page) == 0 {
			return nil, err
		}
		after = page[len(page)-1]
		claimed, err := e.claimPage(ctx, page)
		if err != nil || len(claimed) > 0 || len(page) < size {
			return claimed, err
		}
	}
	return nil, nil
}

// claimPage claims what it can of one page of queued orders.
func (e *Engine) claimPage(ctx context.Context, page []store.Order) ([]store.Order, error) {
	now := e.now()
	// How many each carrier may take, decided once outside the transaction
	// (its fn may run twice, and a half-open breaker's probe must be taken
	// once): twice its concurrency, so "pushing" means in flight or next in
	// line; one probe while half-open; none while open.
	room := map[string]int{}
	for _, p := range page {
		if p.Push == nil {
			continue
		}
		name := p.Push.Carrier
		slot := e.carriers[name]
		if _, seen := room[name]; seen || slot == nil {
			continue
		}
		switch {
		case !e.breakers.Allow(name, now):
			room[name] = 0
		case e.breakers.State(name, now) == store.CircuitHalfOpen:
			room[name] = 1
		default:
			room[name] = 2 * cap(slot.sem)
		}
	}
	var claimed []store.Order
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		claimed = claimed[:0]
		left := maps.Clone(room)
		for _, p := range page {
			if p.Push != nil && e.carriers[p.Push.Carrier] != nil && left[p.Push.Carrier] <= 0 && !e.cfg.AutoFailover {
				continue // this carrier has enough in line (or is down); skip the read
			}
			o, err := tx.Order(p.ID)
			if err != nil || o.State != store.StateQueued || o.Push == nil {
				continue
			}
			slot := e.carriers[o.Push.Carrier]
			if slot == nil {
				o.State, o.Reason, o.ErrorClass = store.StateDead, "carrier "+o.Push.Carrier+" is no longer configured: re-route it", "config"
				if err := tx.PutOrder(o); err != nil {
					return err
				}
				continue
			}
			if left[slot.Name()] <= 0 {
				if room[slot.Name()] == 0 && e.cfg.AutoFailover && e.failover(&o, now) {
					if err := tx.PutOrder(o); err != nil {
						return err
					}
				}
				continue
			}
			left[slot.Name()]--
			o.State = store.StatePushing
			o.Push.LeaseUntil = now.Add(e.cfg.Lease)
			if err := tx.PutOrder(o); err != nil {
				return err
			}
			claimed = append(claimed, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim queued orders: %w", err)
	}
	e.mu.Lock()
	for _, o := range claimed {
		e.inflight[o.ID] = struct{}{}
	}
	e.mu.Unlock()
	return claimed, nil
}

// done forgets an order this process had claimed.
func (e *Engine) done(id string) {
	e.mu.Lock()
	delete(e.inflight, id)
	e.mu.Unlock()
}

// expireLeases turns pushes whose lease ran out and that no goroutine of
// this process holds (their result could not be recorded) into unknown,
// so they are settled like a crash's leftovers instead of staying stuck.
func (e *Engine) expireLeases(ctx context.Context) error {
	page, err := e.st.Queue(ctx, store.StatePushing, 0, e.cfg.Batch)
	if err != nil || len(page) == 0 {
		return err
	}
	now := e.now()
	e.mu.Lock()
	var stale []string
	for _, o := range page {
		if _, held := e.inflight[o.ID]; !held && o.Push != nil && o.Push.LeaseUntil.Before(now) {
			stale = append(stale, o.ID)
		}
	}
	e.mu.Unlock()
	if len(stale) == 0 {
		return nil
	}
	return e.st.Update(ctx, func(tx *store.Tx) error {
		for _, id := range stale {
			o, err := tx.Order(id)
			if err != nil || o.State != store.StatePushing || o.Push == nil || !o.Push.LeaseUntil.Before(now) {
				continue
			}
			o.State, o.ErrorClass, o.NextAttemptAt = store.StateUnknown, "unknown", now
			o.Reason = "its push outlived its lease: checking with " + o.Carrier()
			o.Push.LeaseUntil = time.Time{}
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// failover re-routes a queued order to the next carrier whose circuit is
// closed; it reports whether it did.
func (e *Engine) failover(o *store.Order, now time.Time) bool {
	d := e.router.Route(*o, now, e.breakers.Skip(now))
	if !d.OK || d.Carrier == o.Push.Carrier {
		return false
	}
	prev := o.Push.Carrier
	e.applyRoute(o, now)
	o.Reason = "failed over from " + prev + ": circuit open"
	return true
}

// pushQueued claims and pushes queued orders until none are left (or a
// pass makes no progress), each carrier within its concurrency limit.
func (e *Engine) pushQueued(ctx context.Context) (PushSummary, error) {
	var sum PushSummary
	for ctx.Err() == nil && !e.idle() {
		claimed, err := e.claim(ctx)
		if err != nil || len(claimed) == 0 {
			return sum, err
		}
		var mu gosync.Mutex
		var wg gosync.WaitGroup
		var errs []error
		for _, o := range claimed {
			slot := e.carriers[o.Push.Carrier]
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer e.done(o.ID)
				select {
				case slot.sem <- struct{}{}:
				case <-ctx.Done():
					return // still pushing: the next start resolves it
				}
				defer func() { <-slot.sem }()
				r, err := e.pushOne(ctx, slot, o)
				mu.Lock()
				sum.Add(r)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return sum, err
		}
	}
	return sum, ctx.Err()
}

// shipment builds what is sent to the 3PL.
func shipment(o store.Order) carrier.Shipment {
	s := carrier.Shipment{
		ExternalID:     o.ID,
		Reference:      fmt.Sprintf("%s/%d", o.ID, o.Push.Generation),
		Service:        "ground",
		IdempotencyKey: o.Push.IdempotencyKey,
		WeightG:        o.WeightGrams(),
		ShipTo: carrier.Address{
			Name: o.Recipient.Name, Phone: o.Recipient.Phone, Lines: o.Recipient.Lines, City: o.Recipient.City,
			Region: o.Recipient.Region, PostalCode: o.Recipient.PostalCode, Country: o.Recipient.Country,
		},
	}
	for _, li := range o.LineItems {
		s.Items = append(s.Items, carrier.Item{SKU: li.SKU, Title: li.ProductName, Quantity: max(li.Quantity, 1)})
	}
	return s
}

// pushOne sends one claimed order and commits its outcome, the attempt and
// the latency sample in one transaction.
func (e *Engine) pushOne(ctx context.Context, slot *carrierSlot, o store.Order) (PushSummary, error) {
	start := time.Now()
	res, perr := slot.Push(ctx, shipment(o))
	lat := time.Since(start)
	now := e.now()
	if ctx.Err() != nil && perr != nil {
		// Shutting down mid-call: leave it pushing; the next start resolves it
		// as unknown through the 3PL's lookup.
		return PushSummary{}, nil
	}
	class := carrier.ClassOf(perr)
	ok := perr == nil
	e.health.Record(slot.Name(), now, lat, ok || class == carrier.Permanent)
	circuit, circuitChanged := e.recordBreaker(slot.Name(), now, ok || class == carrier.Permanent)
	var sum PushSummary
	var ev Event
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		sum = PushSummary{}
		ev = Event{}
		if circuitChanged {
			if err := tx.AddActivity(circuit); err != nil {
				return err
			}
		}
		cur, err := tx.Order(o.ID)
		if err != nil {
			return err
		}
		if cur.State != store.StatePushing || cur.Push == nil || cur.Push.IdempotencyKey != o.Push.IdempotencyKey {
			return nil // an operator or a recovery moved it meanwhile
		}
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptPush, Carrier: slot.Name(),
			Generation: cur.Push.Generation, Latency: lat}
		cur.Push.LeaseUntil = time.Time{}
		if ok {
			att.Outcome = store.OutcomeSuccess
			if res.Replay || res.Adopted {
				att.Outcome = store.OutcomeReplay
			}
			cur.State, cur.Reason, cur.ErrorClass = store.StatePushed, "", ""
			cur.Push.ExternalID, cur.Push.PushedAt = res.ID, now
			cur.Attempts++
			if cur.CancelAtCarrier {
				cur.State, cur.NextAttemptAt, cur.ErrorClass = store.StateFailed, now, "cancel"
			}
			sum.Pushed++
		} else {
			e.applyFailure(&cur, &att, perr, now, &sum)
		}
		if err := tx.AddAttempt(att); err != nil {
			return err
		}
		if err := tx.AddSample(store.LatencySample{Carrier: slot.Name(), At: now, Latency: lat, OK: ok, Kind: store.AttemptPush,
			OrderID: o.ID, Error: att.Error}); err != nil {
			return err
		}
		if a, ok := pushActivity(&cur, slot.Name()); ok {
			if err := tx.AddActivity(a); err != nil {
				return err
			}
		}
		ev = Event{Kind: EventPush, At: now, Order: o.ID, Carrier: slot.Name(), Outcome: string(cur.State), Class: cur.ErrorClass,
			Reason: cur.Reason, RequestID: o.Push.IdempotencyKey, HTTPStatus: att.HTTPStatus, Attempts: cur.Attempts, Latency: lat}
		return tx.PutOrder(cur)
	})
	if err != nil {
		return sum, fmt.Errorf("record push of order %s to %s: %w", o.ID, slot.Name(), err)
	}
	if ev.Kind != "" {
		e.emit(ev)
	}
	return sum, nil
}

// recordBreaker feeds a call's outcome to the carrier's circuit breaker and
// reports the breaker opening or closing, to the observers and as the
// activity entry the caller commits with the call's outcome.
func (e *Engine) recordBreaker(name string, now time.Time, ok bool) (store.Activity, bool) {
	before := e.breakers.State(name, now)
	e.breakers.Record(name, now, ok)
	after := e.breakers.State(name, now)
	if after == before || after == store.CircuitHalfOpen {
		return store.Activity{}, false
	}
	e.emit(Event{Kind: EventCircuit, At: now, Carrier: name, Circuit: after})
	return circuitActivity(name, before, after, now), true
}

// applyFailure moves an order after a failed push: failed with a retry
// time, unknown when the push may have landed, dead when attempts ran out
// or the error is permanent.
func (e *Engine) applyFailure(o *store.Order, att *store.Attempt, perr error, now time.Time, sum *PushSummary) {
	class := carrier.ClassOf(perr)
	msg := perr.Error()
	var ce *carrier.Error
	if errors.As(perr, &ce) {
		att.HTTPStatus = ce.HTTPStatus
		if ce.Reason != "" {
			msg = ce.Reason
		}
	}
	att.Error = msg
	o.Attempts++
	o.ErrorClass = string(class)
	switch class {
	case carrier.Unknown:
		att.Outcome = store.OutcomeUnknown
		if e.cfg.Backoff.Exhausted(o.Attempts) {
			o.State, o.NextAttemptAt = store.StateDead, time.Time{}
			o.Reason = fmt.Sprintf("push may have landed at %s after %d attempts (%s): check there, then retry or resolve", o.Carrier(), o.Attempts, msg)
			sum.Dead++
			return
		}
		o.State, o.Reason = store.StateUnknown, "push may have landed: "+msg
		o.NextAttemptAt = now.Add(e.delay(o.Attempts, 0))
		sum.Unknown++
	case carrier.Retryable:
		att.Outcome = store.OutcomeRetryable
		if e.cfg.Backoff.Exhausted(o.Attempts) {
			o.State, o.Reason, o.NextAttemptAt = store.StateDead, fmt.Sprintf("gave up after %d attempts: %s", o.Attempts, msg), time.Time{}
			sum.Dead++
			return
		}
		o.State, o.Reason = store.StateFailed, msg
		o.NextAttemptAt = now.Add(e.delay(o.Attempts, carrier.RetryAfterOf(perr)))
		sum.Failed++
	default:
		att.Outcome = store.OutcomePermanent
		o.State, o.Reason, o.NextAttemptAt = store.StateDead, msg, time.Time{}
		sum.Dead++
	}
}

// resolveUnknown settles pushes that may have landed: through the 3PL's
// lookup by external id where it has one, by replaying the same key where
// pushes are idempotent, and otherwise by asking an operator.
func (e *Engine) resolveUnknown(ctx context.Context) (PushSummary, error) {
	var sum PushSummary
	page, err := e.st.Queue(ctx, store.StateUnknown, 0, e.cfg.Batch)
	if err != nil || len(page) == 0 {
		return sum, err
	}
	now := e.now()
	for _, o := range page {
		if o.NextAttemptAt.After(now) || o.Push == nil {
			continue
		}
		slot := e.carriers[o.Push.Carrier]
		if slot == nil {
			continue
		}
		caps := slot.Capabilities()
		var found *carrier.Remote
		var lerr error
		var lat time.Duration
		if caps.Lookup {
			start := time.Now()
			remotes, err := slot.Lookup(ctx, o.ID)
			lat = time.Since(start)
			lerr = err
			for i := range remotes {
				// Another generation's order (ShipStation keeps one per
				// orderKey) is not this push's.
				if remotes[i].Status != carrier.StatusCancelled &&
					carrier.CheckOrder(slot.Name(), "lookup", remotes[i], "", o.ID, o.Push.IdempotencyKey) == nil {
					found = &remotes[i]
					break
				}
			}
		}
		var r PushSummary
		err := e.st.Update(ctx, func(tx *store.Tx) error {
			r = PushSummary{}
			cur, err := tx.Order(o.ID)
			if err != nil || cur.State != store.StateUnknown || cur.Push == nil || cur.Push.IdempotencyKey != o.Push.IdempotencyKey {
				return err
			}
			att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptLookup, Carrier: slot.Name(), Generation: cur.Push.Generation, Latency: lat}
			switch {
			case caps.Lookup && lerr != nil:
				att.Outcome, att.Error = store.OutcomeRetryable, lerr.Error()
				cur.Attempts++
				if e.cfg.Backoff.Exhausted(cur.Attempts) {
					cur.State, cur.Reason = store.StateDead, "could not resolve an in-flight push: "+lerr.Error()
					r.Dead++
				} else {
					cur.NextAttemptAt = now.Add(e.delay(cur.Attempts, carrier.RetryAfterOf(lerr)))
				}
			case found != nil:
				att.Outcome = store.OutcomeReplay
				cur.State, cur.Reason, cur.ErrorClass, cur.NextAttemptAt = store.StatePushed, "", "", time.Time{}
				cur.Push.ExternalID, cur.Push.PushedAt = found.ID, now
				if cur.CancelAtCarrier {
					cur.State, cur.NextAttemptAt, cur.ErrorClass = store.StateFailed, now, "cancel"
				}
				r.Resolved++
			case caps.Lookup || caps.IdempotentPush:
				// Not there (or a replay of the same key is safe): send again with
				// the same key.
				att.Outcome = store.OutcomeSuccess
				att.Error = "not found at the 3PL: resending with the same key"
				if cur.CancelAtCarrier {
					cur.State, cur.Reason, cur.NextAttemptAt = store.StateCancelled, "cancelled on TikTok", time.Time{}
				} else {
					cur.State, cur.Reason, cur.NextAttemptAt = store.StateQueued, "", time.Time{}
				}
				r.Resolved++
			default:
				att.Outcome = store.OutcomeUnknown
				cur.State, cur.NextAttemptAt = store.StateDead, time.Time{}
				cur.Reason = slot.Name() + " cannot look orders up: check whether it holds order " + cur.ID + ", then retry or resolve"
				r.Dead++
			}
			if caps.Lookup {
				if err := tx.AddAttempt(att); err != nil {
					return err
				}
			}
			return tx.PutOrder(cur)
		})
		if err != nil {
			return sum, fmt.Errorf("resolve unknown push of order %s: %w", o.ID, err)
		}
		sum.Add(r)
	}
	return sum, nil
}

// cancelAtCarrier cancels at the 3PL an order TikTok cancelled after it was
// pushed, then marks it cancelled; a 3PL that already shipped it makes it
// dead for an operator.
func (e *Engine) cancelAtCarrier(ctx context.Context, o store.Order) error {
	slot := e.carriers[o.Carrier()]
	now := e.now()
	var cerr error
	var lat time.Duration
	id := ""
	if o.Push != nil {
		id = o.Push.ExternalID
	}
	if slot != nil && id == "" && slot.Capabilities().Lookup {
		remotes, err := slot.Lookup(ctx, o.ID)
		if err != nil {
			cerr = err
		}
		for _, r := range remotes {
			if r.Status != carrier.StatusCancelled {
				id = r.ID
			}
		}
	}
	if slot != nil && id != "" && cerr == nil {
		start := time.Now()
		cerr = slot.Cancel(ctx, id)
		lat = time.Since(start)
	}
	return e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Order(o.ID)
		if err != nil || cur.State != store.StateFailed || !cur.CancelAtCarrier {
			return err
		}
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptCancel, Carrier: o.Carrier(), Latency: lat, Outcome: store.OutcomeSuccess}
		class := carrier.ClassOf(cerr)
		switch {
		case cerr == nil:
			cur.State, cur.Reason, cur.ErrorClass, cur.NextAttemptAt = store.StateCancelled, "cancelled on TikTok and at "+o.Carrier(), "", time.Time{}
			cur.CancelAtCarrier = false
		case class == carrier.Retryable || class == carrier.Unknown:
			att.Outcome, att.Error = store.OutcomeRetryable, cerr.Error()
			cur.Attempts++
			cur.NextAttemptAt = now.Add(e.delay(cur.Attempts, carrier.RetryAfterOf(cerr)))
			cur.Reason = "cancelled on TikTok; cancel at " + o.Carrier() + " failed: " + cerr.Error()
		default:
			att.Outcome, att.Error = store.OutcomePermanent, cerr.Error()
			cur.State, cur.NextAttemptAt, cur.ErrorClass = store.StateDead, time.Time{}, string(class)
			cur.Reason = "cancelled on TikTok but " + o.Carrier() + " could not cancel (" + strings.TrimSpace(cerr.Error()) + "): stop the parcel there, then resolve"
		}
		if err := tx.AddAttempt(att); err != nil {
			return err
		}
		return tx.PutOrder(cur)
	})
}
