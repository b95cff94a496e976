package carrier

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// ssPageSize is the page size of list calls; one external id has at most a
// handful of orders, so the first page is enough.
const ssPageSize = "100"

// Status reads one order with GET /orders/{orderId} and, once ShipStation
// says it shipped, its tracking (see tracking).
func (s *ShipStation) Status(ctx context.Context, id string) (Remote, error) {
	if err := validateID(s.name, "status", id); err != nil {
		return Remote{}, err
	}
	rep, err := s.call(ctx, "status", http.MethodGet, "/orders/"+url.PathEscape(id), nil, Retryable)
	if err != nil {
		return Remote{}, err
	}
	r, err := s.orderReply(rep)
	if err != nil {
		return Remote{}, err
	}
	if err := CheckOrder(s.name, "status", r, id, "", ""); err != nil {
		return Remote{}, err
	}
	if r.Status != StatusShipped {
		return r, nil
	}
	found, err := s.tracking(ctx, "status", r.ExternalID, []Remote{r})
	if err != nil {
		return Remote{}, err
	}
	return found[0], nil
}

// orderReply reads GET /orders/{id}. It makes no calls, so it can be
// fuzzed.
func (s *ShipStation) orderReply(rep reply) (Remote, error) {
	return readReply(s.http, "status", rep, s.errorReply, parseSSOrder)
}

// Lookup finds orders by orderNumber, with tracking for the shipped ones.
// ShipStation's orderNumber filter is a prefix match (v1 List Orders), so
// only exact matches are kept.
func (s *ShipStation) Lookup(ctx context.Context, externalID string) ([]Remote, error) {
	if err := validateID(s.name, "lookup", externalID); err != nil {
		return nil, err
	}
	q := url.Values{"orderNumber": {externalID}, "pageSize": {ssPageSize}}
	rep, err := s.call(ctx, "lookup", http.MethodGet, "/orders?"+q.Encode(), nil, Retryable)
	if err != nil {
		return nil, err
	}
	all, err := s.ordersReply(rep)
	if err != nil {
		return nil, err
	}
	var found []Remote
	shipped := false
	for _, r := range all {
		if strings.TrimSpace(r.ExternalID) == strings.TrimSpace(externalID) {
			found = append(found, r)
			shipped = shipped || r.Status == StatusShipped
		}
	}
	if !shipped {
		return found, nil
	}
	return s.tracking(ctx, "lookup", externalID, found)
}

// ordersReply reads GET /orders?orderNumber=. It makes no calls, so it can
// be fuzzed.
func (s *ShipStation) ordersReply(rep reply) ([]Remote, error) {
	return readReply(s.http, "lookup", rep, s.errorReply, parseSSOrders)
}

// tracking fills in the tracking of the shipped orders among found. A
// label bought in ShipStation is listed under GET /shipments; an order the
// warehouse marked shipped without buying a label there is listed only
// under GET /fulfillments (v1 "List Shipments" and "List Fulfillments"),
// which is asked when the labels give none.
func (s *ShipStation) tracking(ctx context.Context, op, orderNumber string, found []Remote) ([]Remote, error) {
	out := append([]Remote(nil), found...)
	for _, list := range []string{"shipments", "fulfillments"} {
		labels, err := s.labels(ctx, op, list, orderNumber)
		if err != nil {
			return nil, err
		}
		missing := false
		for i := range out {
			if out[i].Status == StatusShipped && out[i].TrackingNumber == "" {
				out[i] = withTracking(out[i], labels, s.pacific)
				missing = missing || out[i].TrackingNumber == ""
			}
		}
		if !missing {
			break
		}
	}
	return out, nil
}

// labels reads one list ("shipments" or "fulfillments") of an order number.
func (s *ShipStation) labels(ctx context.Context, op, list, orderNumber string) ([]ssLabel, error) {
	q := url.Values{"orderNumber": {orderNumber}, "pageSize": {ssPageSize}}
	rep, err := s.call(ctx, op, http.MethodGet, "/"+list+"?"+q.Encode(), nil, Retryable)
	if err != nil {
		return nil, err
	}
	return s.labelsReply(op, list, rep)
}

// labelsReply reads GET /shipments or GET /fulfillments. It makes no
// calls, so it can be fuzzed.
func (s *ShipStation) labelsReply(op, list string, rep reply) ([]ssLabel, error) {
	return readReply(s.http, op, rep, s.errorReply, func(b []byte) ([]ssLabel, error) { return parseSSLabels(b, list) })
}
