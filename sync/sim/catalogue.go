package sim

// Product is one item the simulated shop sells. The simulated 3PLs stock
// the same catalogue (picky excepted, see pickyUnstocked), so a push built
// from a simulated order can land; WeightG is what shipdeck should declare.
type Product struct {
	SKU     string // seller SKU, what 3PLs key on
	SkuID   string // TikTok's numeric sku_id
	Title   string
	WeightG int
	Price   string // USD, decimal
}

// catalogue is a small bookshop: most orders are one or two books.
var catalogue = []Product{
	{SKU: "BOOK-NEBULA-PB", SkuID: "1729384756102938471", Title: "Nebula Drift (paperback)", WeightG: 420, Price: "14.99"},
	{SKU: "BOOK-NEBULA-HC", SkuID: "1729384756102938472", Title: "Nebula Drift (hardcover)", WeightG: 780, Price: "27.99"},
	{SKU: "BOOK-ATLAS-HC", SkuID: "1729384756102938473", Title: "Atlas of Quiet Places (hardcover)", WeightG: 1150, Price: "34.00"},
	{SKU: "BOOK-GARDEN-PB", SkuID: "1729384756102938474", Title: "The Patient Garden (paperback)", WeightG: 350, Price: "12.50"},
	{SKU: "BOOK-MOONFOX-BB", SkuID: "1729384756102938475", Title: "Moon Fox (board book)", WeightG: 300, Price: "9.99"},
	{SKU: "BOOK-SALT-HC", SkuID: "1729384756102938476", Title: "Salt & Smoke: A Cookbook (hardcover)", WeightG: 1400, Price: "39.95"},
	{SKU: "BOOKMARK-BRASS", SkuID: "1729384756102938477", Title: "Brass bookmark", WeightG: 25, Price: "6.00"},
	{SKU: "TOTE-CANVAS", SkuID: "1729384756102938478", Title: "Canvas book tote", WeightG: 180, Price: "18.00"},
}

// pickyUnstocked are SKUs the picky 3PL's warehouse does not carry, so it
// answers unknown_sku for them.
var pickyUnstocked = map[string]bool{"BOOK-SALT-HC": true}

// Catalogue returns the simulated shop's products.
func Catalogue() []Product {
	out := make([]Product, len(catalogue))
	copy(out, catalogue)
	return out
}

// productBySKU finds a catalogue entry.
func productBySKU(sku string) (Product, bool) {
	for _, p := range catalogue {
		if p.SKU == sku {
			return p, true
		}
	}
	return Product{}, false
}

// ShippingProvider IDs as TikTok's logistics API names them (USPS's is the
// one TikTok's docs show; the others are the simulator's).
const (
	ProviderUSPS         = "7117858858072016686"
	ProviderUPS          = "7117859084333745966"
	ProviderFedEx        = "7117858743957718830"
	ProviderDHLECommerce = "7129736359040239365"
	ProviderCainiaoUS    = "7254059284823558958"
	ProviderOnTrac       = "7212569832179058475"
)

// providerNames maps provider ids to TikTok's exact names.
var providerNames = map[string]string{
	ProviderUSPS:         "USPS",
	ProviderUPS:          "UPS",
	ProviderFedEx:        "FedEx",
	ProviderDHLECommerce: "DHL eCommerce",
	ProviderCainiaoUS:    "Cainiao US",
	ProviderOnTrac:       "OnTrac",
}

// deliveryOption is a shop delivery option and the providers allowed on it.
type deliveryOption struct {
	ID        string
	Name      string
	Providers []string
}

// Delivery options. Both are seller-shipped (SEND_BY_SELLER).
const (
	DeliveryStandard = "7091146663229654827"
	DeliveryExpress  = "7091146663229654828"
)

var deliveryOptions = map[string]deliveryOption{
	DeliveryStandard: {ID: DeliveryStandard, Name: "Standard shipping", Providers: []string{
		ProviderUSPS, ProviderUPS, ProviderFedEx, ProviderDHLECommerce, ProviderCainiaoUS, ProviderOnTrac}},
	DeliveryExpress: {ID: DeliveryExpress, Name: "Express shipping", Providers: []string{
		ProviderUPS, ProviderFedEx, ProviderUSPS}},
}

// optionAllows reports whether a provider may carry a delivery option.
func optionAllows(optionID, providerID string) bool {
	for _, p := range deliveryOptions[optionID].Providers {
		if p == providerID {
			return true
		}
	}
	return false
}
