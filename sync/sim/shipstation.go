package sim

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// ShipStation v1's documented rate limit: 40 requests a minute per API key.
const shipStationPerMinute = 40

// shipStation simulates a ShipStation v1 account: Basic auth, orderKey
// upserts, the X-Rate-Limit-* headers and 429s past 40 calls a minute, and
// shipments that appear once the warehouse ships.
type shipStation struct {
	info    CarrierInfo
	p       carrierProfile
	clock   TimeSource
	done    <-chan struct{}
	latency *latencyModel
	faults  faultQueue
	pacific *time.Location
	log     *slog.Logger

	mu          gosync.Mutex
	rng         *rand.Rand
	seq         int64
	orders      []*ssRecord
	byKey       map[string]*ssRecord
	windowStart time.Time
	windowUsed  int
	counters    CarrierCounters
}

type ssRecord struct {
	order      ssOrder
	created    time.Time
	modified   time.Time
	shipAt     time.Time // zero until awaiting_shipment
	tracking   string
	shipmentID int64
	// carrierCode is the label's carrier (stamps_com, ups_walleted), or the
	// carrier name the warehouse typed when it marked the order shipped.
	carrierCode string
	// marked is set when the warehouse marks the order shipped without
	// buying a label in ShipStation: it then shows under /fulfillments,
	// never under /shipments (v1 "List Shipments" note).
	marked bool
}

// ssFulfillment is a v1 fulfillment: an order marked shipped without a
// ShipStation label (v1 "List Fulfillments" response).
type ssFulfillment struct {
	FulfillmentID           int64     `json:"fulfillmentId"`
	OrderID                 int64     `json:"orderId"`
	OrderNumber             string    `json:"orderNumber"`
	UserID                  string    `json:"userId"`
	CustomerEmail           *string   `json:"customerEmail"`
	TrackingNumber          string    `json:"trackingNumber"`
	CreateDate              string    `json:"createDate"`
	ShipDate                string    `json:"shipDate"`
	VoidDate                *string   `json:"voidDate"`
	DeliveryDate            *string   `json:"deliveryDate"`
	CarrierCode             string    `json:"carrierCode"`
	FulfillmentProviderCode *string   `json:"fulfillmentProviderCode"`
	FulfillmentServiceCode  *string   `json:"fulfillmentServiceCode"`
	FulfillmentFee          float64   `json:"fulfillmentFee"`
	VoidRequested           bool      `json:"voidRequested"`
	Voided                  bool      `json:"voided"`
	MarketplaceNotified     bool      `json:"marketplaceNotified"`
	NotifyErrorMessage      *string   `json:"notifyErrorMessage"`
	ShipTo                  ssAddress `json:"shipTo"`
}

// ssOrder is ShipStation's order model (the fields shipdeck sends or reads).
type ssOrder struct {
	OrderID       int64     `json:"orderId"`
	OrderNumber   string    `json:"orderNumber"`
	OrderKey      string    `json:"orderKey"`
	OrderDate     string    `json:"orderDate"`
	CreateDate    string    `json:"createDate"`
	ModifyDate    string    `json:"modifyDate"`
	PaymentDate   string    `json:"paymentDate,omitempty"`
	ShipByDate    string    `json:"shipByDate,omitempty"`
	OrderStatus   string    `json:"orderStatus"`
	CustomerEmail string    `json:"customerEmail,omitempty"`
	BillTo        ssAddress `json:"billTo"`
	ShipTo        ssAddress `json:"shipTo"`
	Items         []ssItem  `json:"items"`
	OrderTotal    float64   `json:"orderTotal"`
	Weight        *ssWeight `json:"weight,omitempty"`
	CarrierCode   *string   `json:"carrierCode"`
	ServiceCode   *string   `json:"serviceCode"`
	ShipDate      *string   `json:"shipDate"`
}

type ssAddress struct {
	Name       string `json:"name"`
	Company    string `json:"company,omitempty"`
	Street1    string `json:"street1"`
	Street2    string `json:"street2,omitempty"`
	Street3    string `json:"street3,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

type ssItem struct {
	LineItemKey string    `json:"lineItemKey,omitempty"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Quantity    int       `json:"quantity"`
	UnitPrice   float64   `json:"unitPrice"`
	Weight      *ssWeight `json:"weight,omitempty"`
}

type ssWeight struct {
	Value float64 `json:"value"`
	Units string  `json:"units"`
}

type ssShipment struct {
	ShipmentID     int64     `json:"shipmentId"`
	OrderID        int64     `json:"orderId"`
	OrderKey       string    `json:"orderKey"`
	OrderNumber    string    `json:"orderNumber"`
	CreateDate     string    `json:"createDate"`
	ShipDate       string    `json:"shipDate"`
	TrackingNumber string    `json:"trackingNumber"`
	CarrierCode    string    `json:"carrierCode"`
	ServiceCode    string    `json:"serviceCode"`
	Voided         bool      `json:"voided"`
	ShipTo         ssAddress `json:"shipTo"`
	ShipmentCost   float64   `json:"shipmentCost"`
	InsuranceCost  float64   `json:"insuranceCost"`
}

// ShipStation's order statuses.
const (
	ssAwaitingPayment  = "awaiting_payment"
	ssAwaitingShipment = "awaiting_shipment"
	ssOnHold           = "on_hold"
	ssShipped          = "shipped"
	ssCancelled        = "cancelled"
)

func newShipStation(info CarrierInfo, p carrierProfile, seed int64, salt uint64, clock TimeSource,
	done <-chan struct{}, latencyScale float64, pacific *time.Location, log *slog.Logger) *shipStation {
	return &shipStation{
		info: info, p: p, clock: clock, done: done, pacific: pacific, log: log,
		latency:  newLatencyModel(seed, salt, latencyScale),
		rng:      rand.New(rand.NewPCG(uint64(seed), salt^0x1d8e4e27c47d124f)),
		seq:      212000000,
		byKey:    map[string]*ssRecord{},
		counters: newCarrierCounters(info.Name, info.Kind, info.Profile),
	}
}

func ssMessage(msg string) []byte {
	b, _ := json.Marshal(map[string]string{"Message": msg})
	return b
}

// ssDate is ShipStation v1's timestamp: Pacific time without an offset.
func (s *shipStation) ssDate(t time.Time) string {
	return t.In(s.pacific).Format("2006-01-02T15:04:05.0000000")
}

func (s *shipStation) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /orders/createorder", s.op("createorder", s.createOrder))
	mux.Handle("GET /orders", s.op("orders", s.listOrders))
	mux.Handle("GET /orders/{orderId}", s.op("order", s.getOrder))
	mux.Handle("GET /shipments", s.op("shipments", s.listShipments))
	mux.Handle("GET /fulfillments", s.op("fulfillments", s.listFulfillments))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, ssMessage("No HTTP resource was found that matches the request URI."), 0)
	})
	return mux
}

// rateLimit counts a call in the current minute window and sets the
// X-Rate-Limit-* headers; it reports whether the call may proceed.
func (s *shipStation) rateLimit(w http.ResponseWriter, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.windowStart.IsZero() || !now.Before(s.windowStart.Add(time.Minute)) {
		s.windowStart, s.windowUsed = now, 0
	}
	ok := s.windowUsed < shipStationPerMinute
	if ok {
		s.windowUsed++
	} else {
		s.counters.RateLimited++
	}
	reset := int((s.windowStart.Add(time.Minute).Sub(now) + time.Second - 1) / time.Second)
	w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(shipStationPerMinute))
	w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(shipStationPerMinute-s.windowUsed))
	w.Header().Set("X-Rate-Limit-Reset", strconv.Itoa(max(reset, 0)))
	return ok
}

type ssOp func(r *http.Request, body []byte, now time.Time) restReply

func (s *shipStation) op(name string, h ssOp) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counters.Requests[name]++
		s.mu.Unlock()
		key, secret, ok := r.BasicAuth()
		if !ok || key != s.info.Key || secret != s.info.Secret {
			s.mu.Lock()
			s.counters.AuthRejects++
			s.mu.Unlock()
			writeJSON(w, http.StatusUnauthorized, ssMessage("Authorization has been denied for this request."), 0)
			return
		}
		now := s.clock.Now()
		if !s.rateLimit(w, now) {
			writeJSON(w, http.StatusTooManyRequests, ssMessage("Too Many Requests"), 0)
			return
		}
		body, err := readRequestBody(r)
		if err != nil {
			return // the client went away
		}
		if k, ok := s.faults.take(name, false); ok {
			s.bumpFault(string(k))
			writeFault(w, r, k, s.faultReply(nil), s.done)
			return
		}
		rep := h(r, body, now)
		sleepCtx(r.Context(), s.done, s.latency.draw(s.p.Latency))
		if k, ok := s.faults.take(name, true); ok {
			s.bumpFault("after_effect:" + string(k))
			writeFault(w, r, k, s.faultReply(rep.body), s.done)
			return
		}
		writeJSON(w, rep.status, rep.body, 0)
	})
}

// faultReply is how ShipStation words a failure; body is the real reply,
// for a fault after the effect.
func (s *shipStation) faultReply(body []byte) faultReply {
	return faultReply{errorBody: ssMessage("An error has occurred."), tooMany: ssMessage("Too Many Requests"),
		contentType: "application/json; charset=utf-8", body: body, retryAfter: 1}
}

func (s *shipStation) bumpFault(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters.Faults[kind]++
}

func (s *shipStation) createOrder(r *http.Request, body []byte, now time.Time) restReply {
	var in ssOrder
	if err := json.Unmarshal(body, &in); err != nil {
		return restReply{status: http.StatusBadRequest, body: ssMessage("The request is invalid. " + err.Error())}
	}
	if msg := validateSSOrder(in); msg != "" {
		s.mu.Lock()
		s.counters.Rejected["invalid"]++
		s.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"Message": "The request is invalid.",
			"ModelState": map[string][]string{"apiOrder": {msg}}})
		return restReply{status: http.StatusBadRequest, body: b}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.byKey[in.OrderKey]; in.OrderKey != "" && rec != nil {
		s.counters.Replays++
		cur := s.view(rec, now)
		if cur.OrderStatus == ssShipped || cur.OrderStatus == ssCancelled {
			b, _ := json.Marshal(cur) // too late to change: the order stays as it is
			return restReply{status: http.StatusOK, body: b}
		}
		if in.OrderStatus == ssCancelled {
			s.counters.Cancels++
		}
		keep := rec.order
		rec.order = in
		rec.order.OrderID, rec.order.OrderKey, rec.order.CreateDate = keep.OrderID, keep.OrderKey, keep.CreateDate
		rec.modified = now
		if in.OrderStatus == ssAwaitingShipment && rec.shipAt.IsZero() {
			rec.shipAt = now.Add(between(s.rng, s.p.ShipMin, s.p.ShipMax))
		}
		if in.OrderStatus != ssAwaitingShipment {
			rec.shipAt = time.Time{}
		}
		b, _ := json.Marshal(s.view(rec, now))
		return restReply{status: http.StatusOK, body: b}
	}
	s.seq++
	rec := &ssRecord{order: in, created: now, modified: now, shipmentID: 41000000 + s.seq}
	// The account ships with USPS through Stamps.com and with UPS, and its
	// warehouse marks some orders shipped by hand (one in three each).
	switch s.seq % 3 {
	case 0:
		rec.carrierCode, rec.tracking = s.p.CarrierCode, s.p.Tracking(s.rng)
	case 1:
		rec.carrierCode, rec.tracking = "ups_walleted", upsTracking(s.rng)
	default:
		rec.carrierCode, rec.tracking, rec.marked = "USPS", s.p.Tracking(s.rng), true
	}
	rec.order.OrderID = s.seq
	if rec.order.OrderKey == "" {
		rec.order.OrderKey = hexString(s.seq, uint64(now.UnixNano()), 32)
	}
	rec.order.CreateDate = s.ssDate(now)
	if in.OrderStatus == ssAwaitingShipment {
		rec.shipAt = now.Add(between(s.rng, s.p.ShipMin, s.p.ShipMax))
	}
	s.orders = append(s.orders, rec)
	s.byKey[rec.order.OrderKey] = rec
	s.counters.CreatesByExternalID[in.OrderNumber]++
	b, _ := json.Marshal(s.view(rec, now))
	return restReply{status: http.StatusOK, body: b, created: true}
}

func validateSSOrder(o ssOrder) string {
	switch {
	case o.OrderNumber == "":
		return "The orderNumber field is required."
	case o.OrderDate == "":
		return "The orderDate field is required."
	case o.OrderStatus == "":
		return "The orderStatus field is required."
	case o.ShipTo.Name == "" || o.ShipTo.Street1 == "" || o.ShipTo.City == "" || o.ShipTo.PostalCode == "" || o.ShipTo.Country == "":
		return "The shipTo address requires name, street1, city, postalCode and country."
	}
	switch o.OrderStatus {
	case ssAwaitingPayment, ssAwaitingShipment, ssOnHold, ssCancelled:
	default:
		return fmt.Sprintf("The orderStatus %q is not valid for create or update.", o.OrderStatus)
	}
	return ""
}

// view is the order at now: awaiting_shipment orders ship on their own.
func (s *shipStation) view(rec *ssRecord, now time.Time) ssOrder {
	o := rec.order
	o.Items = append([]ssItem(nil), rec.order.Items...)
	o.ModifyDate = s.ssDate(rec.modified)
	if s.shipped(rec, now) {
		o.OrderStatus = ssShipped
		code, service, day := rec.carrierCode, ssService(rec.carrierCode), rec.shipAt.In(s.pacific).Format(time.DateOnly)
		o.CarrierCode, o.ServiceCode, o.ShipDate = &code, &service, &day
		o.ModifyDate = s.ssDate(rec.shipAt)
	}
	return o
}

func (s *shipStation) shipped(rec *ssRecord, now time.Time) bool {
	return rec.order.OrderStatus == ssAwaitingShipment && !rec.shipAt.IsZero() && !now.Before(rec.shipAt)
}

func (s *shipStation) listOrders(r *http.Request, _ []byte, now time.Time) restReply {
	num := r.URL.Query().Get("orderNumber")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ssOrder{}
	for _, rec := range s.orders {
		if num == "" || rec.order.OrderNumber == num {
			out = append(out, s.view(rec, now))
		}
	}
	b, _ := json.Marshal(map[string]any{"orders": out, "total": len(out), "page": 1, "pages": 1})
	return restReply{status: http.StatusOK, body: b}
}

func (s *shipStation) getOrder(r *http.Request, _ []byte, now time.Time) restReply {
	id, _ := strconv.ParseInt(r.PathValue("orderId"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range s.orders {
		if rec.order.OrderID == id {
			b, _ := json.Marshal(s.view(rec, now))
			return restReply{status: http.StatusOK, body: b}
		}
	}
	return restReply{status: http.StatusNotFound, body: ssMessage("Order not found.")}
}

func (s *shipStation) listShipments(r *http.Request, _ []byte, now time.Time) restReply {
	num := strings.TrimSpace(r.URL.Query().Get("orderNumber"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ssShipment{}
	for _, rec := range s.orders {
		if (num != "" && rec.order.OrderNumber != num) || !s.shipped(rec, now) || rec.marked {
			continue
		}
		out = append(out, ssShipment{
			ShipmentID: rec.shipmentID, OrderID: rec.order.OrderID, OrderKey: rec.order.OrderKey,
			OrderNumber: rec.order.OrderNumber, CreateDate: s.ssDate(rec.shipAt),
			ShipDate: rec.shipAt.In(s.pacific).Format(time.DateOnly), TrackingNumber: rec.tracking,
			CarrierCode: rec.carrierCode, ServiceCode: ssService(rec.carrierCode), ShipTo: rec.order.ShipTo,
			ShipmentCost: labelCost(rec.order), InsuranceCost: insuranceCost(rec.order),
		})
	}
	b, _ := json.Marshal(map[string]any{"shipments": out, "total": len(out), "page": 1, "pages": 1})
	return restReply{status: http.StatusOK, body: b}
}

// ssService is the service code of a label.
func ssService(carrierCode string) string {
	if carrierCode == "ups_walleted" {
		return "ups_ground"
	}
	return "usps_ground_advantage"
}

// listFulfillments lists the orders the warehouse marked shipped without a
// ShipStation label, with their dates at midnight Pacific as v1 shows them.
func (s *shipStation) listFulfillments(r *http.Request, _ []byte, now time.Time) restReply {
	num := strings.TrimSpace(r.URL.Query().Get("orderNumber"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ssFulfillment{}
	for _, rec := range s.orders {
		if (num != "" && rec.order.OrderNumber != num) || !s.shipped(rec, now) || !rec.marked {
			continue
		}
		day := rec.shipAt.In(s.pacific)
		midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.pacific)
		out = append(out, ssFulfillment{
			FulfillmentID: rec.shipmentID, OrderID: rec.order.OrderID, OrderNumber: rec.order.OrderNumber,
			UserID: "c9f06d74-95de-4263-9b04-e87095cababf", TrackingNumber: rec.tracking,
			CreateDate: s.ssDate(rec.shipAt), ShipDate: s.ssDate(midnight), CarrierCode: rec.carrierCode,
			ShipTo: rec.order.ShipTo,
		})
	}
	b, _ := json.Marshal(map[string]any{"fulfillments": out, "total": len(out), "page": 1, "pages": 1})
	return restReply{status: http.StatusOK, body: b}
}

func (s *shipStation) snapshot() CarrierCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters.clone()
}

// labelCost prices a label the way a USPS Ground Advantage commercial rate
// card grows with weight: $4.25 for the first 4 oz and $0.35 for each
// further ounce, from the order's weight (a paperback when it has none).
func labelCost(o ssOrder) float64 {
	oz := 16.0
	if o.Weight != nil && o.Weight.Value > 0 {
		oz = o.Weight.Value
		if o.Weight.Units == "grams" {
			oz = o.Weight.Value / 28.35
		}
	}
	extra := math.Max(0, math.Ceil(oz-4))
	return math.Round((4.25+0.35*extra)*100) / 100
}

// insuranceCost insures orders over $100 at $1.50 per $100 of value.
func insuranceCost(o ssOrder) float64 {
	if o.OrderTotal <= 100 {
		return 0
	}
	return math.Round(math.Ceil(o.OrderTotal/100)*1.50*100) / 100
}
