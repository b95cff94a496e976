package carrier

import (
	"maps"
	"strings"
)

// ProviderMap maps the carrier codes a 3PL reports with a tracking number
// to the TikTok shipping provider the tracking is written back with: a
// provider name as TikTok lists it for the delivery option (matched when
// the write-back looks providers up) or, when the value is all digits, a
// shipping_provider_id used as is. Codes are matched without regard to
// case. ShipStation's codes name the label service, not the carrier
// TikTok knows (stamps_com is USPS bought through Stamps.com), so no
// substring match can find them; see
// reference/marketplace-and-3pl-apis.md §5.
type ProviderMap map[string]string

// defaultProviders are the carrier codes ShipStation v1 reports in its
// shipments and fulfillments (and the plain names the REST contract and
// ShipStation's marked-shipped fulfillments use), with the TikTok US
// provider each one ships under.
var defaultProviders = ProviderMap{
	"stamps_com":            "USPS",
	"endicia":               "USPS",
	"usps":                  "USPS",
	"express_1":             "USPS",
	"ups":                   "UPS",
	"ups_walleted":          "UPS",
	"fedex":                 "FedEx",
	"fedex_walleted":        "FedEx",
	"dhl_ecommerce":         "DHL eCommerce",
	"dhl_global_mail":       "DHL eCommerce",
	"dhl_express":           "DHL Express",
	"dhl_express_worldwide": "DHL Express",
	"ontrac":                "OnTrac",
	"lasership":             "LaserShip",
	"amazon_shipping":       "Amazon Shipping",
	"amazon_shipping_us":    "Amazon Shipping",
}

// DefaultProviders returns a copy of the built-in code table.
func DefaultProviders() ProviderMap { return maps.Clone(defaultProviders) }

// NewProviderMap is the built-in table extended (and overridden) by an
// operator's entries for one carrier.
func NewProviderMap(extra map[string]string) ProviderMap {
	m := DefaultProviders()
	for code, p := range extra {
		code, p = strings.ToLower(strings.TrimSpace(code)), strings.TrimSpace(p)
		if code != "" && p != "" {
			m[code] = p
		}
	}
	return m
}

// Provider returns the TikTok provider for a carrier code: its id when the
// table gives digits, else its name; both empty when the code is unknown.
func (m ProviderMap) Provider(code string) (id, name string) {
	p := m[strings.ToLower(strings.TrimSpace(code))]
	if p == "" {
		return "", ""
	}
	if strings.Trim(p, "0123456789") == "" {
		return p, ""
	}
	return "", p
}
