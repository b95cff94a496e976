package sim

import (
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Business error codes the simulated fulfillment endpoints return. The
// first four are TikTok's documented codes; CodeNotShippable and
// CodeNotShipped stand in for TikTok's status errors.
const (
	CodePackageShipped     = tiktok.CodePackageShipped // a second ship of the same package
	CodeOnHold             = 21011044                  // shipping an ON_HOLD order
	CodeInvalidTracking    = 21011022                  // bad tracking number or provider
	CodeSpecialCharacters  = 21004012                  // tracking number with special characters
	CodeUpdateWindowClosed = 21011049                  // shipping info update more than 72 h after shipping
	CodeAlreadyUpdated     = 21011050                  // shipping info may be updated once
	CodeNotShipped         = 21011051                  // shipping info update of an unshipped order
	CodeNotShippable       = 21011005                  // unpaid or cancelled order
)

// bizError is a refusal in a well-formed reply (HTTP 200, code != 0).
type bizError struct {
	code int
	msg  string
}

func (e *bizError) Error() string { return e.msg }

// shipPackage records a seller's tracking write-back and moves the order to
// AWAITING_COLLECTION; the carrier's first scan moves it to IN_TRANSIT later.
func (b *orderBook) shipPackage(now time.Time, packageID string, req tiktok.ShipPackageRequest) (orderID string, data tiktok.ShipData, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	o := b.byPackage[packageID]
	if o == nil {
		return "", data, &bizError{tiktok.CodeNotSellersOrder, "The order or package does not belong to the current seller."}
	}
	orderID = o.full.ID
	if o.packageShipped(packageID) {
		return orderID, data, &bizError{CodePackageShipped, "package already shipped"}
	}
	if err := shippable(o); err != nil {
		return orderID, data, err
	}
	if req.SelfShipment == nil {
		return orderID, data, &paramError{"Invalid param error. self_shipment is required for packages shipped by the seller."}
	}
	if err := checkTracking(o, req.SelfShipment.ShippingProviderID, req.SelfShipment.TrackingNumber); err != nil {
		return orderID, data, err
	}
	b.shipPackages(o, []string{packageID}, req.SelfShipment.ShippingProviderID, req.SelfShipment.TrackingNumber, now)
	data.Warnings = trackingWarnings(req.SelfShipment.ShippingProviderID, req.SelfShipment.TrackingNumber)
	return orderID, data, nil
}

// updateShippingInfo corrects the tracking of a shipped order: once, and
// only within 72 hours of shipping.
func (b *orderBook) updateShippingInfo(now time.Time, orderID string, req tiktok.UpdateShippingInfoRequest) (packageID string, data tiktok.ShipData, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	o := b.orders[orderID]
	if o == nil {
		return "", data, &bizError{tiktok.CodeNotSellersOrder, "The order or package does not belong to the current seller."}
	}
	if o.shippedAt.IsZero() {
		return o.packageID, data, &bizError{CodeNotShipped, "The order has not been shipped, so its shipping information cannot be updated."}
	}
	if len(o.packageIDs()) > 1 {
		return o.packageID, data, &bizError{CodeSplitOrder, "This order is split into several packages. Please use the Update Package Shipping Info API."}
	}
	if now.Sub(o.shippedAt) > updateInfoLimit {
		return o.packageID, data, &bizError{CodeUpdateWindowClosed, "Shipping information can only be updated within 72 hours after shipping."}
	}
	if o.infoUpdated {
		return o.packageID, data, &bizError{CodeAlreadyUpdated, "Shipping information has already been updated once for this order."}
	}
	if err := checkTracking(o, req.ShippingProviderID, req.TrackingNumber); err != nil {
		return o.packageID, data, err
	}
	o.infoUpdated = true
	o.full.TrackingNumber = req.TrackingNumber
	o.full.ShippingProviderID = req.ShippingProviderID
	b.touch(o, now)
	data.Warnings = trackingWarnings(req.ShippingProviderID, req.TrackingNumber)
	return o.packageID, data, nil
}

func checkTracking(o *simOrder, providerID, tracking string) error {
	if tracking == "" || providerID == "" {
		return &bizError{CodeInvalidTracking, "Invalid tracking number or shipping provider: both are required."}
	}
	if !optionAllows(o.full.DeliveryOptionID, providerID) {
		return &bizError{CodeInvalidTracking, "The shipping provider is not available for this order's delivery option."}
	}
	for _, r := range tracking {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return &bizError{CodeSpecialCharacters, "The tracking number contains special characters."}
		}
	}
	if len(tracking) < 8 || len(tracking) > 40 {
		return &bizError{CodeInvalidTracking, "The tracking number length is invalid."}
	}
	return nil
}

// trackingWarnings mirrors TikTok's non-fatal check that a tracking number
// looks like one of the named provider's.
func trackingWarnings(providerID, tracking string) []tiktok.Warning {
	if looksLike(providerID, tracking) {
		return nil
	}
	return []tiktok.Warning{{Message: "The tracking number does not match the format of " +
		providerNames[providerID] + ". Please check the tracking number and shipping provider."}}
}

func looksLike(providerID, t string) bool {
	allDigits := strings.Trim(t, "0123456789") == ""
	switch providerID {
	case ProviderUPS:
		return strings.HasPrefix(t, "1Z") && len(t) == 18
	case ProviderUSPS:
		return allDigits && len(t) >= 20 && len(t) <= 22 && t[0] == '9'
	case ProviderFedEx:
		return allDigits && (len(t) == 12 || len(t) == 15)
	case ProviderDHLECommerce:
		return strings.HasPrefix(t, "GM") || strings.HasPrefix(t, "420")
	}
	return true
}
