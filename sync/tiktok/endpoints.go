package tiktok

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Endpoint names, as Call.Endpoint and APIError.Endpoint carry them.
const (
	EndpointShops              = "authorization.shops"
	EndpointSearchOrders       = "order.search"
	EndpointOrderDetail        = "order.detail"
	EndpointShippingProviders  = "logistics.shipping_providers"
	EndpointShipPackage        = "fulfillment.ship_package"
	EndpointUpdateShippingInfo = "fulfillment.update_shipping_info"
	EndpointRefreshToken       = "auth.token_refresh"
)

// Request limits TikTok documents.
const (
	MaxPageSize  = 100
	MaxDetailIDs = 50
)

// maxIDLen bounds an id accepted into a path or an ids list.
const maxIDLen = 64

// Shops lists the shops that authorized the app, with the cipher each
// shop-scoped call needs. It sends no shop_cipher (TikTok refuses one
// here).
func (c *Client) Shops(ctx context.Context) ([]Shop, error) {
	ep := endpoint{name: EndpointShops, method: http.MethodGet, path: "/authorization/202309/shops", needData: true}
	var data ShopsData
	meta, err := c.call(ctx, ep, nil, nil, &data)
	if err != nil {
		return nil, err
	}
	for i, s := range data.Shops {
		if s.ID == "" || s.Cipher == "" {
			return nil, malformed(ep.name, meta, fmt.Sprintf("shop %d of the reply has no id or cipher", i))
		}
	}
	return data.Shops, nil
}

// SearchOrders returns one page of orders matching req, oldest update
// first (sort_field=update_time, sort_order=ASC) so a cursor on
// update_time never skips an order. pageSize is 1..MaxPageSize; pageToken
// is "" for the first page.
func (c *Client) SearchOrders(ctx context.Context, req SearchRequest, pageToken string, pageSize int) (SearchData, error) {
	ep := endpoint{name: EndpointSearchOrders, method: http.MethodPost, path: "/order/202309/orders/search",
		shopScoped: true, needData: true}
	if pageSize < 1 || pageSize > MaxPageSize {
		return SearchData{}, badRequest(ep.name, fmt.Sprintf("page size %d is outside 1..%d", pageSize, MaxPageSize))
	}
	params := url.Values{
		"page_size":  {strconv.Itoa(pageSize)},
		"page_token": {pageToken},
		"sort_field": {"update_time"},
		"sort_order": {"ASC"},
	}
	var data SearchData
	if _, err := c.call(ctx, ep, params, req, &data); err != nil {
		return SearchData{}, err
	}
	return data, nil
}

// OrderDetail returns the full orders for ids (at most MaxDetailIDs; more
// is an error and nothing is sent). No ids means no call.
func (c *Client) OrderDetail(ctx context.Context, ids []string) ([]Order, error) {
	ep := endpoint{name: EndpointOrderDetail, method: http.MethodGet, path: "/order/202309/orders",
		shopScoped: true, needData: true}
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxDetailIDs {
		return nil, badRequest(ep.name, fmt.Sprintf("%d order ids, at most %d per call", len(ids), MaxDetailIDs))
	}
	for _, id := range ids {
		if !validID(id, maxIDLen) {
			return nil, badRequest(ep.name, fmt.Sprintf("invalid order id %q", cleanText(id, maxIDLen)))
		}
	}
	var data DetailData
	if _, err := c.call(ctx, ep, url.Values{"ids": {strings.Join(ids, ",")}}, nil, &data); err != nil {
		return nil, err
	}
	return data.Orders, nil
}

// ShippingProviders lists the carriers TikTok accepts for a delivery
// option (an order's delivery_option_id).
func (c *Client) ShippingProviders(ctx context.Context, deliveryOptionID string) ([]ShippingProvider, error) {
	const name = EndpointShippingProviders
	if !validID(deliveryOptionID, maxIDLen) {
		return nil, badRequest(name, fmt.Sprintf("invalid delivery option id %q", cleanText(deliveryOptionID, maxIDLen)))
	}
	ep := endpoint{name: name, method: http.MethodGet, shopScoped: true, needData: true,
		path: "/logistics/202309/delivery_options/" + deliveryOptionID + "/shipping_providers"}
	var data ShippingProvidersData
	if _, err := c.call(ctx, ep, nil, nil, &data); err != nil {
		return nil, err
	}
	return data.ShippingProviders, nil
}

// ShipPackage marks a package shipped; with SelfShipment it writes the
// seller's tracking number back to TikTok.
func (c *Client) ShipPackage(ctx context.Context, packageID string, req ShipPackageRequest) (ShipData, error) {
	const name = EndpointShipPackage
	if !validID(packageID, maxIDLen) {
		return ShipData{}, badRequest(name, fmt.Sprintf("invalid package id %q", cleanText(packageID, maxIDLen)))
	}
	if s := req.SelfShipment; s != nil && (s.TrackingNumber == "" || s.ShippingProviderID == "") {
		return ShipData{}, badRequest(name, "self shipment needs a tracking number and a shipping provider id")
	}
	ep := endpoint{name: name, method: http.MethodPost, shopScoped: true,
		path: "/fulfillment/202309/packages/" + packageID + "/ship"}
	var data ShipData
	if _, err := c.call(ctx, ep, nil, req, &data); err != nil {
		return ShipData{}, err
	}
	return data, nil
}

// UpdateShippingInfo corrects the tracking of a shipped order (TikTok
// allows it within 72 hours of shipping, for seller-shipped orders).
func (c *Client) UpdateShippingInfo(ctx context.Context, orderID string, req UpdateShippingInfoRequest) (ShipData, error) {
	const name = EndpointUpdateShippingInfo
	if !validID(orderID, maxIDLen) {
		return ShipData{}, badRequest(name, fmt.Sprintf("invalid order id %q", cleanText(orderID, maxIDLen)))
	}
	if req.TrackingNumber == "" || req.ShippingProviderID == "" {
		return ShipData{}, badRequest(name, "a tracking number and a shipping provider id are required")
	}
	ep := endpoint{name: name, method: http.MethodPost, shopScoped: true,
		path: "/fulfillment/202309/orders/" + orderID + "/shipping_info/update"}
	var data ShipData
	if _, err := c.call(ctx, ep, nil, req, &data); err != nil {
		return ShipData{}, err
	}
	return data, nil
}

// badRequest is a request refused before sending: nothing went out and no
// quota was spent.
func badRequest(endpoint, reason string) *APIError {
	return &APIError{Endpoint: endpoint, Class: ClassBadRequest, Reason: reason + " (not sent)"}
}

// malformed is a successful reply whose content is unusable.
func malformed(endpoint string, meta replyMeta, reason string) *APIError {
	return &APIError{Endpoint: endpoint, RequestID: meta.RequestID, HTTPStatus: meta.HTTPStatus,
		Class: ClassMalformed, Reason: reason}
}
