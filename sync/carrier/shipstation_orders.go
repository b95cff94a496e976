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
// says it shipped, its tracking from GET /shipments?orderNumber=.
func (s *ShipStation) Status(ctx context.Context, id string) (Remote, error) {
	if err := validateID(s.name, "status", id); err != nil {
		return Remote{}, err
	}
	rep, err := s.call(ctx, "status", http.MethodGet, "/orders/"+url.PathEscape(id), nil, Retryable)
	if err != nil {
		return Remote{}, err
	}
	r, err := s.orderReply(rep)
	if err != nil || r.Status != StatusShipped {
		return r, err
	}
	shipments, err := s.shipments(ctx, "status", r.ExternalID)
	if err != nil {
		return Remote{}, err
	}
	return withTracking(r, shipments), nil
}

// orderReply reads GET /orders/{id}. It makes no calls, so it can be
// fuzzed.
func (s *ShipStation) orderReply(rep reply) (Remote, error) {
	return readReply(s.http, "status", rep, s.errorReply, parseSSOrder)
}

// Lookup finds orders by orderNumber (ShipStation matches loosely, so only
// exact matches are kept), with tracking for the shipped ones.
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
	shipments, err := s.shipments(ctx, "lookup", externalID)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i] = withTracking(found[i], shipments)
	}
	return found, nil
}

// ordersReply reads GET /orders?orderNumber=. It makes no calls, so it can
// be fuzzed.
func (s *ShipStation) ordersReply(rep reply) ([]Remote, error) {
	return readReply(s.http, "lookup", rep, s.errorReply, parseSSOrders)
}

// shipments reads the labels of an order number.
func (s *ShipStation) shipments(ctx context.Context, op, orderNumber string) ([]ssShipment, error) {
	q := url.Values{"orderNumber": {orderNumber}, "pageSize": {ssPageSize}}
	rep, err := s.call(ctx, op, http.MethodGet, "/shipments?"+q.Encode(), nil, Retryable)
	if err != nil {
		return nil, err
	}
	return s.shipmentsReply(op, rep)
}

// shipmentsReply reads GET /shipments. It makes no calls, so it can be
// fuzzed.
func (s *ShipStation) shipmentsReply(op string, rep reply) ([]ssShipment, error) {
	return readReply(s.http, op, rep, s.errorReply, parseSSShipments)
}
