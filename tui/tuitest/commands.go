package tuitest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// command runs one operator change on one order as the real engine does,
// under the lock instead of in a transaction: the role check, then change,
// which says why the order's state refuses it or else changes the copy it
// is given, then the stored order, its audit entry and a snapshot. Calls
// are counted by method name ("re-route" is Reroute).
func (e *Engine) command(actor store.Actor, verb, id, detail string, change func(o *store.Order) (refusal string)) error {
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
	if why := change(&next); why != "" {
		return refuse(verb, id, why)
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

// retryable says why a retry does not apply to o, or "".
func retryable(o *store.Order) string {
	switch o.State {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return ""
	case store.StatePushing:
		return "it is in flight to " + o.Carrier()
	}
	return "it is " + string(o.State) + ", not failed or dead"
}

// busy says why hold, resolve and re-route do not apply to o: it is in
// flight, shipped or cancelled.
func busy(o *store.Order) string {
	switch o.State {
	case store.StatePushing:
		return "it is in flight to " + o.Carrier()
	case store.StateShipped, store.StateCancelled:
		return "it is " + string(o.State)
	}
	return ""
}

func retryOrder(o *store.Order) {
	if o.Push == nil {
		o.State = store.StateReady
	} else {
		o.State = store.StateQueued
	}
	o.Attempts, o.Reason, o.NextAttemptAt = 0, "", time.Time{}
}

// Retry implements the console's engine interface: a failed, dead or
// unknown order goes back to queued.
func (e *Engine) Retry(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "retry", id, "", func(o *store.Order) string {
		if why := retryable(o); why != "" {
			return why
		}
		retryOrder(o)
		return ""
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
	todo := e.sorted(func(o *store.Order) bool { return f.Matches(o) && retryable(o) == "" })
	for _, o := range todo {
		before := o.State
		retryOrder(o)
		e.put(actor, "retry", o, before, "bulk")
	}
	e.publishLocked()
	return len(todo), nil
}

// Reroute implements the console's engine interface: the order moves to
// the carrier with a new route generation and is queued.
func (e *Engine) Reroute(ctx context.Context, actor store.Actor, id, to string) error {
	return e.command(actor, "re-route", id, "to "+to, func(o *store.Order) string {
		if !slices.Contains(e.carriersLocked(), to) {
			return fmt.Sprintf("no carrier named %q", to)
		}
		if why := busy(o); why != "" {
			return why
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
		return ""
	})
}

// Hold implements the console's engine interface.
func (e *Engine) Hold(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "hold", id, "", func(o *store.Order) string {
		if o.State == store.StateHeld {
			return "it is already held"
		}
		if why := busy(o); why != "" {
			return why
		}
		o.HeldFrom, o.State, o.Reason = o.State, store.StateHeld, "held by "+actor.Name
		return ""
	})
}

// Release implements the console's engine interface: a held order returns
// to the state it was held in.
func (e *Engine) Release(ctx context.Context, actor store.Actor, id string) error {
	return e.command(actor, "release", id, "", func(o *store.Order) string {
		if o.State != store.StateHeld {
			return "it is not held"
		}
		back := o.HeldFrom
		if back == "" || back == store.StatePushing {
			back = store.StateReady
		}
		o.State, o.HeldFrom, o.Reason = back, "", ""
		return ""
	})
}

// Resolve implements the console's engine interface: the order is marked
// shipped outside shipdeck.
func (e *Engine) Resolve(ctx context.Context, actor store.Actor, id, reason string) error {
	reason = strings.TrimSpace(reason)
	return e.command(actor, "resolve", id, reason, func(o *store.Order) string {
		if reason == "" {
			return "a reason is required"
		}
		if why := busy(o); why != "" {
			return why
		}
		o.State, o.NextAttemptAt, o.HeldFrom = store.StateShipped, time.Time{}, ""
		o.Reason = "resolved outside shipdeck by " + actor.Name + ": " + reason
		return ""
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
