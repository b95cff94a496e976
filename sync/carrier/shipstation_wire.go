package carrier

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ssOrderDateLayout is the zone-less timestamp ShipStation v1 uses.
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
func newSSCreateOrder(s Shipment, orderDate time.Time, storeID int64) ssCreateOrder {
	o := ssCreateOrder{
		OrderNumber:              s.ExternalID,
		OrderKey:                 s.IdempotencyKey,
		OrderDate:                orderDate.UTC().Format(ssOrderDateLayout),
		OrderStatus:              "awaiting_shipment",
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

// ssOrder is an order as ShipStation returns it.
type ssOrder struct {
	OrderID     flexString `json:"orderId"`
	OrderNumber flexString `json:"orderNumber"`
	OrderKey    string     `json:"orderKey"`
	OrderStatus string     `json:"orderStatus"`
}

// remote checks the order's fields and converts it (without tracking).
func (o ssOrder) remote() (Remote, error) {
	r := Remote{ID: strings.TrimSpace(string(o.OrderID)), ExternalID: strings.TrimSpace(string(o.OrderNumber))}
	if r.ID == "" || r.ID == "0" {
		return Remote{}, fmt.Errorf("order has no orderId")
	}
	status, err := parseSSStatus(o.OrderStatus)
	if err != nil {
		return Remote{}, fmt.Errorf("order %s: %w", r.ID, err)
	}
	r.Status = status
	return r, nil
}

// parseSSStatus maps ShipStation's order statuses onto shipdeck's.
func parseSSStatus(v string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "awaiting_payment", "awaiting_shipment", "on_hold", "rejected_fulfillment":
		return StatusAccepted, nil
	case "pending_fulfillment":
		return StatusPicking, nil
	case "shipped":
		return StatusShipped, nil
	case "cancelled":
		return StatusCancelled, nil
	default:
		return "", fmt.Errorf("unknown orderStatus %q", truncate(v, 40))
	}
}

// parseSSOrder reads the GET /orders/{id} reply.
func parseSSOrder(body []byte) (Remote, error) {
	var o ssOrder
	if err := decodeJSON(body, &o); err != nil {
		return Remote{}, err
	}
	return o.remote()
}

// parseSSOrders reads GET /orders?orderNumber=.
func parseSSOrders(body []byte) ([]Remote, error) { return parseOrderList[ssOrder](body) }

// ssShipment is one label ShipStation created for an order.
type ssShipment struct {
	OrderID        flexString `json:"orderId"`
	OrderNumber    flexString `json:"orderNumber"`
	TrackingNumber string     `json:"trackingNumber"`
	CarrierCode    string     `json:"carrierCode"`
	ShipDate       string     `json:"shipDate"`
	Voided         bool       `json:"voided"`
}

// parseSSShipments reads GET /shipments?orderNumber=.
func parseSSShipments(body []byte) ([]ssShipment, error) {
	var list struct {
		Shipments *[]ssShipment `json:"shipments"`
	}
	if err := decodeJSON(body, &list); err != nil {
		return nil, err
	}
	if list.Shipments == nil {
		return nil, fmt.Errorf("reply has no shipments list")
	}
	return *list.Shipments, nil
}

// withTracking fills r's tracking from the latest live shipment of that
// order. An unreadable shipDate leaves ShippedAt zero: the tracking number
// matters more than the date.
func withTracking(r Remote, shipments []ssShipment) Remote {
	var best *ssShipment
	var bestAt time.Time
	for i := range shipments {
		sh := &shipments[i]
		if sh.Voided || strings.TrimSpace(sh.TrackingNumber) == "" {
			continue
		}
		if id := strings.TrimSpace(string(sh.OrderID)); id != "" && id != r.ID {
			continue
		}
		at, _ := parseTimestamp(sh.ShipDate)
		if best == nil || !at.Before(bestAt) {
			best, bestAt = sh, at
		}
	}
	if best == nil {
		return r
	}
	r.TrackingNumber = strings.TrimSpace(best.TrackingNumber)
	r.CarrierCode = strings.TrimSpace(best.CarrierCode)
	r.ShippedAt = bestAt
	r.Status = StatusShipped
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
