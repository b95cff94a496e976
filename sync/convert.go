package sync

import (
	"strconv"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/policy"
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
		Source:             store.SourceTikTok,
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
		FulfillmentType:    t.FulfillmentType,
		OnHold:             t.IsOnHoldOrder,
		BuyerRequestCancel: t.IsBuyerRequestCancel,
		Milestones: store.Milestones{
			RTSTime: unix(t.RTSTime), CollectionTime: unix(t.CollectionTime), DeliveryTime: unix(t.DeliveryTime),
			CancelTime: unix(t.CancelTime), CancelledBy: t.CancellationInitiator, CancelReason: t.CancelReason,
			TikTokTracking: t.TrackingNumber,
		},
	}
	o.Recipient = recipient(t.RecipientAddress)
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

// recipient maps TikTok's recipient address. The city and the state come
// from district_info by address_level where TikTok defines the levels (US:
// L1 is the state or federal district, L3 the city: changelog "For US
// market: new property address_level added to Orders API"), else by the
// level's name; a UK address's post town is its city (changelog "Post town
// added for UK recipient addresses in the Get Order Detail API").
func recipient(a tiktok.RecipientAddress) store.Address {
	r := store.Address{Name: a.Name, Phone: a.PhoneNumber, PostalCode: a.PostalCode, Country: a.RegionCode}
	for _, l := range []string{a.AddressLine1, a.AddressLine2, a.AddressLine3, a.AddressLine4} {
		if l != "" {
			r.Lines = append(r.Lines, l)
		}
	}
	if len(r.Lines) == 0 && a.AddressDetail != "" {
		r.Lines = []string{a.AddressDetail}
	}
	us := strings.EqualFold(a.RegionCode, "US")
	var byLevelRegion, byLevelCity, byNameRegion, byNameCity, county string
	for _, d := range a.DistrictInfo {
		if d.AddressName == "" {
			continue
		}
		switch {
		case us && strings.EqualFold(d.AddressLevel, "L1"):
			byLevelRegion = d.AddressName
		case us && strings.EqualFold(d.AddressLevel, "L3"):
			byLevelCity = d.AddressName
		}
		switch strings.ToLower(strings.TrimSpace(d.AddressLevelName)) {
		case "country":
			if r.Country == "" {
				r.Country = d.AddressName
			}
		case "state", "province", "region", "federal district":
			byNameRegion = d.AddressName
		case "county":
			county = d.AddressName
		case "city", "town", "post town":
			// The lowest named city wins (US "State | City | City").
			byNameCity = d.AddressName
		}
	}
	r.Region = first(byLevelRegion, byNameRegion, county)
	r.City = first(a.PostTown, byLevelCity, byNameCity)
	r.Masked = masked(a.Name) || masked(a.PhoneNumber) || masked(a.AddressLine1)
	return r
}

// first is the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
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
// returns the order to store and whether anything changed. Where the order
// may go is decided by the push rules (package policy).
func (e *Engine) merge(cur *store.Order, in store.Order, now time.Time) (store.Order, bool) {
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
	el := e.rules.Push(&o, now)
	// notSent: queued or failed, but no 3PL accepted it and none is in
	// doubt, so it may still be stopped here.
	notSent := !o.CancelAtCarrier && (o.Push == nil || o.Push.ExternalID == "" && o.Push.TrackingNumber == "" && !inDoubt(&o))
	unsent := o.State == store.StateNew || o.State == store.StateReady ||
		notSent && (o.State == store.StateQueued || o.State == store.StateFailed)
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
	case o.State == store.StateTikTokShips:
		if el.Verdict != policy.TikTokShips {
			// TikTok handed the order back to the seller.
			e.rules.Place(&o, now)
		}
	case unsent && el.Verdict == policy.TikTokShips:
		o.State, o.Reason, o.NextAttemptAt, o.ErrorClass = store.StateTikTokShips, el.Reason, time.Time{}, ""
	case o.State == store.StateNew && el.OK():
		o.State, o.Reason, o.NextAttemptAt = store.StateReady, "", time.Time{}
	case unsent && shippedElsewhere(o.Status):
		o.State, o.Reason, o.NextAttemptAt = store.StateShipped, "shipped outside shipdeck (status "+string(o.Status)+")", time.Time{}
	case o.State == store.StateNew:
		e.rules.Place(&o, now)
	case !el.OK() && unsent:
		// No longer eligible (on hold again, say) before anything was sent.
		o.State, o.Reason, o.NextAttemptAt = store.StateNew, el.Reason, el.Until
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
