package tuitest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
)

// command runs one operator change on one order as the real engine does,
// under the lock instead of in a transaction: the role check, then change,
// which returns the rules' refusal or else changes the copy it is given,
// then the stored order, its audit entry and a snapshot. Calls are counted
// by method name ("re-route" is Reroute).
func (e *Engine) command(actor store.Actor, verb, id, detail string, change func(o *store.Order) error) error {
	if err := allow(actor, store.RoleOperator, verb); err != nil {
		return err
	}
	action := strings.ReplaceAll(verb, "-", "")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[strings.ToUpper(action[:1])+action[1:]]++
	o, ok := e.orders[id]
	if !ok {
		return fmt.Errorf("%s order %s: no such order", verb, id)
	}
	next := o.Clone()
	if err := change(&next); err != nil {
		return err
	}
	e.put(actor, action, &next, o.State, detail)
	e.publishLocked()
	return nil
}

// put stores a changed order, a version up, with its audit entry.
func (e *Engine) put(actor store.Actor, action string, o *store.Order, before store.State, detail string) {
	o.Version++
	o.ChangedAt = e.now()
	e.orders[o.ID] = o
	e.appendAudit(actor, action, o.ID, string(before), string(o.State), detail)
}

func (e *Engine) appendAudit(actor store.Actor, action, id, before, after, detail string) {
	e.auditSeq++
	e.audit = append(e.audit, store.AuditEntry{Seq: e.auditSeq, At: e.now(), Who: actor.Name, Role: actor.Role.String(),
		Action: action, OrderID: id, Before: before, After: after, Detail: detail})
	e.addActivityLocked(store.Activity{At: e.now(), Kind: store.ActivityOperator, Who: actor.Name, OrderID: id,
		Text: action + ": " + before + " → " + after})
}

// Retry implements the console's engine interface: a failed, dead or
// unknown order goes back to queued.
func (e *Engine) Retry(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "retry", id, "", func(o *store.Order) error {
		if err := policy.Retry(o); err != nil {
			return err
		}
		policy.ApplyRetry(o, e.now())
		return nil
	})
}

// CountMatching implements the console's engine interface.
func (e *Engine) CountMatching(ctx context.Context, f store.Filter) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["CountMatching"]++
	n := 0
	for _, o := range e.orders {
		if f.Matches(o) {
			n++
		}
	}
	return n, nil
}

// RetryMatching implements the console's engine interface.
func (e *Engine) RetryMatching(ctx context.Context, actor store.Actor, f store.Filter) (int, error) {
	if err := allow(actor, store.RoleOperator, "retry"); err != nil {
		return 0, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["RetryMatching"]++
	todo := e.sorted(func(o *store.Order) bool { return f.Matches(o) && policy.Retry(o) == nil })
	for _, o := range todo {
		before := o.State
		policy.ApplyRetry(o, e.now())
		e.put(actor, "retry", o, before, "bulk")
	}
	e.publishLocked()
	return len(todo), nil
}

// Reroute implements the console's engine interface: the order moves to
// the carrier with a new route generation and is queued.
func (e *Engine) Reroute(ctx context.Context, actor store.Actor, id, to string) error {
	return e.command(actor, "re-route", id, "to "+to, func(o *store.Order) error {
		if !slices.Contains(e.carriersLocked(), to) {
			return refuse("re-route", id, fmt.Sprintf("no carrier named %q", to))
		}
		if err := policy.RerouteTo(o, to, e.now()); err != nil {
			return err
		}
		gen := 1
		var prev []string
		if o.Push != nil {
			gen = o.Push.Generation + 1
			prev = append(o.Push.PreviousCarriers, o.Push.Carrier)
		}
		o.Push = &store.Push{Carrier: to, Generation: gen, IdempotencyKey: fmt.Sprintf("%s-%s-%d", id, to, gen),
			RouteRule: "operator", PreviousCarriers: prev}
		o.State, o.Reason, o.ErrorClass, o.Attempts, o.NextAttemptAt, o.HeldFrom = store.StateQueued, "", "", 0, time.Time{}, ""
		return nil
	})
}

// Hold implements the console's engine interface.
func (e *Engine) Hold(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "hold", id, "", func(o *store.Order) error {
		if err := policy.Hold(o); err != nil {
			return err
		}
		policy.ApplyHold(o, actor.Name)
		return nil
	})
}

// Release implements the console's engine interface: a held order returns
// to the state it was held in, or where the push rules put it now.
func (e *Engine) Release(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "release", id, "", func(o *store.Order) error {
		if err := policy.Release(o); err != nil {
			return err
		}
		policy.Rules{}.ApplyRelease(o, e.now())
		return nil
	})
}

// Resolve implements the console's engine interface: the order is marked
// shipped outside shipdeck.
func (e *Engine) Resolve(ctx context.Context, actor store.Actor, id, reason string) error {
	return e.command(actor, "resolve", id, strings.TrimSpace(reason), func(o *store.Order) error {
		if err := policy.ResolveWith(o, reason); err != nil {
			return err
		}
		policy.ApplyResolve(o, actor.Name, reason)
		return nil
	})
}

// SetPaused implements the console's engine interface.
func (e *Engine) SetPaused(ctx context.Context, actor store.Actor, paused bool) error {
	if err := allow(actor, store.RoleOperator, "pause"); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["SetPaused"]++
	action := "resume"
	if paused {
		action = "pause"
		e.worker = store.WorkerStatus{State: store.WorkerPaused, Reason: "paused by " + actor.Name}
	} else {
		e.worker = store.WorkerStatus{State: store.WorkerSleeping, NextPoll: e.now().Add(time.Minute)}
	}
	e.appendAudit(actor, action, "", "", "", "")
	e.publishLocked()
	return nil
}
