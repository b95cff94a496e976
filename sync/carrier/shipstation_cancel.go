package carrier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Cancel cancels an order the way ShipStation v1 documents it: there is
// no cancel call, but createorder is an upsert by orderKey that only
// updates orders still open (awaiting_payment, awaiting_shipment,
// on_hold) and takes no partial updates, so the order is read whole and
// posted back with orderStatus "cancelled" (v1 "Create/Update Order"; see
// reference/marketplace-and-3pl-apis.md §5). Fields shipdeck does not know
// are sent back as ShipStation gave them. A shipped order is TooLate;
// cancelling twice is harmless, so a cancel that got no reply is Retryable.
func (s *ShipStation) Cancel(ctx context.Context, id string) error {
	if err := validateID(s.name, "cancel", id); err != nil {
		return err
	}
	rep, err := s.call(ctx, "cancel", http.MethodGet, "/orders/"+url.PathEscape(id), nil, Retryable)
	if err != nil {
		return err
	}
	body, err := s.cancelBody(id, rep)
	if err != nil || body == nil {
		return err
	}
	rep, err = s.call(ctx, "cancel", http.MethodPost, "/orders/createorder", body, Retryable)
	if err != nil {
		return err
	}
	return s.cancelReply(rep)
}

// cancelBody reads the order and returns it with orderStatus "cancelled",
// or nil when it is cancelled already. It makes no calls, so it can be
// fuzzed.
func (s *ShipStation) cancelBody(id string, rep reply) ([]byte, error) {
	type parsed struct {
		order Remote
		raw   map[string]json.RawMessage
		state string
	}
	p, err := readReply(s.http, "cancel", rep, s.errorReply, func(b []byte) (parsed, error) {
		var o ssOrder
		if err := decodeJSON(b, &o); err != nil {
			return parsed{}, err
		}
		r, err := o.remote(nil)
		if err != nil {
			return parsed{}, err
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return parsed{}, err
		}
		return parsed{order: r, raw: raw, state: strings.ToLower(strings.TrimSpace(o.OrderStatus))}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := CheckOrder(s.name, "cancel", p.order, id, "", ""); err != nil {
		return nil, err
	}
	refuse := func(class Class, reason string) error {
		return &Error{Carrier: s.name, Op: "cancel", Class: class, HTTPStatus: rep.status, Reason: reason}
	}
	switch p.state {
	case ssCancelled:
		return nil, nil
	case ssShipped:
		return nil, refuse(TooLate, fmt.Sprintf("ShipStation order %s has already shipped", id))
	case ssAwaitingPayment, ssAwaitingShipment, ssOnHold:
	default:
		return nil, refuse(Permanent, fmt.Sprintf("ShipStation cannot update order %s in status %q; cancel it in ShipStation", id, truncate(p.state, 40)))
	}
	if p.order.Key == "" {
		return nil, refuse(Permanent, fmt.Sprintf("ShipStation order %s has no orderKey to update it by; cancel it in ShipStation", id))
	}
	// Keys are matched case-insensitively when ShipStation reads them, so
	// every spelling of orderStatus is replaced.
	for k := range p.raw {
		if strings.EqualFold(k, "orderStatus") {
			delete(p.raw, k)
		}
	}
	p.raw["orderStatus"] = json.RawMessage(`"` + ssCancelled + `"`)
	body, err := json.Marshal(p.raw)
	if err != nil {
		return nil, refuse(Permanent, "could not encode the cancelled order")
	}
	return body, nil
}

// cancelReply reads the reply to the re-posted order: it must now be
// cancelled. ShipStation leaves an order that shipped meanwhile as it is.
func (s *ShipStation) cancelReply(rep reply) error {
	r, err := readReply(s.http, "cancel", rep, s.errorReply, parseSSOrder)
	if err != nil {
		return err // unreadable is Retryable: the next try reads the order first
	}
	switch r.Status {
	case StatusCancelled:
		return nil
	case StatusShipped:
		return &Error{Carrier: s.name, Op: "cancel", Class: TooLate, HTTPStatus: rep.status,
			Reason: fmt.Sprintf("ShipStation order %s shipped before it could be cancelled", r.ID)}
	default:
		return &Error{Carrier: s.name, Op: "cancel", Class: Permanent, HTTPStatus: rep.status,
			Reason: fmt.Sprintf("ShipStation answered the cancel with status %s", r.Status)}
	}
}
