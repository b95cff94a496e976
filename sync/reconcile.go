package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
)

// Reconcile cross-checks the orders created since since three ways: what
// TikTok holds (the store's mirror of TikTok's status and tracking, kept
// current by the poller, so this spends no TikTok quota at all), what each
// 3PL holds (a lookup by external id at the order's carrier, at the
// carriers it was routed to before, and, for orders shipdeck has not
// placed, at every carrier that can look orders up), and what the store
// holds. Each finding names the action that fixes it (ApplyFinding).
func (e *Engine) Reconcile(ctx context.Context, since time.Time) (store.ReconcileReport, error) {
	rep := store.ReconcileReport{At: e.now(), Since: since, Findings: []store.Finding{}}
	// Only the ids are kept while the window is read, and each order is
	// read again when its turn comes: a large window costs a few bytes an
	// order, and the cross-check sees the order as it is then.
	var orders []string
	err := e.st.OrdersCreatedSince(ctx, since, func(o store.Order) bool {
		if e.reconcilable(&o) {
			orders = append(orders, o.ID)
		}
		return true
	})
	if err != nil {
		return rep, fmt.Errorf("reconcile: read orders: %w", err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, reconcileBudget)
	defer cancel()
	run := &reconcileRun{rep: &rep, skip: map[string]bool{}, fails: map[string]int{}, asked: map[string]int{}}
	work := make(chan string)
	var wg gosync.WaitGroup
	for range reconcileWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				o, err := e.st.Order(ctx, id)
				if err != nil || !e.reconcilable(&o) {
					continue // gone or settled since the window was read
				}
				e.reconcileOrder(ctx, &o, run)
			}
		}()
	}
	for _, id := range orders {
		select {
		case work <- id:
			rep.Checked++
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	// A caller's deadline (reconcile --within) ends the run like the
	// budget does, with what it checked; a cancellation is a stop.
	if err := parent.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return rep, err
	}
	if ctx.Err() != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("stopped at its time limit with %d of %d orders sent for checking; the rest wait for the next run",
			rep.Checked, len(orders)))
	}
	slices.SortFunc(rep.Findings, func(a, b store.Finding) int {
		return cmp.Or(cmp.Compare(a.OrderID, b.OrderID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.RemoteID, b.RemoteID))
	})
	slices.Sort(rep.Problems)
	e.mu.Lock()
	e.lastReconcile = rep
	e.mu.Unlock()
	e.log.Info("reconciliation", "checked", rep.Checked, "lookups", rep.Lookups, "findings", len(rep.Findings), "problems", len(rep.Problems))
	return rep, nil
}

// LastReconcile is the most recent reconciliation report.
func (e *Engine) LastReconcile() store.ReconcileReport {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastReconcile
}

// reconcilable skips what cannot disagree: orders TikTok ships itself,
// orders not yet payable, and orders delivered with the tracking shipdeck
// wrote back.
func (e *Engine) reconcilable(o *store.Order) bool {
	switch {
	case policy.WhoShips(o) != "":
		return false
	case o.Status == store.StatusUnpaid || o.Status == store.StatusOnHold:
		return false
	case o.Status == store.StatusCancelled && o.Push == nil:
		return false
	case (o.Status == store.StatusDelivered || o.Status == store.StatusCompleted) && o.Push != nil &&
		o.Push.TrackingNumber != "" && o.Push.TrackingNumber == o.Milestones.TikTokTracking:
		return false
	}
	return true
}

// trying reports whether shipdeck still works on fulfilling o.
func trying(o *store.Order) bool {
	switch o.State {
	case store.StateReady, store.StateQueued, store.StatePushing, store.StateFailed, store.StateDead, store.StateUnknown, store.StateHeld:
		return !o.CancelAtCarrier
	}
	return false
}

// reconcileBudget bounds one run in real time, so a slow or failing 3PL
// can never hold the cross-check (or the command that asked for it) for
// long; what it did not reach waits for the next run.
const reconcileBudget = 3 * time.Minute

// reconcileWorkers is how many orders are cross-checked at once; each
// lookup also takes a slot of its carrier's in-flight limit.
const reconcileWorkers = 8

// reconcileRun is one cross-check in progress: the report, and the carriers
// that rate-limited it or failed three lookups in a row, which are not
// asked again in this run (a cross-check is never worth a 3PL's whole rate
// limit, nor waiting out a 3PL that is down).
type reconcileRun struct {
	mu    gosync.Mutex
	rep   *store.ReconcileReport
	skip  map[string]bool
	fails map[string]int
	asked map[string]int
}

// reconcileLookupCap bounds one run's lookups at one 3PL, so a shop with a
// large backlog never spends a 3PL's rate limit on the cross-check for long
// (a 3PL that answers 429 is dropped from the run at once); the orders past
// it wait for the next run.
const reconcileLookupCap = 1000

// skipped reports whether the run stopped asking a carrier, and otherwise
// counts the lookup about to be made.
func (r *reconcileRun) skipped(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.skip[name] {
		return true
	}
	if r.asked[name] >= reconcileLookupCap {
		r.skip[name] = true
		r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("%s: stopped after %d lookups this run; its other orders wait for the next run", name, reconcileLookupCap))
		return true
	}
	r.asked[name]++
	return false
}

// outcome records one lookup; err is nil on success.
func (r *reconcileRun) outcome(orderID, name string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Lookups++
	if err == nil {
		r.fails[name] = 0
		return
	}
	r.fails[name]++
	switch {
	case r.skip[name]:
	case carrier.RetryAfterOf(err) > 0:
		r.skip[name] = true
		r.rep.Problems = append(r.rep.Problems, sanitize.Line(fmt.Sprintf("%s rate-limited the cross-check at order %s; its other orders were not checked this run: %v", name, orderID, err)))
	case r.fails[name] >= 3:
		r.skip[name] = true
		r.rep.Problems = append(r.rep.Problems, sanitize.Line(fmt.Sprintf("%s failed three lookups in a row (last for order %s); its other orders were not checked this run: %v", name, orderID, err)))
	default:
		r.rep.Problems = append(r.rep.Problems, sanitize.Line(fmt.Sprintf("order %s at %s: %v", orderID, name, err)))
	}
}

// add records a finding.
func (r *reconcileRun) add(f store.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Findings = append(r.rep.Findings, f)
}

// shippedGrace is how long a 3PL's shipment may wait for the tracker before
// it counts as not written back.
const shippedGrace = time.Hour

func (e *Engine) reconcileOrder(ctx context.Context, o *store.Order, run *reconcileRun) {
	add := func(f store.Finding) {
		f.OrderID = o.ID
		f.Explain = sanitize.Line(f.Explain)
		run.add(f)
	}
	ours := ""
	if o.Push != nil {
		ours = o.Push.TrackingNumber
	}
	tt := o.Milestones.TikTokTracking
	if shippedElsewhere(o.Status) && tt != "" && !sameTracking(tt, ours) && trying(o) {
		f := store.Finding{Kind: store.FindingShippedElsewhere, Action: store.ActionResolve,
			Explain: fmt.Sprintf("TikTok shows it %s with tracking %s that shipdeck did not send, while shipdeck still has it %s", o.Status, tt, o.State)}
		switch {
		case ours != "":
			// Both shipped: nothing left to stop, an operator sorts it out.
			f.Explain += "; " + o.Push.Carrier + " shipped it too (tracking " + ours + ")"
		case mayBeAtCarrier(o) && o.Push.ExternalID != "" && e.canCancel(o.Push.Carrier):
			f.Action, f.Carrier, f.RemoteID = store.ActionCancelAt3PL, o.Push.Carrier, o.Push.ExternalID
			f.Explain += "; the copy at " + o.Push.Carrier + " may ship it twice"
		}
		add(f)
	}

	for _, name := range e.carriersToAsk(o) {
		if run.skipped(name) {
			continue
		}
		slot := e.carriers[name]
		select {
		case slot.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		remotes, err := slot.Lookup(ctx, o.ID)
		<-slot.sem
		if ctx.Err() != nil {
			return
		}
		run.outcome(o.ID, name, err)
		if err != nil {
			continue
		}
		for _, r := range remotes {
			if r.ExternalID != "" && r.ExternalID != o.ID {
				continue // a reply for another order is never believed
			}
			e.judgeRemote(o, name, r, add)
		}
	}
}

// carriersToAsk lists the carriers whose copy of o matters: its own, the
// ones it was routed to before, and, until the carrier has scanned the
// parcel, every carrier (someone may have keyed it in by hand, and a second
// parcel can still be stopped). Orders already in transit are asked only
// where shipdeck placed them, which keeps a run's lookups to a few days of
// orders per carrier.
func (e *Engine) carriersToAsk(o *store.Order) []string {
	var out []string
	ask := func(name string) {
		if slot := e.carriers[name]; slot != nil && slot.Capabilities().Lookup && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if o.Push != nil {
		ask(o.Push.Carrier)
		for _, p := range o.Push.PreviousCarriers {
			ask(p)
		}
	}
	open := o.Status == store.StatusAwaitingShipment || o.Status == store.StatusPartiallyShipping || o.Status == store.StatusAwaitingCollection
	if open && !inDoubt(o) {
		for _, name := range e.names {
			ask(name)
		}
	}
	return out
}

func (e *Engine) judgeRemote(o *store.Order, name string, r carrier.Remote, add func(store.Finding)) {
	live := r.Status != carrier.StatusCancelled
	shipped := r.Status == carrier.StatusShipped
	// A copy at the order's own 3PL before it answered (a reply lost, a
	// retry pending) is shipdeck's own: the same-key retry or the lookup
	// after an unknown push settles it, and a 3PL that already holds the
	// order under another key answers duplicate_external_id, which the
	// pipeline adopts.
	ourCopy := o.Push != nil && name == o.Push.Carrier && (r.ID == o.Push.ExternalID || o.Push.ExternalID == "")
	tt := o.Milestones.TikTokTracking
	// cancelOrResolve cancels a copy at a 3PL that can cancel, or leaves it
	// to an operator where it cannot (a CSV drop) or it already shipped.
	cancelOrResolve := func(f store.Finding) store.Finding {
		f.Action = store.ActionCancelAt3PL
		switch {
		case shipped:
			f.Action = store.ActionResolve
			f.Explain += fmt.Sprintf("; it already shipped there (tracking %s): stop shipdeck's own push by hand, or intercept one parcel", r.TrackingNumber)
		case !e.canCancel(name):
			f.Action = store.ActionResolve
			f.Explain += "; " + name + " cannot be cancelled through its API: tell the 3PL"
		}
		return f
	}
	switch {
	case ourCopy && o.Status == store.StatusCancelled && live && !shipped &&
		(!o.CancelAtCarrier || o.State == store.StateDead):
		add(cancelOrResolve(store.Finding{Kind: store.FindingCancelledButLive, Carrier: name, RemoteID: r.ID,
			Explain: fmt.Sprintf("cancelled on TikTok, still %s at %s (%s)", r.Status, name, r.ID)}))
	case ourCopy && o.Status == store.StatusCancelled && shipped &&
		o.State != store.StateShipped && o.State != store.StateCancelled:
		add(store.Finding{Kind: store.FindingCancelledButLive, Action: store.ActionResolve, Carrier: name, RemoteID: r.ID,
			Tracking: r.TrackingNumber,
			Explain:  fmt.Sprintf("cancelled on TikTok, but %s already shipped it (tracking %s): intercept the parcel or expect a return", name, r.TrackingNumber)})
	case ourCopy && shipped && r.TrackingNumber != "" && tt == "" &&
		o.State != store.StateTracking && o.State != store.StateShipped && o.Status != store.StatusCancelled &&
		(r.ShippedAt.IsZero() || e.now().Sub(r.ShippedAt) > shippedGrace):
		add(store.Finding{Kind: store.FindingShippedNotWrittenBack, Action: store.ActionWriteBack, Carrier: name, RemoteID: r.ID,
			Tracking: r.TrackingNumber, CarrierCode: r.CarrierCode,
			Explain: fmt.Sprintf("%s shipped it with tracking %s, but shipdeck has it %s and TikTok has no tracking", name, r.TrackingNumber, o.State)})
	case ourCopy && r.TrackingNumber != "" && tt != "" && !sameTracking(r.TrackingNumber, tt):
		f := store.Finding{Kind: store.FindingTrackingMismatch, Action: store.ActionWriteBack, Carrier: name, RemoteID: r.ID,
			Tracking: r.TrackingNumber, CarrierCode: r.CarrierCode,
			Explain: fmt.Sprintf("%s has tracking %s, TikTok has %s", name, r.TrackingNumber, tt)}
		if !o.ShippedAt.IsZero() {
			// shipdeck wrote its tracking back, so someone changed it on
			// TikTok since, using the order's one allowed edit (or the
			// 72 hours passed): the API cannot put it back.
			f.Action = store.ActionResolve
			f.Explain += "; TikTok's tracking was changed after shipdeck wrote it back, and TikTok allows one edit within 72 h: check which parcel the buyer gets"
		}
		add(f)
	case ourCopy || !live:
	case o.Push != nil && slices.Contains(o.Push.PreviousCarriers, name) && name != o.Push.Carrier:
		add(cancelOrResolve(store.Finding{Kind: store.FindingAtTwo3PLs, Carrier: name, RemoteID: r.ID,
			Explain: fmt.Sprintf("still %s at %s (%s) from before the re-route to %s", r.Status, name, r.ID, o.Push.Carrier)}))
	case o.Push != nil && o.Push.ExternalID != "":
		add(cancelOrResolve(store.Finding{Kind: store.FindingHandKeyed, Carrier: name, RemoteID: r.ID,
			Explain: fmt.Sprintf("%s holds %s, an order shipdeck never created, while shipdeck's push is live at %s (%s)", name, r.ID, o.Push.Carrier, o.Push.ExternalID)}))
	default:
		add(store.Finding{Kind: store.FindingHandKeyed, Action: store.ActionAdopt, Carrier: name, RemoteID: r.ID,
			Tracking: r.TrackingNumber, CarrierCode: r.CarrierCode,
			Explain: fmt.Sprintf("%s holds %s (%s), an order shipdeck never created, while shipdeck has it %s", name, r.ID, r.Status, o.State)})
	}
}

// canCancel reports whether a carrier's API can cancel an order.
func (e *Engine) canCancel(name string) bool {
	slot := e.carriers[name]
	return slot != nil && slot.Capabilities().Cancel
}

// sameTracking compares tracking numbers as carriers print them: case and
// spaces do not matter.
func sameTracking(a, b string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
	return norm(a) == norm(b)
}

// MayApplyFindings refuses an actor whose role may not act on findings, so
// a command can say so before spending a cross-check.
func (e *Engine) MayApplyFindings(actor store.Actor) error {
	return allow(actor, store.RoleOperator, "reconcile")
}

// ApplyFinding runs a finding's action through the same commands and audit
// trail as every operator action. It re-checks the order first, so a
// finding that went stale is refused with the reason.
func (e *Engine) ApplyFinding(ctx context.Context, actor store.Actor, f store.Finding) error {
	if err := e.MayApplyFindings(actor); err != nil {
		return err
	}
	switch f.Action {
	case store.ActionResolve:
		o, err := e.st.Order(ctx, f.OrderID)
		if err != nil {
			return fmt.Errorf("resolve order %s: %w", f.OrderID, err)
		}
		if o.State == store.StateShipped || o.State == store.StateCancelled {
			// Finished here already: what is left is for the operator to
			// know, so the finding is acknowledged in the audit trail.
			return e.command(ctx, actor, "reconcile acknowledge", f.OrderID, f.Explain, func(*store.Order) error { return nil })
		}
		return e.Resolve(ctx, actor, f.OrderID, "reconciliation: "+f.Explain)
	case store.ActionWriteBack:
		if f.Tracking == "" {
			return refuse("write back", f.OrderID, "the finding carries no tracking number")
		}
		return e.command(ctx, actor, "reconcile write back", f.OrderID, f.Carrier+" tracking "+f.Tracking, func(o *store.Order) error {
			switch {
			case o.Push == nil || o.Push.Carrier != f.Carrier || o.Push.ExternalID != "" && o.Push.ExternalID != f.RemoteID:
				return refuse("write back", f.OrderID, "its push is no longer "+f.RemoteID+" at "+f.Carrier)
			case o.State == store.StatePushing:
				return refuse("write back", f.OrderID, "it is in flight to "+o.Carrier())
			case o.Status == store.StatusCancelled:
				return refuse("write back", f.OrderID, "TikTok cancelled it")
			case !o.ShippedAt.IsZero() && e.now().Sub(o.ShippedAt) > reroutableWindow:
				return refuse("write back", f.OrderID, "it shipped more than 72 hours ago, when TikTok stops accepting changes")
			}
			if o.Push.ExternalID == "" {
				o.Push.ExternalID = f.RemoteID
			}
			o.Push.TrackingNumber, o.Push.CarrierCode = f.Tracking, f.CarrierCode
			if slot := e.carriers[f.Carrier]; slot != nil {
				applyProvider(o.Push, slot.Providers, f.CarrierCode)
			}
			o.State, o.NextAttemptAt, o.HeldFrom, o.WriteBackAttempts = store.StateTracking, time.Time{}, "", 0
			o.Reason = "tracking from " + f.Carrier + " found by reconciliation"
			return nil
		})
	case store.ActionAdopt:
		return e.command(ctx, actor, "adopt", f.OrderID, f.Carrier+" "+f.RemoteID, func(o *store.Order) error {
			switch {
			case o.State == store.StatePushing:
				return refuse("adopt", f.OrderID, "it is in flight to "+o.Carrier())
			case o.Push != nil && o.Push.ExternalID != "":
				return refuse("adopt", f.OrderID, "shipdeck's push is live at "+o.Push.Carrier+"; cancel one copy instead")
			case o.State == store.StateShipped || o.State == store.StateCancelled:
				return refuse("adopt", f.OrderID, "it is already "+string(o.State))
			case o.Status == store.StatusCancelled:
				return refuse("adopt", f.OrderID, "TikTok cancelled it: cancel the 3PL's copy instead")
			}
			e.routeTo(o, f.Carrier, "adopted", "keyed by hand at "+f.Carrier+"; adopted by "+actor.Name)
			o.Push.ExternalID, o.Push.PushedAt = f.RemoteID, e.now()
			o.State, o.Reason = store.StatePushed, "adopted the order keyed by hand at "+f.Carrier
			if f.Tracking != "" {
				o.Push.TrackingNumber, o.Push.CarrierCode, o.State = f.Tracking, f.CarrierCode, store.StateTracking
				if slot := e.carriers[f.Carrier]; slot != nil {
					applyProvider(o.Push, slot.Providers, f.CarrierCode)
				}
			}
			return nil
		})
	case store.ActionCancelAt3PL:
		return e.cancelFinding(ctx, actor, f)
	}
	return refuse("reconcile", f.OrderID, fmt.Sprintf("unknown action %q", f.Action))
}

// cancelFinding cancels a 3PL's copy: shipdeck's own push goes through the
// pipeline's cancel step; another copy (hand-keyed, or left from before a
// re-route) is cancelled directly and the outcome audited.
func (e *Engine) cancelFinding(ctx context.Context, actor store.Actor, f store.Finding) error {
	o, err := e.st.Order(ctx, f.OrderID)
	if err != nil {
		return fmt.Errorf("cancel at %s for order %s: %w", f.Carrier, f.OrderID, err)
	}
	if o.Push != nil && o.Push.Carrier == f.Carrier && o.Push.ExternalID == f.RemoteID {
		return e.command(ctx, actor, "cancel at 3pl", f.OrderID, f.Carrier+" "+f.RemoteID, func(o *store.Order) error {
			if o.State == store.StatePushing {
				return refuse("cancel", f.OrderID, "it is in flight to "+o.Carrier())
			}
			o.CancelAtCarrier, o.HeldFrom = true, ""
			o.State, o.NextAttemptAt, o.ErrorClass = store.StateFailed, e.now(), "cancel"
			o.Reason = "cancelling at " + f.Carrier + " (reconciliation)"
			return nil
		})
	}
	slot := e.carriers[f.Carrier]
	if slot == nil {
		return refuse("cancel", f.OrderID, "no carrier named "+f.Carrier)
	}
	cerr := slot.Cancel(ctx, f.RemoteID)
	detail := f.Carrier + " " + f.RemoteID + ": cancelled"
	if cerr != nil {
		detail = f.Carrier + " " + f.RemoteID + ": " + sanitize.Line(cerr.Error())
	}
	if err := e.command(ctx, actor, "cancel at 3pl", f.OrderID, detail, func(*store.Order) error { return nil }); err != nil {
		return err
	}
	if cerr != nil {
		if errors.Is(cerr, context.Canceled) {
			return cerr
		}
		return fmt.Errorf("cancel %s at %s for order %s: %w", f.RemoteID, f.Carrier, f.OrderID, cerr)
	}
	return nil
}
