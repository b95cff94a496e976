package carrier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Contract error codes with a meaning beyond their HTTP status.
const (
	codeIdempotencyMismatch = "idempotency_mismatch"
	codeDuplicateExternalID = "duplicate_external_id"
	codeAlreadyShipped      = "already_shipped"
)

// Push creates the order with POST /v1/orders and an Idempotency-Key. A
// 422 duplicate_external_id is resolved by a lookup: the one live order
// with that external id is adopted.
func (r *REST) Push(ctx context.Context, s Shipment) (PushResult, error) {
	if err := validateShipment(r.name, s); err != nil {
		return PushResult{}, err
	}
	body, err := json.Marshal(restOrderRequest(s))
	if err != nil {
		return PushResult{}, &Error{Carrier: r.name, Op: "push", Class: Permanent, Reason: "could not encode the order", Err: err}
	}
	h := r.headers()
	h.Set("Idempotency-Key", s.IdempotencyKey)
	// A push is not waited out on a 429: the engine schedules it after the
	// server's delay and the carrier's slot goes to other orders meanwhile.
	rep, err := r.http.do(ctx, "push", http.MethodPost, r.base+"/v1/orders", h, body, Unknown)
	if err != nil {
		return PushResult{}, err
	}
	v := r.judgePush(rep)
	if v.duplicate == nil {
		return v.result, v.err
	}
	return r.adopt(ctx, s, v.duplicate)
}

// pushVerdict is what a push reply means before any follow-up call.
type pushVerdict struct {
	result PushResult
	err    error
	// duplicate is set for 422 duplicate_external_id: look the order up
	// and adopt it.
	duplicate *Error
}

// judgePush reads a push reply. It makes no calls, so it can be fuzzed.
func (r *REST) judgePush(rep reply) pushVerdict {
	switch {
	case rep.status == http.StatusCreated || rep.status == http.StatusOK:
		id, err := r.acceptedID(rep)
		if err != nil {
			return pushVerdict{err: &Error{Carrier: r.name, Op: "push", Class: Unknown, HTTPStatus: rep.status,
				Reason: fmt.Sprintf("the 3PL accepted the order (HTTP %d) but its reply is unreadable: %s", rep.status, r.http.scrub.clean(err.Error())),
				Err:    r.http.scrub.wrap(err)}}
		}
		return pushVerdict{result: PushResult{ID: id, Replay: rep.status == http.StatusOK}}
	case is2xx(rep.status):
		return pushVerdict{err: &Error{Carrier: r.name, Op: "push", Class: Unknown, HTTPStatus: rep.status,
			Reason: fmt.Sprintf("unexpected HTTP %d to a push; the order may exist", rep.status)}}
	}
	code, message, _ := parseRESTError(rep.body)
	switch {
	case rep.status == http.StatusConflict && code == codeIdempotencyMismatch:
		return pushVerdict{err: &Error{Carrier: r.name, Op: "push", Class: Permanent, HTTPStatus: rep.status, Code: code,
			Reason: "the idempotency key was already used for a different order body: " + r.http.describe(rep, message)}}
	case rep.status == http.StatusUnprocessableEntity && code == codeDuplicateExternalID:
		return pushVerdict{duplicate: &Error{Carrier: r.name, Op: "push", Class: Permanent, HTTPStatus: rep.status, Code: code,
			Reason: r.http.describe(rep, message)}}
	}
	return pushVerdict{err: r.http.statusError("push", rep, r.now(), code, message)}
}

// acceptedID reads the 3PL's order id from a 200 or 201 reply.
func (r *REST) acceptedID(rep reply) (string, error) {
	if rep.bodyErr != nil {
		return "", rep.bodyErr
	}
	return parseRESTAccepted(rep.body)
}

// adopt resolves a duplicate external id: exactly one live (not cancelled)
// order with that id is taken as this push's; none or several need an
// operator.
func (r *REST) adopt(ctx context.Context, s Shipment, dup *Error) (PushResult, error) {
	remotes, err := r.Lookup(ctx, s.ExternalID)
	if err != nil {
		return PushResult{}, &Error{Carrier: r.name, Op: "push", Class: ClassOf(err), HTTPStatus: dup.HTTPStatus, Code: dup.Code,
			Reason:     "the 3PL already holds this external id and looking it up failed: " + reasonOf(err),
			RetryAfter: RetryAfterOf(err), Err: err}
	}
	var live []Remote
	cancelled := 0
	for _, rm := range remotes {
		if rm.Status == StatusCancelled {
			cancelled++
			continue
		}
		live = append(live, rm)
	}
	if len(live) == 1 {
		return PushResult{ID: live[0].ID, Adopted: true}, nil
	}
	e := &Error{Carrier: r.name, Op: "push", Class: Permanent, HTTPStatus: dup.HTTPStatus, Code: dup.Code}
	switch {
	case len(live) > 1:
		ids := make([]string, len(live))
		for i, rm := range live {
			ids[i] = rm.ID
		}
		e.Reason = fmt.Sprintf("the 3PL holds %d live orders with external id %s (%s); choose one by hand",
			len(live), s.ExternalID, strings.Join(ids, ", "))
	case cancelled > 0:
		e.Reason = fmt.Sprintf("the 3PL holds external id %s only on %d cancelled order(s) and refuses a new one", s.ExternalID, cancelled)
	default:
		e.Reason = fmt.Sprintf("the 3PL reports a duplicate external id %s but its lookup finds no such order", s.ExternalID)
	}
	return PushResult{}, e
}

// reasonOf is the operator text of err.
func reasonOf(err error) string {
	var ce *Error
	if errors.As(err, &ce) && ce.Reason != "" {
		return ce.Reason
	}
	return err.Error()
}
