package carrier

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Status reads one order with GET /v1/orders/{id}.
func (r *REST) Status(ctx context.Context, id string) (Remote, error) {
	if err := validateID(r.name, "status", id); err != nil {
		return Remote{}, err
	}
	rep, err := r.call(ctx, "status", http.MethodGet, r.base+"/v1/orders/"+url.PathEscape(id), r.headers(), nil, Retryable)
	if err != nil {
		return Remote{}, err
	}
	rm, err := r.orderReply(rep)
	if err != nil {
		return Remote{}, err
	}
	if err := CheckOrder(r.name, "status", rm, id, "", ""); err != nil {
		return Remote{}, err
	}
	return rm, nil
}

// orderReply reads a Status reply. It makes no calls, so it can be fuzzed.
func (r *REST) orderReply(rep reply) (Remote, error) {
	return readReply(r.http, "status", rep, r.errorReply, func(b []byte) (Remote, error) { return parseRESTOrder(b, r.zone) })
}

// Lookup finds orders by external id with GET /v1/orders?external_id=.
func (r *REST) Lookup(ctx context.Context, externalID string) ([]Remote, error) {
	if err := validateID(r.name, "lookup", externalID); err != nil {
		return nil, err
	}
	target := r.base + "/v1/orders?" + url.Values{"external_id": {externalID}}.Encode()
	rep, err := r.call(ctx, "lookup", http.MethodGet, target, r.headers(), nil, Retryable)
	if err != nil {
		return nil, err
	}
	list, err := r.ordersReply(rep)
	if err != nil {
		return nil, err
	}
	// The contract's lookup is an exact match: an order with another (or
	// no) external id means the 3PL mixed orders up, and none of the reply
	// can be trusted.
	for _, rm := range list {
		if rm.ExternalID == "" {
			rm.ExternalID = "(none)"
		}
		if err := CheckOrder(r.name, "lookup", rm, "", externalID, ""); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ordersReply reads a Lookup reply. It makes no calls, so it can be fuzzed.
func (r *REST) ordersReply(rep reply) ([]Remote, error) {
	return readReply(r.http, "lookup", rep, r.errorReply, func(b []byte) ([]Remote, error) { return parseRESTOrders(b, r.zone) })
}

// Cancel cancels an order with POST /v1/orders/{id}/cancel; 409
// already_shipped is TooLate. A cancel that got no reply is Retryable:
// cancelling twice is harmless.
func (r *REST) Cancel(ctx context.Context, id string) error {
	if err := validateID(r.name, "cancel", id); err != nil {
		return err
	}
	rep, err := r.call(ctx, "cancel", http.MethodPost, r.base+"/v1/orders/"+url.PathEscape(id)+"/cancel", r.headers(), nil, Retryable)
	if err != nil {
		return err
	}
	return r.cancelReply(rep)
}

// cancelReply reads a Cancel reply. A 2xx whose body names a status other
// than cancelled is refused: a 3PL that answers "shipped" did not cancel.
func (r *REST) cancelReply(rep reply) error {
	if is2xx(rep.status) {
		if rep.bodyErr != nil || len(rep.body) == 0 {
			return nil
		}
		rm, err := parseRESTOrder(rep.body, r.zone)
		if err != nil || rm.Status == StatusCancelled {
			return nil // the status code is the contract; the body is a courtesy
		}
		class := Permanent
		if rm.Status == StatusShipped {
			class = TooLate
		}
		return &Error{Carrier: r.name, Op: "cancel", Class: class, HTTPStatus: rep.status,
			Reason: fmt.Sprintf("the 3PL answered the cancel with status %s", rm.Status)}
	}
	code, message, _ := parseRESTError(rep.body)
	if rep.status == http.StatusConflict && code == codeAlreadyShipped {
		return &Error{Carrier: r.name, Op: "cancel", Class: TooLate, HTTPStatus: rep.status, Code: code,
			Reason: "the 3PL already shipped the order: " + r.http.describe(rep, message)}
	}
	return r.http.statusError("cancel", rep, r.now(), code, message)
}
