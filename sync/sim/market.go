package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Marketplace endpoint names, as counted in MarketplaceCounters.Calls and
// matched by Fault.Endpoint.
const (
	EndpointShops          = "shops"
	EndpointSearch         = "orders.search"
	EndpointDetail         = "orders.detail"
	EndpointProviders      = "shipping_providers"
	EndpointShip           = "package.ship"
	EndpointUpdateShipping = "shipping_info.update"
	EndpointMarkShipped    = "orders.packages"
	EndpointUpdatePackage  = "package.shipping_info.update"
	EndpointTokenRefresh   = "token.refresh"
	EndpointUnknown        = "unknown"
)

// maxDetailIDs is the order detail endpoint's id limit.
const maxDetailIDs = 50

// market serves the TikTok Shop subset.
type market struct {
	book     *orderBook
	gate     *gate
	clock    TimeSource
	faults   faultQueue
	latency  *latencyModel
	counters marketCounters
	reqSeq   atomic.Uint64
	secret   uint64 // page-token MAC key
	shopName string
	// otherShops are the other shops that authorized the app (guarded by
	// gate.mu, like the ciphers).
	otherShops []tiktok.Shop
	done       <-chan struct{}
	log        *slog.Logger
}

// call is one authenticated request.
type call struct {
	r    *http.Request
	q    url.Values
	body []byte
	now  time.Time
}

type apiHandler func(c *call) (any, error)

func (m *market) register(mux *http.ServeMux) {
	mux.Handle("/authorization/202309/shops", m.api(EndpointShops, http.MethodGet, false, m.shops))
	mux.Handle("/order/202309/orders/search", m.api(EndpointSearch, http.MethodPost, true, m.search))
	mux.Handle("/order/202309/orders", m.api(EndpointDetail, http.MethodGet, true, m.detail))
	mux.Handle("/logistics/202309/delivery_options/{id}/shipping_providers", m.api(EndpointProviders, http.MethodGet, true, m.providers))
	mux.Handle("/fulfillment/202309/packages/{package_id}/ship", m.api(EndpointShip, http.MethodPost, true, m.ship))
	mux.Handle("/fulfillment/202309/orders/{order_id}/shipping_info/update", m.api(EndpointUpdateShipping, http.MethodPost, true, m.updateShipping))
	mux.Handle("/fulfillment/202309/orders/{order_id}/packages", m.api(EndpointMarkShipped, http.MethodPost, true, m.markShipped))
	mux.Handle("/fulfillment/202309/packages/{package_id}/shipping_info/update", m.api(EndpointUpdatePackage, http.MethodPost, true, m.updatePackageShipping))
	mux.HandleFunc("/api/v2/token/refresh", m.tokenRefresh)
	mux.HandleFunc("/", m.unknownPath)
}

func (m *market) count(endpoint string) {
	m.counters.update(func(c *MarketplaceCounters) { c.Calls[endpoint]++ })
}

// requestID is unique per reply and shaped like TikTok's: a Beijing-time
// stamp then hex.
func (m *market) requestID(now time.Time) string {
	n := m.reqSeq.Add(1)
	return fmt.Sprintf("%s%06X%s", now.In(shanghai).Format("20060102150405"), n, hexString(int64(m.secret), n, 10))
}

func (m *market) envelope(now time.Time, code int, msg string, data any) []byte {
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err == nil {
			raw = b
		}
	}
	if raw == nil {
		raw = json.RawMessage("null")
	}
	if msg == "" {
		msg = "Success"
	}
	b, _ := json.Marshal(tiktok.Envelope{Code: code, Message: msg, RequestID: m.requestID(now), Data: raw})
	return b
}

func (m *market) faultReply(now time.Time, body []byte) faultReply {
	return faultReply{
		errorBody:   m.envelope(now, tiktok.CodeInternal, "Internal error. Please try again later.", nil),
		tooMany:     m.envelope(now, tiktok.CodeRateLimited, "Too many requests. You've made too many requests in a short period of time.", nil),
		contentType: "application/json",
		body:        body,
		retryAfter:  1,
	}
}

func (m *market) reject(e *apiError) {
	m.counters.update(func(c *MarketplaceCounters) {
		switch e.counter {
		case rejectSignature:
			c.SignatureRejects++
		case rejectTimestamp:
			c.TimestampRejects++
		case rejectToken:
			c.TokenRejects++
		case rejectRate:
			c.RateLimited++
		case rejectDaily:
			c.QuotaExhausted++
		default:
			c.OtherRejects++
		}
	})
}

// api wraps an endpoint with TikTok's checks, fault injection and latency.
func (m *market) api(endpoint, method string, shopScoped bool, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.count(endpoint)
		now := m.clock.Now()
		if r.Method != method {
			writeJSON(w, http.StatusMethodNotAllowed, m.envelope(now, 36009010, "Invalid method. "+r.Method+" is not supported for this path.", nil), 0)
			return
		}
		body, err := readRequestBody(r)
		if err != nil {
			return // the client went away
		}
		q := r.URL.Query()
		if e := m.gate.check(r, q, body, now, shopScoped); e != nil {
			m.reject(e)
			m.log.Debug("marketplace refused", "endpoint", endpoint, "status", e.status, "code", e.code)
			writeJSON(w, e.status, m.envelope(now, e.code, e.msg, nil), e.retryAfter)
			return
		}
		if kind, ok := m.faults.take(endpoint, false); ok {
			m.counters.update(func(c *MarketplaceCounters) { c.InjectedFaults++ })
			writeFault(w, r, kind, m.faultReply(now, nil), m.done)
			return
		}
		var data any
		if shopScoped && !m.gate.mainShop(q) {
			data, err = otherShop(endpoint)
		} else {
			data, err = h(&call{r: r, q: q, body: body, now: now})
		}
		status, reply := http.StatusOK, []byte(nil)
		var pe *paramError
		var be *bizError
		switch {
		case err == nil:
			reply = m.envelope(now, tiktok.CodeOK, "Success", data)
		case errors.As(err, &be):
			reply = m.envelope(now, be.code, be.msg, data)
		case errors.As(err, &pe):
			status = http.StatusBadRequest
			reply = m.envelope(now, tiktok.CodeOverloaded, pe.msg, nil)
		default:
			status = http.StatusInternalServerError
			reply = m.envelope(now, tiktok.CodeInternal, "Internal error. Please try again later.", nil)
		}
		sleepCtx(r.Context(), m.done, m.latency.draw(marketplaceLatency(now)))
		if kind, ok := m.faults.take(endpoint, true); ok {
			m.counters.update(func(c *MarketplaceCounters) { c.InjectedFaults++ })
			writeFault(w, r, kind, m.faultReply(now, reply), m.done)
			return
		}
		writeJSON(w, status, reply, 0)
	})
}

func (m *market) unknownPath(w http.ResponseWriter, r *http.Request) {
	m.count(EndpointUnknown)
	writeJSON(w, http.StatusNotFound, m.envelope(m.clock.Now(), 36009009, "Invalid path. "+r.URL.Path+" does not exist.", nil), 0)
}

func (m *market) shops(c *call) (any, error) {
	m.gate.mu.Lock()
	defer m.gate.mu.Unlock()
	data := tiktok.ShopsData{Shops: []tiktok.Shop{{
		ID: simShopID, Name: m.shopName, Region: "US", SellerType: "LOCAL",
		Cipher: m.gate.shopCipher, Code: "USLCSIM01",
	}}}
	return tiktok.ShopsData{Shops: append(data.Shops, m.otherShops...)}, nil
}

// otherShop answers a shop-scoped call for another authorized shop, which
// has no orders in the simulator.
func otherShop(endpoint string) (any, error) {
	switch endpoint {
	case EndpointSearch:
		return tiktok.SearchData{Orders: []tiktok.Order{}}, nil
	case EndpointDetail:
		return tiktok.DetailData{Orders: []tiktok.Order{}}, nil
	}
	return nil, &bizError{tiktok.CodeNotSellersOrder, "The order or package does not belong to the current seller."}
}

func (m *market) search(c *call) (any, error) {
	size, err := strconv.Atoi(c.q.Get("page_size"))
	if err != nil || size < 1 || size > 100 {
		return nil, &paramError{"Invalid param error. page_size is required and must be between 1 and 100."}
	}
	q := searchQuery{pageSize: size, pageToken: c.q.Get("page_token"), desc: true}
	switch c.q.Get("sort_field") {
	case "", "create_time":
	case "update_time":
		q.updateSort = true
	default:
		return nil, &paramError{"Invalid param error. sort_field must be create_time or update_time."}
	}
	switch c.q.Get("sort_order") {
	case "", "DESC":
	case "ASC":
		q.desc = false
	default:
		return nil, &paramError{"Invalid param error. sort_order must be ASC or DESC."}
	}
	if len(strings.TrimSpace(string(c.body))) > 0 {
		if err := json.Unmarshal(c.body, &q.filter); err != nil {
			return nil, &paramError{"Invalid param error. The request body is not valid JSON: " + err.Error()}
		}
	}
	return m.book.search(c.now, q, m.secret)
}

func (m *market) detail(c *call) (any, error) {
	var ids []string
	for _, v := range c.q["ids"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	switch {
	case len(ids) == 0:
		return nil, &paramError{"Invalid param error. ids is required."}
	case len(ids) > maxDetailIDs:
		return nil, &paramError{fmt.Sprintf("Invalid param error. ids must not contain more than %d order ids.", maxDetailIDs)}
	}
	return tiktok.DetailData{Orders: m.book.detail(c.now, ids)}, nil
}

func (m *market) providers(c *call) (any, error) {
	opt, ok := deliveryOptions[c.r.PathValue("id")]
	if !ok {
		return nil, &paramError{"Invalid param error. The delivery_option_id does not exist."}
	}
	data := tiktok.ShippingProvidersData{ShippingProviders: []tiktok.ShippingProvider{}}
	for _, id := range opt.Providers {
		data.ShippingProviders = append(data.ShippingProviders, tiktok.ShippingProvider{ID: id, Name: providerNames[id]})
	}
	return data, nil
}

func (m *market) ship(c *call) (any, error) {
	pkg := c.r.PathValue("package_id")
	return fulfil(m, c, pkg, shipRejects, func(req tiktok.ShipPackageRequest) (any, func(*MarketplaceCounters), error) {
		orderID, data, err := m.book.shipPackage(c.now, pkg, req)
		if err == nil {
			m.log.Debug("package shipped", "package", pkg, "order", orderID)
		}
		return data, func(ct *MarketplaceCounters) {
			ct.ShipsByPackage[pkg]++
			ct.ShipsByOrder[orderID]++
		}, err
	})
}

func (m *market) updateShipping(c *call) (any, error) {
	orderID := c.r.PathValue("order_id")
	return fulfil(m, c, orderID, infoRejects, func(req tiktok.UpdateShippingInfoRequest) (any, func(*MarketplaceCounters), error) {
		_, data, err := m.book.updateShippingInfo(c.now, orderID, req)
		return data, func(ct *MarketplaceCounters) { ct.ShippingInfoUpdates[orderID]++ }, err
	})
}

func (m *market) markShipped(c *call) (any, error) {
	orderID := c.r.PathValue("order_id")
	return fulfil(m, c, orderID, shipRejects, func(req tiktok.MarkShippedRequest) (any, func(*MarketplaceCounters), error) {
		data, err := m.book.markShipped(c.now, orderID, req)
		return data, func(ct *MarketplaceCounters) {
			ct.ShipsByPackage[data.PackageID]++
			ct.ShipsByOrder[orderID]++
			ct.MarkedShipped[orderID]++
		}, err
	})
}

func (m *market) updatePackageShipping(c *call) (any, error) {
	pkg := c.r.PathValue("package_id")
	return fulfil(m, c, pkg, infoRejects, func(req tiktok.UpdateShippingInfoRequest) (any, func(*MarketplaceCounters), error) {
		_, data, err := m.book.updatePackageShippingInfo(c.now, pkg, req)
		return data, func(ct *MarketplaceCounters) { ct.PackageInfoUpdates[pkg]++ }, err
	})
}

func shipRejects(ct *MarketplaceCounters) map[string]int { return ct.ShipRejects }
func infoRejects(ct *MarketplaceCounters) map[string]int { return ct.ShippingInfoRejects }

// fulfil runs a fulfilment call: it decodes the body into Req, applies it,
// and counts the outcome under key: a refusal in rejects, a success with
// the counting apply returned.
func fulfil[Req any](m *market, c *call, key string, rejects func(*MarketplaceCounters) map[string]int,
	apply func(Req) (any, func(*MarketplaceCounters), error)) (any, error) {
	var req Req
	if err := json.Unmarshal(c.body, &req); err != nil {
		m.counters.update(func(ct *MarketplaceCounters) { rejects(ct)[key]++ })
		return nil, &paramError{"Invalid param error. The request body is not valid JSON."}
	}
	data, count, err := apply(req)
	m.counters.update(func(ct *MarketplaceCounters) {
		if err != nil {
			rejects(ct)[key]++
			return
		}
		count(ct)
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// tokenRefresh is the token host's refresh call: an unsigned GET with the
// app secret in the query, outside the API quota.
func (m *market) tokenRefresh(w http.ResponseWriter, r *http.Request) {
	m.count(EndpointTokenRefresh)
	now := m.clock.Now()
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, m.envelope(now, 36009010, "Invalid method.", nil), 0)
		return
	}
	if kind, ok := m.faults.take(EndpointTokenRefresh, false); ok {
		m.counters.update(func(c *MarketplaceCounters) { c.InjectedFaults++ })
		writeFault(w, r, kind, m.faultReply(now, nil), m.done)
		return
	}
	data, e := m.gate.refresh(r.URL.Query(), now)
	if e != nil {
		m.reject(e)
		writeJSON(w, e.status, m.envelope(now, e.code, e.msg, nil), 0)
		return
	}
	m.counters.update(func(c *MarketplaceCounters) { c.TokenRefreshes++ })
	writeJSON(w, http.StatusOK, m.envelope(now, tiktok.CodeOK, "success", struct {
		tiktok.TokenData
		OpenID           string   `json:"open_id"`
		SellerName       string   `json:"seller_name"`
		SellerBaseRegion string   `json:"seller_base_region"`
		UserType         int      `json:"user_type"`
		GrantedScopes    []string `json:"granted_scopes"`
	}{data, "sim-open-id-" + simShopID[:6], m.shopName, "US", 0,
		[]string{"seller.order.info", "seller.fulfillment.basic", "seller.logistics", "seller.authorization.info"}}), 0)
}
