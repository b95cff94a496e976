package sync

import (
	"strconv"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// unix turns TikTok's Unix seconds into a UTC time (zero stays zero).
func unix(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// fromTikTok maps a TikTok order onto the store's marketplace fields. The
// local state is left for merge to decide.
func fromTikTok(t tiktok.Order) store.Order {
	o := store.Order{
		ID:                 t.ID,
		Status:             store.NormalizeStatus(t.Status),
		Source:             "tiktok",
		CreateTime:         unix(t.CreateTime),
		UpdateTime:         unix(t.UpdateTime),
		PaidTime:           unix(t.PaidTime),
		RTSSLATime:         unix(t.RTSSLATime),
		TTSSLATime:         unix(t.TTSSLATime),
		ShippingDueTime:    unix(t.ShippingDueTime),
		CollectionDueTime:  unix(t.CollectionDueTime),
		DeliveryDueTime:    unix(t.DeliveryDueTime),
		DeliveryOptionID:   t.DeliveryOptionID,
		DeliveryOptionName: t.DeliveryOptionName,
		ShippingType:       t.ShippingType,
		OnHold:             t.IsOnHoldOrder,
		BuyerRequestCancel: t.IsBuyerRequestCancel,
		Milestones: store.Milestones{
			RTSTime: unix(t.RTSTime), CollectionTime: unix(t.CollectionTime), DeliveryTime: unix(t.DeliveryTime),
			CancelTime: unix(t.CancelTime), CancelledBy: t.CancellationInitiator, CancelReason: t.CancelReason,
			TikTokTracking: t.TrackingNumber,
		},
	}
	a := t.RecipientAddress
	o.Recipient = store.Address{Name: a.Name, Phone: a.PhoneNumber, PostalCode: a.PostalCode, Country: a.RegionCode}
	for _, l := range []string{a.AddressLine1, a.AddressLine2, a.AddressLine3, a.AddressLine4} {
		if l != "" {
			o.Recipient.Lines = append(o.Recipient.Lines, l)
		}
	}
	if len(o.Recipient.Lines) == 0 && a.AddressDetail != "" {
		o.Recipient.Lines = []string{a.AddressDetail}
	}
	for _, d := range a.DistrictInfo {
		switch strings.ToLower(d.AddressLevelName) {
		case "country":
			if o.Recipient.Country == "" {
				o.Recipient.Country = d.AddressName
			}
		case "state", "province", "region":
			o.Recipient.Region = d.AddressName
		case "city":
			o.Recipient.City = d.AddressName
		}
	}
	o.Recipient.Masked = masked(a.Name) || masked(a.PhoneNumber) || masked(a.AddressLine1)
	seenPkg := map[string]bool{}
	for _, p := range t.Packages {
		if p.ID != "" && !seenPkg[p.ID] {
			seenPkg[p.ID] = true
			o.Packages = append(o.Packages, store.Package{ID: p.ID})
		}
	}
	for _, li := range t.LineItems {
		o.LineItems = append(o.LineItems, store.LineItem{
			ID: li.ID, SKU: li.SellerSku, ProductName: li.ProductName, Quantity: 1,
			PriceCents: cents(li.SalePrice), WeightGrams: skuWeight(li.SellerSku), PackageID: li.PackageID,
		})
		if li.PackageID != "" && !seenPkg[li.PackageID] {
			seenPkg[li.PackageID] = true
			o.Packages = append(o.Packages, store.Package{ID: li.PackageID})
		}
	}
	o.LineItems = mergeLines(o.LineItems)
	return o
}

// mergeLines folds TikTok's one-line-per-unit items into quantities.
func mergeLines(in []store.LineItem) []store.LineItem {
	var out []store.LineItem
	idx := map[string]int{}
	for _, li := range in {
		if i, ok := idx[li.SKU]; ok && li.SKU != "" {
			out[i].Quantity++
			continue
		}
		idx[li.SKU] = len(out)
		out = append(out, li)
	}
	return out
}

// masked reports whether TikTok desensitized a field ("J*** D***").
func masked(s string) bool { return strings.Contains(s, "***") }

// cents parses a decimal price string such as "12.99".
func cents(s string) int64 {
	if s == "" {
		return 0
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "00")[:2]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0
	}
	return w*100 + f
}

// skuWeight is the default unit weight when TikTok sends none: a paperback.
func skuWeight(string) int { return 400 }

// eligible reports whether an order may be pushed, and if not, why.
func eligible(o *store.Order) (bool, string) {
	switch {
	case o.Status == store.StatusUnpaid:
		return false, "unpaid"
	case o.OnHold || o.Status == store.StatusOnHold:
		return false, "on hold: the buyer may still cancel"
	case o.BuyerRequestCancel:
		// CANCELLATION_STATUS_CHANGE / is_buyer_request_cancel: pushing now
		// could ship an order the buyer is about to cancel.
		return false, "the buyer asked to cancel: waiting for the decision on TikTok"
	case o.Recipient.Masked:
		return false, "address is masked"
	case o.Status == store.StatusAwaitingShipment || o.Status == store.StatusPartiallyShipping:
		return true, ""
	}
	return false, "status " + string(o.Status)
}

// mayBeAtCarrier reports whether the order's current push may have reached
// its 3PL: accepted, in doubt, or tried at least once. Such an order is
// cancelled at the 3PL, not just locally, and re-routed only after the old
// 3PL was checked.
func mayBeAtCarrier(o *store.Order) bool {
	if o.Push == nil {
		return false
	}
	switch {
	case o.Push.ExternalID != "", o.Push.TrackingNumber != "":
		return true
	case o.State == store.StateUnknown, o.HeldFrom == store.StateUnknown, o.ErrorClass == "unknown":
		return true
	case o.State == store.StatePushed, o.State == store.StateTracking, o.HeldFrom == store.StatePushed, o.HeldFrom == store.StateTracking:
		return true
	}
	return o.Attempts > 0
}

// inDoubt reports whether the order's push may have landed without the 3PL
// having said so.
func inDoubt(o *store.Order) bool {
	return o.Push != nil && o.Push.ExternalID == "" &&
		(o.State == store.StateUnknown || o.HeldFrom == store.StateUnknown || o.ErrorClass == "unknown")
}

// merge folds a freshly fetched order into the stored one (nil if new) and
// returns the order to store and whether anything changed.
func merge(cur *store.Order, in store.Order, now time.Time) (store.Order, bool) {
	if cur != nil && !in.UpdateTime.After(cur.UpdateTime) && in.Status == cur.Status && in.OnHold == cur.OnHold {
		return *cur, false
	}
	var o store.Order
	if cur == nil {
		o = in
		o.StoredAt = now
		o.State = store.StateNew
	} else {
		o = cur.Clone()
		local := o
		o = in
		o.Source = local.Source
		o.State, o.Reason, o.ErrorClass, o.Push = local.State, local.Reason, local.ErrorClass, local.Push
		o.Attempts, o.NextAttemptAt, o.HeldFrom = local.Attempts, local.NextAttemptAt, local.HeldFrom
		o.CancelAtCarrier, o.Warnings, o.ShippedAt = local.CancelAtCarrier, local.Warnings, local.ShippedAt
		o.WriteBackAttempts, o.StoredAt, o.ChangedAt, o.Version = local.WriteBackAttempts, local.StoredAt, local.ChangedAt, local.Version
	}
	var seen store.Milestones
	if cur != nil {
		seen = cur.Milestones
	}
	o.Milestones = in.Milestones.Observe(seen, o.Status, now)
	ok, why := eligible(&o)
	// notSent: queued or failed, but no 3PL accepted it and none is in
	// doubt, so it may still be stopped here.
	notSent := !o.CancelAtCarrier && (o.Push == nil || o.Push.ExternalID == "" && o.Push.TrackingNumber == "" && !inDoubt(&o))
	switch {
	case o.Status == store.StatusCancelled:
		switch {
		case o.State == store.StateCancelled, o.CancelAtCarrier:
		case o.State == store.StateShipped:
			o.Reason = "cancelled on TikTok after tracking was written back"
		case o.State == store.StatePushing:
			// In flight: the push's result hands it to the cancel step.
			o.CancelAtCarrier = true
		case mayBeAtCarrier(&o):
			// At (or possibly at) the 3PL: cancel it there before anything else.
			o.CancelAtCarrier, o.HeldFrom = true, ""
			o.Reason = "cancelled on TikTok: cancelling at " + o.Carrier()
			if o.State != store.StateUnknown {
				o.State, o.NextAttemptAt, o.ErrorClass = store.StateFailed, now, "cancel"
			}
		default:
			o.State, o.Reason, o.NextAttemptAt, o.HeldFrom = store.StateCancelled, "cancelled on TikTok", time.Time{}, ""
		}
	case o.State == store.StateNew && ok:
		o.State, o.Reason = store.StateReady, ""
	case (o.State == store.StateNew || o.State == store.StateReady || notSent && (o.State == store.StateQueued || o.State == store.StateFailed)) &&
		shippedElsewhere(o.Status):
		o.State, o.Reason, o.NextAttemptAt = store.StateShipped, "shipped outside shipdeck (status "+string(o.Status)+")", time.Time{}
	case o.State == store.StateNew:
		o.Reason = why
	case !ok && (o.State == store.StateReady || notSent && (o.State == store.StateQueued || o.State == store.StateFailed)):
		// No longer eligible (on hold again, say) before anything was sent.
		o.State, o.Reason, o.NextAttemptAt = store.StateNew, why, time.Time{}
	}
	return o, true
}

// shippedElsewhere reports statuses past dispatch.
func shippedElsewhere(s store.MarketStatus) bool {
	switch s {
	case store.StatusAwaitingCollection, store.StatusInTransit, store.StatusDelivered, store.StatusCompleted:
		return true
	}
	return false
}
