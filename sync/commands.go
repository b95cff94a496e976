package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/carrier"
)

// ErrForbidden is returned (wrapped) when the actor's role may not run a
// command, even if the console was bypassed.
var ErrForbidden = errors.New("not allowed for this role")

// ErrRefused is matched (errors.Is) by every refusal: a command that does
// not apply to the order in its current state, with the reason. The rules
// themselves live in package policy.
var ErrRefused = policy.ErrRefused

// refuse builds a refusal for checks only the engine can make (the
// reconciliation's actions, say); the order rules themselves are policy's.
func refuse(action, id, why string) error {
	return policy.Refuse(policy.Action(action), id, why)
}

// reroutableWindow is how long after shipping TikTok accepts updated
// shipping info (the rule lives in policy).
const reroutableWindow = policy.RerouteWindow

// allow checks the actor's role for a command.
func allow(actor store.Actor, need store.Role, action string) error {
	if actor.Role < need {
		return fmt.Errorf("%s: %w (%s is %s; needs %s)", action, ErrForbidden, actor.Name, actor.Role, need)
	}
	return nil
}

// command runs one operator change on one order in a transaction together
// with its audit entry.
func (e *Engine) command(ctx context.Context, actor store.Actor, action, id, detail string, fn func(o *store.Order) error) error {
	var entry store.AuditEntry
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s order %s: no such order", action, id)
		}
		if err != nil {
			return err
		}
		before := o.State
		if err := fn(&o); err != nil {
			return err
		}
		if err := tx.PutOrder(o); err != nil {
			return err
		}
		entry = store.AuditEntry{At: e.now(), Who: actor.Name, Role: actor.Role.String(), Action: action,
			OrderID: id, Before: string(before), After: string(o.State), Detail: detail}
		return tx.AddAudit(entry)
	})
	if err == nil {
		e.emit(Event{Kind: EventOperator, Audit: entry})
		e.nudge()
	}
	return err
}

// Retry sends a failed or dead push again with the same key. It is refused
// while the push is in flight.
func (e *Engine) Retry(ctx context.Context, actor store.Actor, id string) error {
	if err := allow(actor, store.RoleOperator, "retry"); err != nil {
		return err
	}
	return e.command(ctx, actor, "retry", id, "", func(o *store.Order) error {
		if err := policy.Retry(o); err != nil {
			return err
		}
		policy.ApplyRetry(o, e.now())
		return nil
	})
}

// forMatching walks the orders a filter selects through the indexes (the
// failed index for failed/dead, the state queues otherwise), never a scan
// of all orders, calling fn for each.
func (e *Engine) forMatching(ctx context.Context, f store.Filter, fn func(store.Order) error) error {
	const page = 500
	for _, st := range f.StatesOrDefault() {
		var after store.Order
		for {
			orders, err := e.st.QueueAfter(ctx, st, after, page)
			if err != nil {
				return err
			}
			for _, o := range orders {
				if f.Matches(&o) {
					if err := fn(o); err != nil {
						return err
					}
				}
			}
			if len(orders) < page {
				break
			}
			after = orders[len(orders)-1]
		}
	}
	return nil
}

// CountMatching counts the orders a bulk command would touch.
func (e *Engine) CountMatching(ctx context.Context, f store.Filter) (int, error) {
	n := 0
	err := e.forMatching(ctx, f, func(store.Order) error { n++; return nil })
	return n, err
}

// RetryMatching retries every order the filter selects, over the real
// totals in the store, a batch per transaction, each with its audit entry.
func (e *Engine) RetryMatching(ctx context.Context, actor store.Actor, f store.Filter) (int, error) {
	if err := allow(actor, store.RoleOperator, "retry all"); err != nil {
		return 0, err
	}
	var ids []string
	if err := e.forMatching(ctx, f, func(o store.Order) error { ids = append(ids, o.ID); return nil }); err != nil {
		return 0, err
	}
	done := 0
	detail := f.String()
	for len(ids) > 0 {
		n := min(200, len(ids))
		batch := ids[:n]
		ids = ids[n:]
		moved := 0
		err := e.st.Update(ctx, func(tx *store.Tx) error {
			moved = 0
			for _, id := range batch {
				o, err := tx.Order(id)
				if err != nil || !f.Matches(&o) || policy.Retry(&o) != nil {
					continue
				}
				before := o.State
				policy.ApplyRetry(&o, e.now())
				if err := tx.PutOrder(o); err != nil {
					return err
				}
				if err := tx.AddAudit(store.AuditEntry{At: e.now(), Who: actor.Name, Role: actor.Role.String(), Action: "retry",
					OrderID: id, Before: string(before), After: string(o.State), Detail: "bulk: " + detail}); err != nil {
					return err
				}
				moved++
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("retry all (%s): %w", detail, err)
		}
		done += moved
	}
	e.emit(Event{Kind: EventOperator, Audit: store.AuditEntry{At: e.now(), Who: actor.Name, Role: actor.Role.String(), Action: "retry",
		Detail: fmt.Sprintf("bulk: %s (%d orders)", detail, done)}})
	e.nudge()
	return done, nil
}

// Reroute sends an order to another carrier with a new route generation
// and key. Wherever the current push may have reached its 3PL (accepted,
// in doubt, or tried), that 3PL is checked and the order cancelled there
// first; the re-route is refused when that cannot be done. An order
// already written back to TikTok is corrected through update-shipping-info,
// only inside its 72-hour window.
func (e *Engine) Reroute(ctx context.Context, actor store.Actor, id, to string) error {
	if err := allow(actor, store.RoleOperator, "re-route"); err != nil {
		return err
	}
	slot := e.carriers[to]
	if slot == nil {
		return policy.Refuse(policy.ActionReroute, id, fmt.Sprintf("no carrier named %q (have %s)", to, strings.Join(e.names, ", ")))
	}
	o, err := e.st.Order(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("re-route order %s: no such order", id)
	}
	if err != nil {
		return fmt.Errorf("re-route order %s: %w", id, err)
	}
	if err := policy.RerouteTo(&o, to, e.now()); err != nil {
		return err
	}
	cancelled, err := e.cancelOld(ctx, &o, to)
	if err != nil {
		return err
	}
	return e.command(ctx, actor, "reroute", id, "to "+to+cancelled, func(cur *store.Order) error {
		if cur.Version != o.Version {
			return policy.Refuse(policy.ActionReroute, id, "it changed while "+o.Carrier()+" was checked; try again")
		}
		e.routeTo(cur, to, "operator", "re-routed by "+actor.Name)
		cur.WriteBackAttempts, cur.HeldFrom = 0, ""
		return nil
	})
}

// commandRetryAfter is the longest server-given delay an operator command
// waits out on a 3PL call (a rate limit's Retry-After, RFC 9110 §10.2.3);
// commandTries bounds the tries. A longer delay is refused at once with
// the wait, rather than holding the operator's command.
const (
	commandRetryAfter = 5 * time.Second
	commandTries      = 3
)

// waitOutRateLimit runs call, and again after the 3PL's Retry-After when
// it is rate limited for at most commandRetryAfter. A longer wait is a
// refusal of the action on order id that says how long.
func waitOutRateLimit(ctx context.Context, action, id, carrierName string, call func() error) error {
	for try := 1; ; try++ {
		err := call()
		wait := carrier.RetryAfterOf(err)
		if err == nil || carrier.ClassOf(err) != carrier.Retryable || wait <= 0 || try == commandTries {
			return err
		}
		if wait > commandRetryAfter {
			return refuse(action, id, fmt.Sprintf("%s is rate limiting us for %s; try again then", carrierName, wait))
		}
		if !sleep(ctx, wait) {
			return errors.Join(err, ctx.Err())
		}
	}
}

// cancelOld checks the order's current 3PL when the push may have reached
// it, and cancels every live copy there. It returns a note for the audit
// entry, or a refusal when the old 3PL cannot be checked or cancelled.
func (e *Engine) cancelOld(ctx context.Context, o *store.Order, to string) (string, error) {
	if !mayBeAtCarrier(o) {
		return "", nil
	}
	old := e.carriers[o.Push.Carrier]
	if old == nil {
		return "", policy.Refuse(policy.ActionReroute, o.ID, "the old carrier "+o.Push.Carrier+" is not configured, so it cannot be checked; resolve it instead")
	}
	caps := old.Capabilities()
	var live []string
	if o.Push.ExternalID != "" {
		live = append(live, o.Push.ExternalID)
	}
	if caps.Lookup {
		var remotes []carrier.Remote
		err := waitOutRateLimit(ctx, "re-route", o.ID, old.Name(), func() error {
			var err error
			remotes, err = old.Lookup(ctx, o.ID)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("re-route order %s: look it up at %s first: %w", o.ID, old.Name(), err)
		}
		for _, r := range remotes {
			if r.Status != carrier.StatusCancelled && !slices.Contains(live, r.ID) {
				live = append(live, r.ID)
			}
		}
	} else if o.Push.ExternalID == "" && inDoubt(o) {
		return "", policy.Refuse(policy.ActionReroute, o.ID, old.Name()+" cannot look orders up and the push may have landed: check there, then resolve or retry")
	}
	if len(live) == 0 {
		return "", nil
	}
	if !caps.Cancel {
		if old.Name() == to {
			return "", policy.Refuse(policy.ActionReroute, o.ID, old.Name()+" already holds it and cannot cancel: use retry, which keeps the key")
		}
		return "", policy.Refuse(policy.ActionReroute, o.ID, old.Name()+" cannot cancel orders: cancel it there by hand, then resolve this one")
	}
	now := e.now()
	var atts []store.Attempt
	defer func() {
		// Record what was cancelled even if the re-route is then refused.
		if len(atts) > 0 {
			if err := e.st.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				for _, a := range atts {
					if err := tx.AddAttempt(a); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				e.log.Warn("record cancel attempts", "order", o.ID, "err", err)
			}
		}
	}()
	for _, extID := range live {
		start := time.Now()
		err := waitOutRateLimit(ctx, "re-route", o.ID, old.Name(), func() error { return old.Cancel(ctx, extID) })
		att := store.Attempt{OrderID: o.ID, At: now, Kind: store.AttemptCancel, Carrier: old.Name(),
			Generation: o.Push.Generation, Latency: time.Since(start), Outcome: store.OutcomeSuccess}
		if err != nil {
			att.Outcome, att.Error = store.OutcomePermanent, err.Error()
		}
		atts = append(atts, att)
		if err != nil {
			if carrier.ClassOf(err) == carrier.TooLate {
				return "", policy.Refuse(policy.ActionReroute, o.ID, old.Name()+" has already shipped it")
			}
			return "", fmt.Errorf("re-route order %s: cancel at %s first: %w", o.ID, old.Name(), err)
		}
	}
	return " (cancelled at " + old.Name() + ")", nil
}

// Hold parks an order until an operator releases it.
func (e *Engine) Hold(ctx context.Context, actor store.Actor, id string) error {
	if err := allow(actor, store.RoleOperator, "hold"); err != nil {
		return err
	}
	return e.command(ctx, actor, "hold", id, "", func(o *store.Order) error {
		if err := policy.Hold(o); err != nil {
			return err
		}
		policy.ApplyHold(o, actor.Name)
		return nil
	})
}

// Release returns a held order to the state it was held in; one held
// before it was routed goes where the push rules put it now.
func (e *Engine) Release(ctx context.Context, actor store.Actor, id string) error {
	if err := allow(actor, store.RoleOperator, "release"); err != nil {
		return err
	}
	return e.command(ctx, actor, "release", id, "", func(o *store.Order) error {
		if err := policy.Release(o); err != nil {
			return err
		}
		e.rules.ApplyRelease(o, e.now())
		return nil
	})
}

// Resolve marks an order handled outside shipdeck, with a reason.
func (e *Engine) Resolve(ctx context.Context, actor store.Actor, id, reason string) error {
	if err := allow(actor, store.RoleOperator, "resolve"); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return policy.ResolveWith(&store.Order{ID: id}, reason)
	}
	return e.command(ctx, actor, "resolve", id, reason, func(o *store.Order) error {
		if err := policy.ResolveWith(o, reason); err != nil {
			return err
		}
		policy.ApplyResolve(o, actor.Name, reason)
		return nil
	})
}

// SetPaused pauses or resumes the worker (polling, pushing, tracking).
// In-flight calls finish; nothing new starts while paused. The setting is
// stored, so a paused worker stays paused across restarts.
func (e *Engine) SetPaused(ctx context.Context, actor store.Actor, paused bool) error {
	if err := allow(actor, store.RoleOperator, "pause"); err != nil {
		return err
	}
	action := "resume"
	if paused {
		action = "pause"
	}
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetWorkerControl(store.WorkerControl{Paused: paused, By: actor.Name, At: e.now()}); err != nil {
			return err
		}
		return tx.AddAudit(store.AuditEntry{At: e.now(), Who: actor.Name, Role: actor.Role.String(), Action: action})
	})
	if err != nil {
		return fmt.Errorf("%s worker: %w", action, err)
	}
	e.emit(Event{Kind: EventOperator, Audit: store.AuditEntry{At: e.now(), Who: actor.Name, Role: actor.Role.String(), Action: action}})
	e.mu.Lock()
	e.paused = paused
	e.mu.Unlock()
	e.setWorker(func(w *store.WorkerStatus) {
		if paused {
			w.State, w.Reason = store.WorkerPaused, "paused by "+actor.Name
		} else {
			w.State, w.Reason = store.WorkerSleeping, ""
		}
	})
	e.nudge()
	return nil
}

// DryRun explains which rule each of the last n orders (by ship-by
// deadline, across the pre-push queues) would hit, changing nothing.
func (e *Engine) DryRun(ctx context.Context, n int) ([]RouteDecision, error) {
	var out []RouteDecision
	now := e.now()
	for _, st := range []store.State{store.StateReady, store.StateQueued, store.StateNew, store.StateFailed, store.StateDead, store.StatePushed} {
		if len(out) >= n {
			break
		}
		orders, err := e.st.Queue(ctx, st, 0, n-len(out))
		if err != nil {
			return nil, err
		}
		for _, o := range orders {
			d := e.router.Route(o, now, nil)
			out = append(out, RouteDecision{Order: o.ID, State: o.State, Routed: d.OK, Carrier: d.Carrier, Rule: d.Rule,
				Reason: d.Reason, Text: fmt.Sprintf("[%s] %s", o.State, e.router.Explain(o, now))})
		}
	}
	return out, nil
}

// RouteDecision is what routing would do with one order now, for
// `route --dry-run` (its JSON form is the struct; its line is Text).
type RouteDecision struct {
	Order  string      `json:"order"`
	State  store.State `json:"state"`
	Routed bool        `json:"routed"`
	// Carrier and Rule are the carrier chosen and the rule that chose it;
	// Reason says why earlier candidates were skipped, or why none fits.
	Carrier string `json:"carrier,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Text    string `json:"text"`
}
