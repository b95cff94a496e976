package carrier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Push creates or updates the order with POST /orders/createorder. The
// orderKey is the idempotency key, so a resend updates the same order.
func (s *ShipStation) Push(ctx context.Context, sh Shipment) (PushResult, error) {
	if err := validateShipment(s.name, sh); err != nil {
		return PushResult{}, err
	}
	body, err := json.Marshal(newSSCreateOrder(sh, s.now(), s.pacific, s.storeID))
	if err != nil {
		return PushResult{}, &Error{Carrier: s.name, Op: "push", Class: Permanent, Reason: "could not encode the order", Err: err}
	}
	rep, err := s.call(ctx, "push", http.MethodPost, "/orders/createorder", body, Unknown)
	if err != nil {
		return PushResult{}, err
	}
	return s.pushReply(rep, sh.IdempotencyKey)
}

// pushReply reads a createorder reply. It makes no calls, so it can be
// fuzzed.
func (s *ShipStation) pushReply(rep reply, key string) (PushResult, error) {
	if !is2xx(rep.status) {
		return PushResult{}, s.errorReply("push", rep)
	}
	unknown := func(reason string, err error) (PushResult, error) {
		return PushResult{}, &Error{Carrier: s.name, Op: "push", Class: Unknown, HTTPStatus: rep.status,
			Reason: fmt.Sprintf("ShipStation accepted the order (HTTP %d) but %s", rep.status, s.http.scrub.clean(reason)),
			Err:    s.http.scrub.wrap(err)}
	}
	if rep.bodyErr != nil {
		return unknown("its reply is unreadable: "+rep.bodyErr.Error(), rep.bodyErr)
	}
	var o ssOrder
	if err := decodeJSON(rep.body, &o); err != nil {
		return unknown("its reply is unreadable: "+err.Error(), err)
	}
	id := strings.TrimSpace(string(o.OrderID))
	if id == "" || id == "0" {
		return unknown("its reply has no orderId", nil)
	}
	if k := string(o.OrderKey); k != "" && k != key {
		return unknown(fmt.Sprintf("the reply names another orderKey (%q)", truncate(k, 80)), nil)
	}
	return PushResult{ID: id}, nil
}
