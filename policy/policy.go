// Package policy is the one home of shipdeck's order rules: whether TikTok
// lets an order be pushed to a 3PL now (and if not, why and until when),
// and whether an operator may retry, re-route, hold, release or resolve it,
// with the reason an operator sees when not. The engine, the console's
// disabled keys and, through the engine, the CLI and SSH commands all ask
// it, so what the console offers is what the engine does. It imports only
// store, so the console may use it without the engine.
package policy

import (
	"errors"
	"fmt"
)

// Action names an operator command the rules decide on, as refusals spell
// it.
type Action string

// Operator actions.
const (
	ActionRetry   Action = "retry"
	ActionReroute Action = "re-route"
	ActionHold    Action = "hold"
	ActionRelease Action = "release"
	ActionResolve Action = "resolve"
)

// ErrRefused is what every Refusal matches with errors.Is: the command does
// not apply to the order in its current state (CLI exit code 4).
var ErrRefused = errors.New("refused")

// Refusal says why an action does not apply to an order. Reason is phrased
// for an operator and is what the console shows beside a disabled key.
type Refusal struct {
	Action  Action
	OrderID string
	Reason  string
}

// Error reads "retry order 576…: refused: it is shipped, not failed or dead".
func (r *Refusal) Error() string {
	return fmt.Sprintf("%s order %s: %v: %s", r.Action, r.OrderID, ErrRefused, r.Reason)
}

// Unwrap makes every refusal match ErrRefused.
func (r *Refusal) Unwrap() error { return ErrRefused }

// Refuse builds a refusal of action on order id, for the checks only the
// engine can make (a carrier's capabilities, an order that changed
// meanwhile).
func Refuse(action Action, id, why string) error {
	return &Refusal{Action: action, OrderID: id, Reason: why}
}

// Reason is the operator's reason inside err when it is a refusal, else
// err's text, and "" for nil.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	if r, ok := errors.AsType[*Refusal](err); ok {
		return r.Reason
	}
	return err.Error()
}
