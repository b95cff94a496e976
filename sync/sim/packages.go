package sim

import (
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// CodeSplitOrder stands in for TikTok's refusal of an order-level shipping
// info update on a split order (TikTok's page says to use Update Package
// Shipping Info for split orders; its error number is not published).
const CodeSplitOrder = 21011052

// StatusPartiallyShipping is an order with some packages shipped.
const StatusPartiallyShipping = "PARTIALLY_SHIPPING"

// simPackages is what the simulator tracks per package of an order.
type simPackages struct {
	// localSeller orders are a US/UK local seller's: "the package_id and
	// package_status property will not be returned before the package is
	// shipped" (TikTok SDK GetOrderDetailResponseDataOrdersLineItems), so
	// they are written back with Mark Package As Shipped.
	localSeller bool
	shipped     map[string]time.Time // package id → when shipped
	infoUpdated map[string]bool      // package id → shipping info updated
}

// hashShare reports whether id falls in the first share (0..1) of ids,
// decided by a hash so the order's random stream is left as it was.
func hashShare(id string, share float64) bool {
	if share <= 0 {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return float64(h.Sum64()%10000) < share*10000
}

// packageIDs lists the order's package ids in line item order.
func (o *simOrder) packageIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, li := range o.full.LineItems {
		if li.PackageID != "" && !seen[li.PackageID] {
			seen[li.PackageID] = true
			ids = append(ids, li.PackageID)
		}
	}
	return ids
}

// packageShipped reports whether a package of the order was shipped.
func (o *simOrder) packageShipped(id string) bool {
	_, ok := o.pkgs.shipped[id]
	return ok
}

// packageView fills the order's packages as the API shows them: every
// package, except a local seller's unshipped ones, whose ids and statuses
// are not returned.
func (o *simOrder) packageView(v *tiktok.Order) {
	v.Packages = nil
	for _, id := range o.packageIDs() {
		if o.packageHidden(id) {
			continue
		}
		v.Packages = append(v.Packages, tiktok.PackageRef{ID: id})
	}
	for i := range v.LineItems {
		if o.packageHidden(v.LineItems[i].PackageID) {
			v.LineItems[i].PackageID, v.LineItems[i].PackageStatus = "", ""
		}
	}
}

// packageHidden reports whether the API leaves a package out: a local
// seller's package before it ships (however it was shipped: through the
// API or by hand in Seller Center).
func (o *simOrder) packageHidden(id string) bool {
	if !o.pkgs.localSeller || o.packageShipped(id) {
		return false
	}
	switch o.full.Status {
	case StatusAwaitingCollection, StatusInTransit, StatusDelivered, StatusCompleted:
		return false
	}
	return true
}

// newPackageID is a fresh package id, unused in the book.
func (b *orderBook) newPackageID(o *simOrder) string {
	n, _ := strconv.ParseUint(o.packageID, 10, 64)
	for {
		n += 7919
		id := strconv.FormatUint(n, 10)
		if b.byPackage[id] == nil {
			return id
		}
	}
}

// shipItems marks the package(s) holding these line items shipped and
// moves the order on: PARTIALLY_SHIPPING while some package is unshipped,
// else AWAITING_COLLECTION with the carrier's pickup scheduled.
func (b *orderBook) shipPackages(o *simOrder, ids []string, provider, tracking string, now time.Time) {
	if o.pkgs.shipped == nil {
		o.pkgs.shipped = map[string]time.Time{}
	}
	for _, id := range ids {
		o.pkgs.shipped[id] = now
	}
	if o.shippedAt.IsZero() {
		o.shippedAt = now
	}
	o.full.TrackingNumber, o.full.ShippingProviderID = tracking, provider
	o.full.IsBuyerRequestCancel = false // shipping rejects a pending cancellation
	o.full.RTSTime = now.Unix()
	for _, id := range o.packageIDs() {
		if !o.packageShipped(id) {
			b.setStatus(o, StatusPartiallyShipping, now)
			return
		}
	}
	b.setStatus(o, StatusAwaitingCollection, now)
	b.scheduleScan(o, now)
}

// shippable is the status check every ship call makes first.
func shippable(o *simOrder) error {
	switch o.full.Status {
	case StatusAwaitingShipment, StatusPartiallyShipping:
		return nil
	case StatusOnHold:
		return &bizError{CodeOnHold, "Order status is on hold. Please ship the order after the on-hold period ends."}
	case StatusUnpaid, StatusCancelled:
		return &bizError{CodeNotShippable, "The order cannot be shipped in its current status: " + o.full.Status + "."}
	}
	return &bizError{CodePackageShipped, "package already shipped"}
}

// markShipped is Mark Package As Shipped: the items named (all unshipped
// items when none are) become one shipped package, whose id is returned.
func (b *orderBook) markShipped(now time.Time, orderID string, req tiktok.MarkShippedRequest) (tiktok.MarkShippedData, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	var data tiktok.MarkShippedData
	o := b.orders[orderID]
	if o == nil {
		return data, &bizError{tiktok.CodeNotSellersOrder, "The order or package does not belong to the current seller."}
	}
	if err := shippable(o); err != nil {
		return data, err
	}
	if err := checkTracking(o, req.ShippingProviderID, req.TrackingNumber); err != nil {
		return data, err
	}
	all := len(req.OrderLineItemIDs) == 0
	want := map[string]bool{}
	for _, id := range req.OrderLineItemIDs {
		want[id] = true
	}
	var items []int
	for i, li := range o.full.LineItems {
		if o.packageShipped(li.PackageID) {
			if want[li.ID] {
				return data, &bizError{CodePackageShipped, "Line item " + li.ID + " is already shipped."}
			}
			continue
		}
		if all || want[li.ID] {
			items = append(items, i)
			delete(want, li.ID)
		}
	}
	if len(want) > 0 || len(items) == 0 {
		return data, &paramError{"Invalid param error. order_line_item_ids must name unshipped line items of the order."}
	}
	// The shipped items form one package: their current one when it holds
	// exactly them, else a new one split off.
	pkg := o.full.LineItems[items[0]].PackageID
	for _, i := range items {
		if o.full.LineItems[i].PackageID != pkg {
			pkg = ""
		}
	}
	if pkg != "" {
		for _, li := range o.full.LineItems {
			if li.PackageID == pkg && !containsItem(o.full.LineItems, items, li.ID) {
				pkg = ""
				break
			}
		}
	}
	if pkg == "" {
		pkg = b.newPackageID(o)
		b.byPackage[pkg] = o
		for _, i := range items {
			o.full.LineItems[i].PackageID = pkg
		}
	}
	b.shipPackages(o, []string{pkg}, req.ShippingProviderID, req.TrackingNumber, now)
	data = tiktok.MarkShippedData{OrderID: o.full.ID, PackageID: pkg}
	for _, i := range items {
		data.OrderLineItemIDs = append(data.OrderLineItemIDs, o.full.LineItems[i].ID)
	}
	if w := trackingWarnings(req.ShippingProviderID, req.TrackingNumber); len(w) > 0 {
		data.Warning = &w[0]
	}
	return data, nil
}

func containsItem(items []tiktok.LineItem, idx []int, id string) bool {
	for _, i := range idx {
		if items[i].ID == id {
			return true
		}
	}
	return false
}

// split moves the second half of an unshipped order's line items to a new
// package, as a seller's split in Seller Center does, and returns the
// order's package ids.
func (b *orderBook) split(now time.Time, orderID string) ([]string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	o := b.orders[orderID]
	if o == nil || len(o.full.LineItems) < 2 || len(o.pkgs.shipped) > 0 || shippable(o) != nil {
		return nil, false
	}
	pkg := b.newPackageID(o)
	b.byPackage[pkg] = o
	for i := len(o.full.LineItems) / 2; i < len(o.full.LineItems); i++ {
		o.full.LineItems[i].PackageID = pkg
	}
	b.touch(o, now)
	ids := o.packageIDs()
	b.notifyLocked(tiktok.NotifyPackageUpdate, tiktok.PackageUpdate{
		ScType: "SPLIT", RoleType: "SELLER", UpdateTime: now.Unix(),
		PackageList: packageList(o, ids),
	}, now)
	return ids, true
}

func packageList(o *simOrder, ids []string) []tiktok.PackageOrders {
	out := make([]tiktok.PackageOrders, 0, len(ids))
	for _, id := range ids {
		out = append(out, tiktok.PackageOrders{PackageID: id, OrderIDList: []string{o.full.ID}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PackageID < out[j].PackageID })
	return out
}

// updatePackageShippingInfo corrects one shipped package's tracking: once,
// within 72 hours of its shipping.
func (b *orderBook) updatePackageShippingInfo(now time.Time, packageID string, req tiktok.UpdateShippingInfoRequest) (string, tiktok.ShipData, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	var data tiktok.ShipData
	o := b.byPackage[packageID]
	if o == nil {
		return "", data, &bizError{tiktok.CodeNotSellersOrder, "The order or package does not belong to the current seller."}
	}
	at, ok := o.pkgs.shipped[packageID]
	switch {
	case !ok:
		return o.full.ID, data, &bizError{CodeNotShipped, "The package has not been shipped, so its shipping information cannot be updated."}
	case now.Sub(at) > updateInfoLimit:
		return o.full.ID, data, &bizError{CodeUpdateWindowClosed, "Shipping information can only be updated within 72 hours after shipping."}
	case o.pkgs.infoUpdated[packageID]:
		return o.full.ID, data, &bizError{CodeAlreadyUpdated, "Shipping information has already been updated once for this package."}
	}
	if err := checkTracking(o, req.ShippingProviderID, req.TrackingNumber); err != nil {
		return o.full.ID, data, err
	}
	if o.pkgs.infoUpdated == nil {
		o.pkgs.infoUpdated = map[string]bool{}
	}
	o.pkgs.infoUpdated[packageID] = true
	o.full.TrackingNumber, o.full.ShippingProviderID = req.TrackingNumber, req.ShippingProviderID
	b.touch(o, now)
	data.Warnings = trackingWarnings(req.ShippingProviderID, req.TrackingNumber)
	return o.full.ID, data, nil
}
