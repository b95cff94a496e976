package carrier

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// restError is the contract's error body.
type restError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// parseRESTError reads {"error": {"code", "message"}}; ok is false for any
// other body.
func parseRESTError(body []byte) (code, message string, ok bool) {
	var e restError
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		return "", "", false
	}
	return e.Error.Code, e.Error.Message, true
}

// restAccepted is the body of a 201 or 200 push reply.
type restAccepted struct {
	ID     flexString `json:"id"`
	Status string     `json:"status"`
}

// parseRESTAccepted reads a push reply and returns the 3PL's order id.
func parseRESTAccepted(body []byte) (string, error) {
	var a restAccepted
	if err := decodeJSON(body, &a); err != nil {
		return "", err
	}
	if strings.TrimSpace(string(a.ID)) == "" {
		return "", fmt.Errorf("reply has no order id")
	}
	return string(a.ID), nil
}

// restOrder is one order as the contract returns it. Ids and tracking
// numbers may come as JSON numbers; shipped_at as RFC 3339, zone-less text
// (in the carrier's configured zone) or unix seconds or milliseconds.
// Fields shipdeck does not use are ignored.
type restOrder struct {
	ID             flexString `json:"id"`
	ExternalID     flexString `json:"external_id"`
	Status         string     `json:"status"`
	TrackingNumber flexString `json:"tracking_number"`
	CarrierCode    string     `json:"carrier_code"`
	ShippedAt      flexTime   `json:"shipped_at"`
}

// remote checks an order's fields and converts it.
func (o restOrder) remote(loc *time.Location) (Remote, error) {
	r := Remote{
		ID:             strings.TrimSpace(string(o.ID)),
		ExternalID:     strings.TrimSpace(string(o.ExternalID)),
		TrackingNumber: strings.TrimSpace(string(o.TrackingNumber)),
		CarrierCode:    strings.TrimSpace(o.CarrierCode),
	}
	if r.ID == "" {
		return Remote{}, inField("id", fmt.Errorf("order has no id"))
	}
	status, err := parseRESTStatus(o.Status)
	if err != nil {
		return Remote{}, inField("status", fmt.Errorf("order %s: %w", r.ID, err))
	}
	r.Status = status
	if r.ShippedAt, err = o.ShippedAt.in(loc); err != nil {
		return Remote{}, inField("shipped_at", fmt.Errorf("order %s: %w", r.ID, err))
	}
	return r, nil
}

// parseRESTStatus accepts the contract's four statuses, in any case.
func parseRESTStatus(v string) (Status, error) {
	switch s := Status(strings.ToLower(strings.TrimSpace(v))); s {
	case StatusAccepted, StatusPicking, StatusShipped, StatusCancelled:
		return s, nil
	default:
		return "", fmt.Errorf("unknown status %q", truncate(v, 40))
	}
}

// parseRESTOrder reads GET /v1/orders/{id}; zone-less times are in loc.
func parseRESTOrder(body []byte, loc *time.Location) (Remote, error) {
	var o restOrder
	if err := decodeJSON(body, &o); err != nil {
		return Remote{}, err
	}
	return o.remote(loc)
}

// parseRESTOrders reads GET /v1/orders?external_id=.
func parseRESTOrders(body []byte, loc *time.Location) ([]Remote, error) {
	return parseOrderList[restOrder](body, loc)
}

// remoter is a 3PL's wire shape of one order.
type remoter interface {
	remote(loc *time.Location) (Remote, error)
}

// parseOrderList reads {"orders": [...]} in any adapter's order shape; a
// missing list is an error, an empty one is not.
func parseOrderList[T remoter](body []byte, loc *time.Location) ([]Remote, error) {
	var list struct {
		Orders *[]T `json:"orders"`
	}
	if err := decodeJSON(body, &list); err != nil {
		return nil, err
	}
	if list.Orders == nil {
		return nil, inField("orders", fmt.Errorf("reply has no orders list"))
	}
	out := make([]Remote, 0, len(*list.Orders))
	for i, o := range *list.Orders {
		r, err := o.remote(loc)
		if err != nil {
			return nil, inField(fmt.Sprintf("orders[%d]", i), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// restOrderRequest is the push body: the shipment with empty lists sent as
// [] rather than null.
func restOrderRequest(s Shipment) Shipment {
	if s.Items == nil {
		s.Items = []Item{}
	}
	if s.ShipTo.Lines == nil {
		s.ShipTo.Lines = []string{}
	}
	return s
}
