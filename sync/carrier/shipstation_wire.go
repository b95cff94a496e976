package carrier

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ssOrderDateLayout is the zone-less timestamp ShipStation v1 uses; v1
// dates without a zone are Pacific time (ShipStation's v1 docs, noted in
// reference/marketplace-and-3pl-apis.md §5).
const ssOrderDateLayout = "2006-01-02T15:04:05.0000000"

// ssAddress is a ShipStation v1 address.
type ssAddress struct {
	Name       string `json:"name"`
	Phone      string `json:"phone,omitempty"`
	Street1    string `json:"street1,omitempty"`
	Street2    string `json:"street2,omitempty"`
	Street3    string `json:"street3,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// ssItem is one order line.
type ssItem struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// ssWeight is an order weight.
type ssWeight struct {
	Value float64 `json:"value"`
	Units string  `json:"units"`
}

// ssAdvanced are the advanced options shipdeck sets.
type ssAdvanced struct {
	StoreID      int64  `json:"storeId,omitempty"`
	CustomField1 string `json:"customField1,omitempty"`
}

// ssCreateOrder is the body of POST /orders/createorder.
type ssCreateOrder struct {
	OrderNumber              string      `json:"orderNumber"`
	OrderKey                 string      `json:"orderKey"`
	OrderDate                string      `json:"orderDate"`
	OrderStatus              string      `json:"orderStatus"`
	BillTo                   ssAddress   `json:"billTo"`
	ShipTo                   ssAddress   `json:"shipTo"`
	Items                    []ssItem    `json:"items"`
	Weight                   *ssWeight   `json:"weight,omitempty"`
	RequestedShippingService string      `json:"requestedShippingService,omitempty"`
	AdvancedOptions          *ssAdvanced `json:"advancedOptions,omitempty"`
}

// newSSCreateOrder maps a shipment: orderKey is the idempotency key (so a
// resend updates rather than duplicates), orderNumber the external id, and
// the reference goes to customField1.
func newSSCreateOrder(s Shipment, orderDate time.Time, pacific *time.Location, storeID int64) ssCreateOrder {
	o := ssCreateOrder{
		OrderNumber:              s.ExternalID,
		OrderKey:                 s.IdempotencyKey,
		OrderDate:                orderDate.In(pacific).Format(ssOrderDateLayout),
		OrderStatus:              ssAwaitingShipment,
		BillTo:                   ssAddress{Name: s.ShipTo.Name},
		ShipTo:                   newSSAddress(s.ShipTo),
		Items:                    make([]ssItem, 0, len(s.Items)),
		RequestedShippingService: s.Service,
	}
	for _, it := range s.Items {
		name := it.Title
		if name == "" {
			name = it.SKU
		}
		o.Items = append(o.Items, ssItem{SKU: it.SKU, Name: name, Quantity: it.Quantity})
	}
	if s.WeightG > 0 {
		o.Weight = &ssWeight{Value: float64(s.WeightG), Units: "grams"}
	}
	if storeID != 0 || s.Reference != "" {
		o.AdvancedOptions = &ssAdvanced{StoreID: storeID, CustomField1: s.Reference}
	}
	return o
}

// newSSAddress maps an address; lines past the third are joined into
// street3.
func newSSAddress(a Address) ssAddress {
	out := ssAddress{Name: a.Name, Phone: a.Phone, City: a.City, State: a.Region, PostalCode: a.PostalCode, Country: a.Country}
	lines := a.Lines
	if len(lines) > 0 {
		out.Street1 = lines[0]
	}
	if len(lines) > 1 {
		out.Street2 = lines[1]
	}
	if len(lines) > 2 {
		out.Street3 = strings.Join(lines[2:], ", ")
	}
	return out
}

// ssOrder is an order as ShipStation returns it. Fields shipdeck does not
// use are ignored.
type ssOrder struct {
	OrderID     flexString `json:"orderId"`
	OrderNumber flexString `json:"orderNumber"`
	OrderKey    flexString `json:"orderKey"`
	OrderStatus string     `json:"orderStatus"`
}

// remote checks the order's fields and converts it (without tracking).
func (o ssOrder) remote(*time.Location) (Remote, error) {
	r := Remote{ID: strings.TrimSpace(string(o.OrderID)), ExternalID: strings.TrimSpace(string(o.OrderNumber)),
		Key: strings.TrimSpace(string(o.OrderKey))}
	if r.ID == "" || r.ID == "0" {
		return Remote{}, inField("orderId", fmt.Errorf("order has no orderId"))
	}
	status, err := parseSSStatus(o.OrderStatus)
	if err != nil {
		return Remote{}, inField("orderStatus", fmt.Errorf("order %s: %w", r.ID, err))
	}
	r.Status = status
	return r, nil
}

// parseSSStatus maps ShipStation's order statuses onto shipdeck's.
func parseSSStatus(v string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case ssAwaitingPayment, ssAwaitingShipment, ssOnHold, "rejected_fulfillment":
		return StatusAccepted, nil
	case "pending_fulfillment":
		return StatusPicking, nil
	case ssShipped:
		return StatusShipped, nil
	case ssCancelled:
		return StatusCancelled, nil
	default:
		return "", fmt.Errorf("unknown orderStatus %q", truncate(v, 40))
	}
}

// ShipStation's order statuses that shipdeck sends or acts on.
const (
	ssAwaitingPayment  = "awaiting_payment"
	ssAwaitingShipment = "awaiting_shipment"
	ssOnHold           = "on_hold"
	ssShipped          = "shipped"
	ssCancelled        = "cancelled"
)

// parseSSOrder reads the GET /orders/{id} reply.
func parseSSOrder(body []byte) (Remote, error) {
	var o ssOrder
	if err := decodeJSON(body, &o); err != nil {
		return Remote{}, err
	}
	return o.remote(nil)
}

// parseSSOrders reads GET /orders?orderNumber=.
func parseSSOrders(body []byte) ([]Remote, error) { return parseOrderList[ssOrder](body, nil) }

// ssLabel is one way an order left the warehouse, as ShipStation lists it:
// a label bought in ShipStation (GET /shipments) or an order marked shipped
// without one (GET /fulfillments).
type ssLabel struct {
	OrderID        flexString `json:"orderId"`
	OrderNumber    flexString `json:"orderNumber"`
	OrderKey       flexString `json:"orderKey"`
	TrackingNumber flexString `json:"trackingNumber"`
	CarrierCode    string     `json:"carrierCode"`
	ShipDate       flexTime   `json:"shipDate"`
	Voided         bool       `json:"voided"`
	// ShipmentCost and InsuranceCost are what the label cost (List
	// Shipments; fulfillments carry neither).
	ShipmentCost  flexMoney `json:"shipmentCost"`
	InsuranceCost flexMoney `json:"insuranceCost"`
}

// parseSSLabels reads the list under key ("shipments" or "fulfillments").
func parseSSLabels(body []byte, key string) ([]ssLabel, error) {
	var list struct {
		Shipments    *[]ssLabel `json:"shipments"`
		Fulfillments *[]ssLabel `json:"fulfillments"`
	}
	if err := decodeJSON(body, &list); err != nil {
		return nil, err
	}
	labels := list.Shipments
	if key == "fulfillments" {
		labels = list.Fulfillments
	}
	if labels == nil {
		return nil, inField(key, fmt.Errorf("reply has no %s list", key))
	}
	return *labels, nil
}

// withTracking fills r's tracking from the latest live label of that
// order (matched by orderId, and by orderKey when both carry one). Dates
// are read in ShipStation's Pacific time; an unreadable shipDate leaves
// ShippedAt zero, since the tracking number matters more than the date.
func withTracking(r Remote, labels []ssLabel, pacific *time.Location) Remote {
	var best *ssLabel
	var bestAt time.Time
	for i := range labels {
		l := &labels[i]
		if l.Voided || strings.TrimSpace(string(l.TrackingNumber)) == "" {
			continue
		}
		if id := strings.TrimSpace(string(l.OrderID)); id != "" && id != r.ID {
			continue
		}
		if key := strings.TrimSpace(string(l.OrderKey)); key != "" && r.Key != "" && key != r.Key {
			continue
		}
		at, _ := l.ShipDate.in(pacific)
		if best == nil || !at.Before(bestAt) {
			best, bestAt = l, at
		}
	}
	if best == nil {
		return r
	}
	r.TrackingNumber = strings.TrimSpace(string(best.TrackingNumber))
	r.CarrierCode = strings.TrimSpace(best.CarrierCode)
	r.ShippedAt = bestAt
	r.Status = StatusShipped
	r.CostCents, r.InsuranceCents = int64(best.ShipmentCost), int64(best.InsuranceCost)
	return r
}

// ssError is ShipStation's error body: {"Message": ...} or {"message": ...}
// (the decoder matches names case-insensitively), sometimes with an
// ExceptionMessage and a ModelState of field errors.
type ssError struct {
	Message          string              `json:"message"`
	ExceptionMessage string              `json:"exceptionMessage"`
	ModelState       map[string][]string `json:"modelState"`
}

// parseShipStationError returns the operator text of an error body, or ""
// when it has none.
func parseShipStationError(body []byte) string {
	var e ssError
	if err := json.Unmarshal(body, &e); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return ""
		}
	}
	parts := []string{strings.TrimSpace(e.Message)}
	if x := strings.TrimSpace(e.ExceptionMessage); x != "" && x != parts[0] {
		parts = append(parts, x)
	}
	fields := make([]string, 0, len(e.ModelState))
	for f, msgs := range e.ModelState {
		fields = append(fields, f+": "+strings.Join(msgs, "; "))
	}
	sort.Strings(fields)
	parts = append(parts, fields...)
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return truncate(strings.Join(kept, " | "), 1000)
}
