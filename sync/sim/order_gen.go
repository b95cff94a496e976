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
	onHold       bool

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
		FullAddress: strings.Join(nonEmpty(line1, line2, place.City, place.State+" "+place.Postal, "United States"), ", "),
		DistrictInfo: []tiktok.DistrictInfo{
			{AddressLevelName: "Country", AddressName: "United States", AddressLevel: "L0"},
			{AddressLevelName: "State", AddressName: place.StateName, AddressLevel: "L1"},
			{AddressLevelName: "County", AddressName: place.County, AddressLevel: "L2"},
			{AddressLevelName: "City", AddressName: place.City, AddressLevel: "L3"},
		},
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

	// Life plan: a few minutes unpaid, ~10% on hold for about an hour,
	// ~3% cancelled at some point.
	o.payAt = created.Add(time.Minute + time.Duration(rng.Int64N(int64(7*time.Minute))))
	o.onHold = rng.Float64() < 0.10
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
		case r < 0.55 && o.onHold: // buyer cancels inside the hold window
			o.cancelAt = o.payAt.Add(time.Duration(rng.Int64N(int64(o.holdUntil.Sub(o.payAt)))))
			o.cancelReason = "Buyer changed their mind"
		default: // buyer asks after the order became shippable
			o.cancelReqAt = readyAt.Add(10*time.Minute + time.Duration(rng.Int64N(int64(8*time.Hour))))
			o.cancelAt = o.cancelReqAt.Add(30*time.Minute + time.Duration(rng.Int64N(int64(6*time.Hour))))
			o.cancelReason = "Buyer no longer needs the item"
		}
	}
	return o
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
		v.RecipientAddress = tiktok.RecipientAddress{RegionCode: "US"}
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
