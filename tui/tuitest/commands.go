package tuitest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// command runs one change on one order and appends its audit entry, under
// the lock, then publishes a snapshot.
func (e *Engine) command(actor store.Actor, action, id, detail string, fn func(o *store.Order) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[methodName(action)]++
	o, ok := e.orders[id]
	if !ok {
		return fmt.Errorf("%s order %s: no such order", action, id)
	}
	next := o.Clone()
	before := next.State
	if err := fn(&next); err != nil {
		return err
	}
	next.Version++
	next.ChangedAt = e.now()
	e.orders[id] = &next
	e.appendAudit(actor, action, id, string(before), string(next.State), detail)
	e.publishLocked()
	return nil
}

func (e *Engine) appendAudit(actor store.Actor, action, id, before, after, detail string) {
	e.auditSeq++
	e.audit = append(e.audit, store.AuditEntry{Seq: e.auditSeq, At: e.now(), Who: actor.Name, Role: actor.Role.String(),
		Action: action, OrderID: id, Before: before, After: after, Detail: detail})
}

func methodName(action string) string {
	switch action {
	case "reroute":
		return "Reroute"
	case "retry":
		return "Retry"
	}
	return strings.ToUpper(action[:1]) + action[1:]
}

func retryable(o *store.Order) string {
	switch o.State {
	case store.StateFailed, store.StateDead, store.StateUnknown:
		return ""
	case store.StatePushing:
		return "it is in flight to " + o.Carrier()
	}
	return "it is " + string(o.State) + ", not failed or dead"
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
	if err := allow(actor, store.RoleOperator, "retry"); err != nil {
		return err
	}
	return e.command(actor, "retry", id, "", func(o *store.Order) error {
		if why := retryable(o); why != "" {
			return refuse("retry", id, why)
		}
		retryOrder(o)
		return nil
	})
}

func matches(o *store.Order, f store.Filter) bool {
	states := f.States
	if len(states) == 0 {
		states = []store.State{store.StateFailed, store.StateDead}
	}
	return slices.Contains(states, o.State) &&
		(f.Carrier == "" || o.Carrier() == f.Carrier) &&
		(f.ErrorClass == "" || o.ErrorClass == f.ErrorClass)
}

// CountMatching implements the console's engine interface.
func (e *Engine) CountMatching(ctx context.Context, f store.Filter) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["CountMatching"]++
	n := 0
	for _, o := range e.orders {
		if matches(o, f) {
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
	n := 0
	for _, o := range e.sorted(func(o *store.Order) bool { return matches(o, f) && retryable(o) == "" }) {
		before := o.State
		retryOrder(o)
		o.Version++
		e.appendAudit(actor, "retry", o.ID, string(before), string(o.State), "bulk")
		n++
	}
	e.publishLocked()
	return n, nil
}

// Reroute implements the console's engine interface: the order moves to
// the carrier with a new route generation and is queued.
func (e *Engine) Reroute(ctx context.Context, actor store.Actor, id, to string) error {
	if err := allow(actor, store.RoleOperator, "re-route"); err != nil {
		return err
	}
	if !slices.Contains(e.Carriers(), to) {
		return refuse("re-route", id, fmt.Sprintf("no carrier named %q", to))
	}
	return e.command(actor, "reroute", id, "to "+to, func(o *store.Order) error {
		switch o.State {
		case store.StatePushing:
			return refuse("re-route", id, "it is in flight to "+o.Carrier())
		case store.StateCancelled, store.StateShipped:
			return refuse("re-route", id, "it is "+string(o.State))
		}
		gen := 1
		var prev []string
		if o.Push != nil {
			gen = o.Push.Generation + 1
			prev = append(prev, o.Push.PreviousCarriers...)
			prev = append(prev, o.Push.Carrier)
		}
		o.Push = &store.Push{Carrier: to, Generation: gen, IdempotencyKey: fmt.Sprintf("%s-%s-%d", id, to, gen),
			RouteRule: "operator", PreviousCarriers: prev}
		o.State, o.Reason, o.ErrorClass, o.Attempts, o.NextAttemptAt, o.HeldFrom = store.StateQueued, "", "", 0, time.Time{}, ""
		return nil
	})
}

// Hold implements the console's engine interface.
func (e *Engine) Hold(ctx context.Context, actor store.Actor, id string) error {
	if err := allow(actor, store.RoleOperator, "hold"); err != nil {
		return err
	}
	return e.command(actor, "hold", id, "", func(o *store.Order) error {
		switch o.State {
		case store.StatePushing:
			return refuse("hold", id, "it is in flight")
		case store.StateHeld:
			return refuse("hold", id, "it is already held")
		case store.StateShipped, store.StateCancelled:
			return refuse("hold", id, "it is "+string(o.State))
		}
		o.HeldFrom, o.State, o.Reason = o.State, store.StateHeld, "held by "+actor.Name
		return nil
	})
}

// Release implements the console's engine interface.
func (e *Engine) Release(ctx context.Context, actor store.Actor, id string) error {
	if err := allow(actor, store.RoleOperator, "release"); err != nil {
		return err
	}
	return e.command(actor, "release", id, "", func(o *store.Order) error {
		if o.State != store.StateHeld {
			return refuse("release", id, "it is not held")
		}
		back := o.HeldFrom
		if back == "" || back == store.StatePushing {
			back = store.StateReady
		}
		o.State, o.HeldFrom, o.Reason = back, "", ""
		return nil
	})
}

// Resolve implements the console's engine interface: the order is marked
// shipped outside shipdeck.
func (e *Engine) Resolve(ctx context.Context, actor store.Actor, id, reason string) error {
	if err := allow(actor, store.RoleOperator, "resolve"); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return refuse("resolve", id, "a reason is required")
	}
	return e.command(actor, "resolve", id, reason, func(o *store.Order) error {
		switch o.State {
		case store.StatePushing:
			return refuse("resolve", id, "it is in flight")
		case store.StateShipped, store.StateCancelled:
			return refuse("resolve", id, "it is already "+string(o.State))
		}
		o.State, o.NextAttemptAt, o.HeldFrom = store.StateShipped, time.Time{}, ""
		o.Reason = "resolved outside shipdeck by " + actor.Name + ": " + reason
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
