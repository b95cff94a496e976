package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Order statuses as TikTok sends them.
const (
	StatusUnpaid             = "UNPAID"
	StatusOnHold             = "ON_HOLD"
	StatusAwaitingShipment   = "AWAITING_SHIPMENT"
	StatusAwaitingCollection = "AWAITING_COLLECTION"
	StatusInTransit          = "IN_TRANSIT"
	StatusDelivered          = "DELIVERED"
	StatusCompleted          = "COMPLETED"
	StatusCancelled          = "CANCELLED"
)

// Order deadlines relative to the order's creation.
const (
	rtsSLA          = 2 * 24 * time.Hour
	ttsSLA          = 3 * 24 * time.Hour
	deliveryDue     = 6 * 24 * time.Hour
	shippingDue     = 7 * 24 * time.Hour // auto-cancel if still unshipped
	collectionDue   = 9 * 24 * time.Hour
	updateInfoLimit = 72 * time.Hour // shipping info may be corrected this long after shipping
)

// simOrder is one marketplace order with everything the simulator needs to
// move it through its life. full holds the unmasked order; view() derives
// what the API shows at the order's current status.
type simOrder struct {
	full         tiktok.Order
	packageID    string
	alwaysMasked bool // masked even once shippable (platform quirk)
	// onHold orders take TikTok's new flow (UNPAID → ON_HOLD for about an
	// hour → AWAITING_SHIPMENT, is_on_hold_order true); the others the old
	// one (UNPAID → AWAITING_SHIPMENT, is_on_hold_order false), where the
	// buyer may still cancel for an hour after paying.
	onHold bool
	// tiktokShips orders are shipped by TikTok (shipping_type TIKTOK, or
	// fulfilled by TikTok): TikTok moves them on at tiktokShipAt.
	tiktokShips  bool
	tiktokShipAt time.Time

	// plan, decided at generation
	payAt        time.Time // zero: never paid
	holdUntil    time.Time
	cancelReqAt  time.Time // buyer asks to cancel
	cancelAt     time.Time // cancellation takes effect
	cancelReason string
	transitFor   time.Duration
	collectIn    time.Duration

	// what happened
	shippedAt   time.Time
	infoUpdated bool
	pkgs        simPackages // packages.go

	// scanFixed orders had their first scan set by a test (SetScan);
	// scanNever ones are never scanned by the carrier.
	scanFixed, scanNever bool
}

// orderRNG is the per-order random stream: seeded by the sim seed and the
// arrival instant, so the same arrival always yields the same order.
func orderRNG(seed int64, at time.Time) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^0x5851f42d4c957f2d, uint64(at.UnixNano())))
}

// generateOrder builds the order that arrives at 'at'.
func generateOrder(seed int64, at time.Time) *simOrder {
	rng := orderRNG(seed, at)
	created := at.Truncate(time.Second)
	o := &simOrder{}
	id := "57" + randDigits(rng, 16)
	o.packageID = "11529" + randDigits(rng, 14)

	place := usPlaces[rng.IntN(len(usPlaces))]
	name := buyerNames[rng.IntN(len(buyerNames))]
	if rng.Float64() < 0.03 {
		name = hostileNames[rng.IntN(len(hostileNames))]
	}
	line1 := streets[rng.IntN(len(streets))]
	if rng.Float64() < 0.05 {
		line1 = fmt.Sprintf("PO Box %d", 100+rng.IntN(9000))
	}
	line2 := ""
	if rng.Float64() < 0.4 {
		line2 = secondLines[rng.IntN(len(secondLines))]
	}
	first, last, _ := strings.Cut(name, " ")
	phone := "(+1)" + []string{"512", "206", "718", "312", "303", "305", "503", "619"}[rng.IntN(8)] + "555" + randDigits(rng, 4)
	addr := tiktok.RecipientAddress{
		Name: name, FirstName: first, LastName: last, PhoneNumber: phone,
		AddressLine1: line1, AddressLine2: line2,
		AddressDetail: line2, PostalCode: place.Postal, RegionCode: "US",
		FullAddress:  strings.Join(nonEmpty(line1, line2, place.City, place.State+" "+place.Postal, "United States"), ", "),
		DistrictInfo: usDistricts(place),
	}

	option := DeliveryStandard
	if rng.Float64() < 0.15 {
		option = DeliveryExpress
	}
	units := 1 + rng.IntN(3)
	var items []tiktok.LineItem
	var cents int
	var prev Product
	for i := range units {
		p := catalogue[rng.IntN(len(catalogue))]
		if i > 0 && rng.Float64() < 0.2 {
			p = prev // a second copy: TikTok lists one line item per unit
		}
		prev = p
		items = append(items, tiktok.LineItem{
			ID: "57" + randDigits(rng, 16), SkuID: p.SkuID, SellerSku: p.SKU,
			ProductName: p.Title, SalePrice: p.Price, PackageID: o.packageID,
		})
		cents += priceCents(p.Price)
	}

	o.full = tiktok.Order{
		ID: id, Status: StatusUnpaid,
		CreateTime: created.Unix(), UpdateTime: created.Unix(),
		RTSSLATime: created.Add(rtsSLA).Unix(), TTSSLATime: created.Add(ttsSLA).Unix(),
		ShippingDueTime: created.Add(shippingDue).Unix(), CollectionDueTime: created.Add(collectionDue).Unix(),
		DeliveryDueTime:  created.Add(deliveryDue).Unix(),
		RecipientAddress: addr, LineItems: items,
		Packages:     []tiktok.PackageRef{{ID: o.packageID}},
		ShippingType: "SELLER", FulfillmentType: "FULFILLMENT_BY_SELLER",
		DeliveryOptionID: option, DeliveryOptionName: deliveryOptions[option].Name,
		Payment: &tiktok.Payment{Currency: "USD", TotalAmount: fmt.Sprintf("%d.%02d", cents/100, cents%100)},
	}
	if rng.Float64() < 0.1 {
		o.full.BuyerMessage = []string{"Gift, please no invoice", "Leave at the back door 🚪", "Please hurry!"}[rng.IntN(3)]
	}
	o.alwaysMasked = rng.Float64() < 0.02
	o.collectIn = time.Duration(2+rng.IntN(9)) * time.Hour
	o.transitFor = time.Duration(2+rng.IntN(4)) * 24 * time.Hour

	// Life plan: a few minutes unpaid; ~60% take the new flow (on hold for
	// about an hour), the rest the old one; ~3% cancelled at some point.
	o.payAt = created.Add(time.Minute + time.Duration(rng.Int64N(int64(7*time.Minute))))
	o.onHold = rng.Float64() < newFlowShare
	o.full.IsOnHoldOrder = o.onHold
	readyAt := o.payAt
	if o.onHold {
		o.holdUntil = o.payAt.Add(55*time.Minute + time.Duration(rng.Int64N(int64(10*time.Minute))))
		readyAt = o.holdUntil
	}
	if rng.Float64() < 0.03 {
		switch r := rng.Float64(); {
		case r < 0.3: // never paid
			o.cancelAt = created.Add(20*time.Minute + time.Duration(rng.Int64N(int64(40*time.Minute))))
			o.payAt = time.Time{}
			o.cancelReason = "Buyer did not pay in time"
		case r < 0.55: // buyer cancels inside the hold window, or the old flow's remorse hour
			window := time.Hour
			if o.onHold {
				window = o.holdUntil.Sub(o.payAt)
			}
			o.cancelAt = o.payAt.Add(time.Duration(rng.Int64N(int64(window))))
			o.cancelReason = "Buyer changed their mind"
		default: // buyer asks after the order became shippable
			o.cancelReqAt = readyAt.Add(10*time.Minute + time.Duration(rng.Int64N(int64(8*time.Hour))))
			o.cancelAt = o.cancelReqAt.Add(30*time.Minute + time.Duration(rng.Int64N(int64(6*time.Hour))))
			o.cancelReason = "Buyer no longer needs the item"
		}
	}
	// Drawn last, so adding them left every earlier draw (and so the
	// orders tests rely on) unchanged.
	switch r := rng.Float64(); {
	case r < tiktokShippingShare: // TikTok buys the label
		o.full.ShippingType = ShippingTypeTikTok
		o.tiktokShips = true
	case r < tiktokShippingShare+fbtShare: // TikTok's warehouse ships it
		o.full.ShippingType, o.full.FulfillmentType = ShippingTypeTikTok, FulfillmentByTikTok
		o.tiktokShips, o.alwaysMasked = true, true
	}
	if o.tiktokShips {
		o.tiktokShipAt = readyAt.Add(2*time.Hour + time.Duration(rng.Int64N(int64(10*time.Hour))))
	}
	if rng.Float64() < ukShare {
		o.full.RecipientAddress, o.full.Payment.Currency = ukAddress(rng, name), "GBP"
	}
	return o
}

// Shares of generated orders.
const (
	newFlowShare        = 0.60
	tiktokShippingShare = 0.04
	fbtShare            = 0.03
	ukShare             = 0.03
)

// Shipping and fulfilment types as TikTok sends them.
const (
	ShippingTypeTikTok  = "TIKTOK"
	ShippingTypeSeller  = "SELLER"
	FulfillmentBySeller = "FULFILLMENT_BY_SELLER"
	FulfillmentByTikTok = "FULFILLMENT_BY_TIKTOK"
)

// usDistricts is a US address's district_info as TikTok's 202309 API sends
// it: L0 the country, L1 the state (or federal district), L2 a county,
// borough, parish or city, L3 always the city (changelog "For US market:
// new property address_level added to Orders API").
func usDistricts(p usPlace) []tiktok.DistrictInfo {
	l1, l2 := "State", "County"
	if n, ok := l2Level[p.State]; ok {
		l2 = n
	}
	if p.State == "DC" {
		l1 = "Federal District"
	}
	return []tiktok.DistrictInfo{
		{AddressLevelName: "Country", AddressName: "United States", AddressLevel: "L0"},
		{AddressLevelName: l1, AddressName: p.StateName, AddressLevel: "L1"},
		{AddressLevelName: l2, AddressName: p.County, AddressLevel: "L2"},
		{AddressLevelName: "City", AddressName: p.City, AddressLevel: "L3"},
	}
}

// ukAddress is a UK recipient: the city is in post_town (changelog "Post
// town added for UK recipient addresses in the Get Order Detail API").
func ukAddress(rng *rand.Rand, name string) tiktok.RecipientAddress {
	p := ukPlaces[rng.IntN(len(ukPlaces))]
	first, last, _ := strings.Cut(name, " ")
	line1 := fmt.Sprintf("%d %s", 1+rng.IntN(200), p.Street)
	return tiktok.RecipientAddress{
		Name: name, FirstName: first, LastName: last, PhoneNumber: "(+44)7700900" + randDigits(rng, 3),
		AddressLine1: line1, PostalCode: p.Postal, RegionCode: "GB", PostTown: p.Town,
		FullAddress: strings.Join([]string{line1, p.Town, p.Postal, "United Kingdom"}, ", "),
		DistrictInfo: []tiktok.DistrictInfo{
			{AddressLevelName: "Country", AddressName: "United Kingdom", AddressLevel: "L0"},
			{AddressLevelName: "County", AddressName: p.County, AddressLevel: "L1"},
		},
	}
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// priceCents parses a catalogue price such as "14.99".
func priceCents(s string) int {
	whole, frac, _ := strings.Cut(s, ".")
	n := 0
	for _, c := range whole + (frac + "00")[:2] {
		n = n*10 + int(c-'0')
	}
	return n
}

const mask = "***"

// view is the order as the API shows it now: TikTok masks the recipient
// while an order is unpaid or cancelled, empties it while on hold, and a few
// orders stay masked even when shippable.
func (o *simOrder) view() tiktok.Order {
	v := o.full
	v.LineItems = make([]tiktok.LineItem, len(o.full.LineItems))
	copy(v.LineItems, o.full.LineItems)
	if o.full.Payment != nil {
		p := *o.full.Payment
		v.Payment = &p
	}
	pkgStatus := "TO_FULFILL"
	switch v.Status {
	case StatusAwaitingCollection:
		pkgStatus = "PROCESSING"
	case StatusInTransit:
		pkgStatus = "FULFILLING"
	case StatusDelivered, StatusCompleted:
		pkgStatus = "COMPLETED"
	case StatusCancelled:
		pkgStatus = "CANCELLED"
	}
	for i := range v.LineItems {
		v.LineItems[i].PackageStatus = pkgStatus
		v.LineItems[i].DisplayStatus = v.Status
		v.LineItems[i].TrackingNumber = v.TrackingNumber
		v.LineItems[i].ShippingProviderID = v.ShippingProviderID
	}
	o.packageView(&v)
	switch {
	case v.Status == StatusOnHold:
		// "When an order is On Hold, full_address, recipient_address and
		// district_info are empty."
		v.RecipientAddress = tiktok.RecipientAddress{RegionCode: o.full.RecipientAddress.RegionCode}
	case v.Status == StatusUnpaid || v.Status == StatusCancelled || o.alwaysMasked:
		v.RecipientAddress = maskAddress(o.full.RecipientAddress)
	default:
		v.RecipientAddress.DistrictInfo = append([]tiktok.DistrictInfo(nil), o.full.RecipientAddress.DistrictInfo...)
	}
	return v
}

// maskAddress desensitizes an address the way TikTok does for seller
// shipping: name, phone, lines and postal code become asterisks.
func maskAddress(a tiktok.RecipientAddress) tiktok.RecipientAddress {
	m := a
	first := []rune(a.FirstName)
	if len(first) > 0 {
		m.Name = string(first[0]) + mask
		m.FirstName = string(first[0]) + mask
	} else {
		m.Name, m.FirstName = mask, mask
	}
	m.LastName = mask
	if len(a.PhoneNumber) > 2 {
		m.PhoneNumber = "(+1)" + mask + "****" + a.PhoneNumber[len(a.PhoneNumber)-2:]
	}
	m.AddressLine1 = mask
	if a.AddressLine2 != "" {
		m.AddressLine2 = mask
	}
	m.AddressDetail = mask
	m.PostalCode = mask
	m.FullAddress = mask
	m.DistrictInfo = append([]tiktok.DistrictInfo(nil), a.DistrictInfo...)
	return m
}
