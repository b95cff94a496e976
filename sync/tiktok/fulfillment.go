package tiktok

import (
	"context"
	"fmt"
	"net/http"
)

// Endpoint names of the fulfilment calls for local sellers and split
// orders.
const (
	EndpointMarkPackageShipped        = "fulfillment.mark_package_as_shipped"
	EndpointUpdatePackageShippingInfo = "fulfillment.update_package_shipping_info"
)

// MarkShippedRequest is the body of Mark Package As Shipped
// (POST /fulfillment/202309/orders/{order_id}/packages). Without
// OrderLineItemIDs the whole order ships as one package.
//
// Source: TikTok's official SDK fulfillmentV202309Api
// MarkPackageAsShippedRequestBody; markets US, UK, ES, IE, IT, DE, FR, JP.
type MarkShippedRequest struct {
	TrackingNumber     string   `json:"tracking_number"`
	ShippingProviderID string   `json:"shipping_provider_id"`
	OrderLineItemIDs   []string `json:"order_line_item_ids,omitempty"`
}

// MarkShippedData is the data of a Mark Package As Shipped reply: the
// package TikTok created for the shipped items, and a warning when the
// tracking number does not look like the provider's.
type MarkShippedData struct {
	OrderID          string   `json:"order_id"`
	OrderLineItemIDs []string `json:"order_line_item_ids,omitempty"`
	PackageID        string   `json:"package_id"`
	Warning          *Warning `json:"warning,omitempty"`
}

// MarkPackageShipped writes a local seller's tracking back when the order
// has no package yet: US and UK local sellers' line items carry no
// package_id before shipment ("the package_id and package_status property
// will not be returned before the package is shipped", SDK
// GetOrderDetailResponseDataOrdersLineItems). TikTok answers with the
// package it created.
func (c *Client) MarkPackageShipped(ctx context.Context, orderID string, req MarkShippedRequest) (MarkShippedData, error) {
	const name = EndpointMarkPackageShipped
	if !validID(orderID, maxIDLen) {
		return MarkShippedData{}, badRequest(name, fmt.Sprintf("invalid order id %q", cleanText(orderID, maxIDLen)))
	}
	if req.TrackingNumber == "" || req.ShippingProviderID == "" {
		return MarkShippedData{}, badRequest(name, "a tracking number and a shipping provider id are required")
	}
	for _, id := range req.OrderLineItemIDs {
		if !validID(id, maxIDLen) {
			return MarkShippedData{}, badRequest(name, fmt.Sprintf("invalid line item id %q", cleanText(id, maxIDLen)))
		}
	}
	ep := endpoint{name: name, method: http.MethodPost, shopScoped: true, needData: true,
		path: "/fulfillment/202309/orders/" + orderID + "/packages"}
	var data MarkShippedData
	meta, err := c.call(ctx, ep, nil, req, &data)
	if err != nil {
		return MarkShippedData{}, err
	}
	if data.PackageID == "" {
		return MarkShippedData{}, malformed(name, meta, "reply has no package_id")
	}
	return data, nil
}

// UpdatePackageShippingInfo corrects the tracking of one package of a
// shipped order. TikTok's Update Shipping Info page says split orders must
// use it ("please use the Update Package Shipping Info API").
func (c *Client) UpdatePackageShippingInfo(ctx context.Context, packageID string, req UpdateShippingInfoRequest) (ShipData, error) {
	const name = EndpointUpdatePackageShippingInfo
	if !validID(packageID, maxIDLen) {
		return ShipData{}, badRequest(name, fmt.Sprintf("invalid package id %q", cleanText(packageID, maxIDLen)))
	}
	if req.TrackingNumber == "" || req.ShippingProviderID == "" {
		return ShipData{}, badRequest(name, "a tracking number and a shipping provider id are required")
	}
	ep := endpoint{name: name, method: http.MethodPost, shopScoped: true,
		path: "/fulfillment/202309/packages/" + packageID + "/shipping_info/update"}
	var data ShipData
	if _, err := c.call(ctx, ep, nil, req, &data); err != nil {
		return ShipData{}, err
	}
	return data, nil
}
