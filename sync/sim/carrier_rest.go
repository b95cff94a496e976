package sim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sync/carrier"
)

// restCarrier is a 3PL on the generic REST contract
// (reference/generic-3pl-rest.md), with idempotency by key, a unique
// external id, and a fulfilment pace and failure profile of its own.
type restCarrier struct {
	info    CarrierInfo
	p       carrierProfile
	clock   TimeSource
	done    <-chan struct{}
	latency *latencyModel
	faults  faultQueue
	log     *slog.Logger

	mu         gosync.Mutex
	rng        *rand.Rand
	faultScale float64
	seq        int
	orders     map[string]*restOrder
	byExternal map[string][]*restOrder
	keys       map[string]*idemRecord
	counters   CarrierCounters
	// zone is where its zone-less times are (wireZoneless).
	zone *time.Location
}

type restOrder struct {
	id          string
	externalID  string
	created     time.Time
	pickAt      time.Time
	shipAt      time.Time
	cancelledAt time.Time
	tracking    string
	// byHand marks an order a clerk keyed in (KeyByHand); firstKey is the
	// first Idempotency-Key refused against it, the push that met it.
	byHand   bool
	firstKey string
}

// idemRecord is the stored outcome of the first request under a key.
type idemRecord struct {
	hash [32]byte
	body []byte
}

// restError is the contract's error shape.
type restError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func errorBody(code, msg string) []byte {
	var e restError
	e.Error.Code, e.Error.Message = code, msg
	b, _ := json.Marshal(e)
	return b
}

func newRESTCarrier(info CarrierInfo, p carrierProfile, seed int64, salt uint64, clock TimeSource,
	done <-chan struct{}, latencyScale, faultScale float64, log *slog.Logger) *restCarrier {
	return &restCarrier{
		info: info, p: p, clock: clock, done: done, log: log,
		latency:    newLatencyModel(seed, salt, latencyScale),
		rng:        rand.New(rand.NewPCG(uint64(seed), salt^0x3c6ef372fe94f82b)),
		faultScale: faultScale,
		orders:     map[string]*restOrder{}, byExternal: map[string][]*restOrder{}, keys: map[string]*idemRecord{},
		counters: newCarrierCounters(info.Name, info.Kind, info.Profile),
		zone:     zoneOr(p.Zone),
	}
}

// zoneOr loads a profile's zone; the carrier package embeds the tz
// database, so only a misspelt name falls back to UTC.
func zoneOr(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

func (c *restCarrier) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/orders", c.op("create", c.create))
	mux.Handle("GET /v1/orders", c.op("lookup", c.lookup))
	mux.Handle("GET /v1/orders/{id}", c.op("get", c.get))
	mux.Handle("POST /v1/orders/{id}/cancel", c.op("cancel", c.cancel))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody("not_found", "no such endpoint: "+r.Method+" "+r.URL.Path), 0)
	})
	return mux
}

// restReply is a handler's answer; created marks a new order (the moment a
// lost reply turns into the unknown case).
type restReply struct {
	status  int
	body    []byte
	created bool
}

type restOp func(r *http.Request, body []byte, now time.Time) restReply

func (c *restCarrier) bump(f func(ct *CarrierCounters)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.counters)
}

// drawFault decides whether this request fails before it takes effect.
func (c *restCarrier) drawFault() (FaultKind, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.faultScale
	if s <= 0 {
		return "", 0, false
	}
	r := c.rng.Float64()
	for _, f := range []struct {
		kind FaultKind
		p    float64
	}{
		{FaultTimeout, c.p.Timeout}, {FaultServerError, c.p.ServerError},
		{FaultReset, c.p.Reset}, {FaultRateLimited, c.p.RateLimited},
	} {
		if r < f.p*s {
			return f.kind, 1 + c.rng.IntN(5), true
		}
		r -= f.p * s
	}
	return "", 0, false
}

// drawAfterCreate decides whether a created order's reply is lost.
func (c *restCarrier) drawAfterCreate() (FaultKind, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faultScale <= 0 || c.rng.Float64() >= c.p.AfterCreate*c.faultScale {
		return "", false
	}
	return []FaultKind{FaultServerError, FaultReset, FaultTimeout}[c.rng.IntN(3)], true
}

func (c *restCarrier) faultReply(body []byte, retryAfter int) faultReply {
	return faultReply{
		errorBody:   errorBody("internal", "internal server error"),
		tooMany:     errorBody("rate_limited", "too many requests"),
		contentType: "application/json",
		body:        body,
		retryAfter:  retryAfter,
	}
}

// op wraps an operation with auth, failures and latency.
func (c *restCarrier) op(name string, h restOp) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.bump(func(ct *CarrierCounters) { ct.Requests[name]++ })
		if r.Header.Get("Authorization") != "Bearer "+c.info.Token {
			c.bump(func(ct *CarrierCounters) { ct.AuthRejects++ })
			writeJSON(w, http.StatusUnauthorized, errorBody("unauthorized", "missing or invalid bearer token"), 0)
			return
		}
		body, err := readRequestBody(r)
		if err != nil {
			return // the client went away
		}
		kind, retryAfter, failed := FaultKind(""), 0, false
		if k, ok := c.faults.take(name, false); ok {
			kind, retryAfter, failed = k, 1, true
		} else if k, ra, ok := c.drawFault(); ok {
			kind, retryAfter, failed = k, ra, true
		}
		if failed {
			c.bump(func(ct *CarrierCounters) {
				ct.Faults[string(kind)]++
				if kind == FaultRateLimited {
					ct.RateLimited++
				}
			})
			writeFault(w, r, kind, c.faultReply(nil, retryAfter), c.done)
			return
		}
		rep := h(r, body, c.clock.Now())
		sleepCtx(r.Context(), c.done, c.latency.draw(c.p.Latency))
		if k, ok := c.faults.take(name, true); ok {
			c.bump(func(ct *CarrierCounters) { ct.Faults["after_effect:"+string(k)]++ })
			writeFault(w, r, k, c.faultReply(rep.body, 1), c.done)
			return
		}
		if rep.created {
			if k, ok := c.drawAfterCreate(); ok {
				c.bump(func(ct *CarrierCounters) { ct.Faults["after_create:"+string(k)]++ })
				writeFault(w, r, k, c.faultReply(rep.body, 1), c.done)
				return
			}
		}
		writeJSON(w, rep.status, rep.body, 0)
	})
}

// canonicalHash hashes a JSON body independent of key order and spacing,
// so a client that re-marshals the same shipment still replays.
func canonicalHash(body []byte) ([32]byte, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return [32]byte{}, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

func (c *restCarrier) create(r *http.Request, body []byte, now time.Time) restReply {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return restReply{status: http.StatusUnsupportedMediaType, body: errorBody("unsupported_media_type", "Content-Type must be application/json")}
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return restReply{status: http.StatusBadRequest, body: errorBody("missing_idempotency_key", "the Idempotency-Key header is required")}
	}
	var s carrier.Shipment
	hash, err := canonicalHash(body)
	if err == nil {
		err = json.Unmarshal(body, &s)
	}
	if err != nil {
		return restReply{status: http.StatusBadRequest, body: errorBody("invalid_json", "the body is not a valid order: "+err.Error())}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if rec := c.keys[key]; rec != nil {
		if rec.hash == hash {
			c.counters.Replays++
			return restReply{status: http.StatusOK, body: rec.body}
		}
		c.counters.IdempotencyMismatches++
		return restReply{status: http.StatusConflict, body: errorBody("idempotency_mismatch",
			"this Idempotency-Key was used with a different request body")}
	}
	if code, msg := c.validate(s); code != "" {
		c.counters.Rejected[code]++
		return restReply{status: http.StatusUnprocessableEntity, body: errorBody(code, msg)}
	}
	for _, o := range c.byExternal[s.ExternalID] {
		if o.cancelledAt.IsZero() {
			// A push meeting a clerk's order (under its first key, or
			// that key again) is not shipdeck sending an order twice;
			// another key for it is.
			if o.byHand && (o.firstKey == "" || o.firstKey == key) {
				o.firstKey = key
				c.counters.HandKeyedRefusals++
			} else {
				c.counters.DuplicateExternalIDs++
			}
			return restReply{status: http.StatusUnprocessableEntity, body: errorBody("duplicate_external_id",
				fmt.Sprintf("order %s already exists for external_id %s", o.id, s.ExternalID))}
		}
	}
	c.seq++
	id := fmt.Sprintf("%s-%06d", c.p.Prefix, 100000+c.seq)
	if c.p.Wire == wireUnix || c.p.Wire == wireUnixMillis {
		id = strconv.Itoa(100000 + c.seq) // a numeric id, sent as a JSON number
	}
	o := &restOrder{
		id: id, externalID: s.ExternalID, created: now,
		tracking: c.p.Tracking(c.rng),
	}
	o.pickAt = now.Add(between(c.rng, c.p.PickMin, c.p.PickMax))
	o.shipAt = o.pickAt.Add(between(c.rng, c.p.ShipMin, c.p.ShipMax))
	c.orders[o.id] = o
	c.byExternal[s.ExternalID] = append(c.byExternal[s.ExternalID], o)
	c.counters.CreatesByExternalID[s.ExternalID]++
	reply, _ := json.Marshal(map[string]any{"id": c.wireID(o.id), "status": string(carrier.StatusAccepted)})
	c.keys[key] = &idemRecord{hash: hash, body: reply}
	c.log.Debug("3pl order created", "carrier", c.info.Name, "id", o.id)
	return restReply{status: http.StatusCreated, body: reply, created: true}
}

// validate checks a shipment; picky 3PLs check more.
func (c *restCarrier) validate(s carrier.Shipment) (code, msg string) {
	a := s.ShipTo
	switch {
	case s.ExternalID == "":
		return "invalid_request", "external_id is required"
	case len(s.Items) == 0:
		return "invalid_request", "items must not be empty"
	case strings.TrimSpace(a.Name) == "":
		return "invalid_address", "ship_to.name is required"
	case len(a.Lines) == 0 || strings.TrimSpace(a.Lines[0]) == "":
		return "invalid_address", "ship_to.address_lines is required"
	case strings.TrimSpace(a.City) == "":
		return "invalid_address", "ship_to.city is required"
	case strings.TrimSpace(a.PostalCode) == "":
		return "invalid_address", "ship_to.postal_code is required"
	case strings.TrimSpace(a.Country) == "":
		return "invalid_address", "ship_to.country is required"
	}
	for _, it := range s.Items {
		if it.SKU == "" || it.Quantity < 1 {
			return "invalid_request", "every item needs a sku and a quantity of at least 1"
		}
	}
	if !c.p.Picky {
		return "", ""
	}
	masked := strings.Contains(a.Name, "*") || strings.Contains(a.PostalCode, "*")
	for _, l := range a.Lines {
		masked = masked || strings.Contains(l, "*")
	}
	switch {
	case masked:
		return "invalid_address", "the recipient address is masked; send the full address"
	case a.Country != "US":
		return "invalid_address", "we only ship within the US"
	case strings.HasPrefix(a.PostalCode, "9"):
		return "invalid_address", fmt.Sprintf("postal code %s is outside our service area", a.PostalCode)
	}
	for _, l := range a.Lines {
		if strings.Contains(strings.ToUpper(strings.ReplaceAll(l, ".", "")), "PO BOX") {
			return "invalid_address", "we cannot deliver to PO boxes"
		}
	}
	for _, it := range s.Items {
		if _, ok := productBySKU(it.SKU); !ok || pickyUnstocked[it.SKU] {
			return "unknown_sku", fmt.Sprintf("SKU %s is not stocked in our warehouse", it.SKU)
		}
	}
	return "", ""
}

// remote is the order as the contract shows it at now.
func (c *restCarrier) remote(o *restOrder, now time.Time) carrier.Remote {
	rm := carrier.Remote{ID: o.id, ExternalID: o.externalID, Status: carrier.StatusAccepted}
	switch {
	case !o.cancelledAt.IsZero():
		rm.Status = carrier.StatusCancelled
	case !now.Before(o.shipAt):
		rm.Status = carrier.StatusShipped
		rm.TrackingNumber = o.tracking
		rm.CarrierCode = c.p.CarrierCode
		rm.ShippedAt = o.shipAt.UTC().Truncate(time.Second)
	case !now.Before(o.pickAt):
		rm.Status = carrier.StatusPicking
	}
	return rm
}

func (c *restCarrier) get(r *http.Request, _ []byte, now time.Time) restReply {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orders[r.PathValue("id")]
	if o == nil {
		return restReply{status: http.StatusNotFound, body: errorBody("not_found", "no order with id "+r.PathValue("id"))}
	}
	b, _ := json.Marshal(c.wire(c.remote(o, now)))
	return restReply{status: http.StatusOK, body: b}
}

// wireID writes an id in the 3PL's style: a JSON number when the style
// has numeric ids and the id is all digits.
func (c *restCarrier) wireID(id string) any {
	if (c.p.Wire != wireUnix && c.p.Wire != wireUnixMillis) || id == "" || strings.Trim(id, "0123456789") != "" {
		return id
	}
	return json.Number(id)
}

// wire is one order as this 3PL writes it: the contract's shape, or
// numeric ids and unix times, with fields the contract does not have
// (which a client must ignore).
func (c *restCarrier) wire(rm carrier.Remote) any {
	if c.p.Wire == wireContract {
		return rm
	}
	m := map[string]any{"id": c.wireID(rm.ID), "external_id": c.wireID(rm.ExternalID), "status": rm.Status,
		"warehouse": map[string]any{"id": 7, "name": c.info.Name + " DC1"}}
	if rm.TrackingNumber != "" {
		m["tracking_number"], m["carrier_code"] = rm.TrackingNumber, rm.CarrierCode
	}
	if !rm.ShippedAt.IsZero() {
		switch c.p.Wire {
		case wireUnixMillis:
			m["shipped_at"] = rm.ShippedAt.UnixMilli()
		case wireZoneless:
			m["shipped_at"] = rm.ShippedAt.In(c.zone).Format(time.DateTime)
		default:
			m["shipped_at"] = rm.ShippedAt.Unix()
		}
	}
	return m
}

func (c *restCarrier) lookup(r *http.Request, _ []byte, now time.Time) restReply {
	ext := r.URL.Query().Get("external_id")
	if ext == "" {
		return restReply{status: http.StatusBadRequest, body: errorBody("missing_external_id", "the external_id query parameter is required")}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := struct {
		Orders []any `json:"orders"`
	}{Orders: []any{}}
	for _, o := range c.byExternal[ext] {
		out.Orders = append(out.Orders, c.wire(c.remote(o, now)))
	}
	b, _ := json.Marshal(out)
	return restReply{status: http.StatusOK, body: b}
}

func (c *restCarrier) cancel(r *http.Request, _ []byte, now time.Time) restReply {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orders[r.PathValue("id")]
	if o == nil {
		return restReply{status: http.StatusNotFound, body: errorBody("not_found", "no order with id "+r.PathValue("id"))}
	}
	if o.cancelledAt.IsZero() {
		if !now.Before(o.shipAt) {
			c.counters.CancelsTooLate++
			return restReply{status: http.StatusConflict, body: errorBody("already_shipped",
				fmt.Sprintf("order %s shipped with tracking %s and can no longer be cancelled", o.id, o.tracking))}
		}
		o.cancelledAt = now
		c.counters.Cancels++
	}
	b, _ := json.Marshal(map[string]any{"id": c.wireID(o.id), "status": string(carrier.StatusCancelled)})
	return restReply{status: http.StatusOK, body: b}
}

func (c *restCarrier) snapshot() CarrierCounters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counters.clone()
}

func (c *restCarrier) setFaultScale(s float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faultScale = max(s, 0)
}
