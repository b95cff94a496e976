package account

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shipdeck/shipdeck/sync/carrier"
)

// trackingFormat is one carrier's published tracking-number shape.
type trackingFormat struct {
	// carrier is the TikTok provider name, as the carrier package's
	// provider table maps 3PL carrier codes to it.
	carrier  string
	patterns []*regexp.Regexp
}

// trackingFormats lists the shapes US carriers publish for their numbers:
// UPS "1Z" + 16 (UPS tracking-number help), USPS IMpb 20–22 digits starting
// 9[1-5] and S10 international "AA123456789US" (USPS Publication 199),
// FedEx 12, 15, 20 or 22 digits (FedEx tracking help), DHL eCommerce
// "GM"/"LX"/"RX" + 16–18 digits, Amazon Shipping "TBA" + 12 digits,
// OnTrac "C"/"D" + 14 digits or "1LS" + 12–15, LaserShip "1LS" + 12.
func trackingFormats() []trackingFormat {
	re := regexp.MustCompile
	return []trackingFormat{
		{"UPS", []*regexp.Regexp{re(`^1Z[0-9A-Z]{16}$`)}},
		{"USPS", []*regexp.Regexp{re(`^9[1-5][0-9]{18,20}$`), re(`^[A-Z]{2}[0-9]{9}US$`)}},
		{"FedEx", []*regexp.Regexp{re(`^([0-9]{12}|[0-9]{15}|[0-9]{20}|[0-9]{22})$`)}},
		{"DHL eCommerce", []*regexp.Regexp{re(`^(GM|LX|RX)[0-9]{16,18}$`)}},
		{"Amazon Shipping", []*regexp.Regexp{re(`^TBA[0-9]{12}$`)}},
		{"OnTrac", []*regexp.Regexp{re(`^[CD][0-9]{14}$`), re(`^1LS[0-9]{12,15}$`)}},
		{"LaserShip", []*regexp.Regexp{re(`^1LS[0-9]{12}$`)}},
	}
}

// TrackingError is a tracking number shipdeck will not write back: TikTok
// would refuse it (21004012 special characters, 21004015 provider
// mismatch, 21011022 invalid number: Mark Package As Shipped's error
// codes, seller-operations reference §1.4) or count it against the Valid
// Tracking Rate.
type TrackingError struct {
	Number   string
	Provider string
	Reason   string
	// TikTokCode is the error TikTok would answer with.
	TikTokCode int
}

func (e *TrackingError) Error() string {
	return fmt.Sprintf("tracking number %q for %s: %s (TikTok would refuse it with %d)", e.Number, e.Provider, e.Reason, e.TikTokCode)
}

// CarrierFor names the carrier a TikTok provider name or a 3PL carrier
// code stands for (codes through the carrier package's provider table, the
// same one the write-back uses), or "" when shipdeck does not know its
// format.
func CarrierFor(providerOrCode string) string {
	p := strings.TrimSpace(providerOrCode)
	if p == "" {
		return ""
	}
	if _, name := carrier.DefaultProviders().Provider(p); name != "" {
		p = name
	}
	for _, f := range trackingFormats() {
		if strings.EqualFold(p, f.carrier) {
			return f.carrier
		}
	}
	return ""
}

// ImpliedCarriers lists the carriers whose format the number fits.
func ImpliedCarriers(number string) []string {
	var out []string
	for _, f := range trackingFormats() {
		for _, p := range f.patterns {
			if p.MatchString(number) {
				out = append(out, f.carrier)
				break
			}
		}
	}
	return out
}

// CheckTracking checks a tracking number before it is written back as the
// given provider (a TikTok provider name or the 3PL's carrier code). A
// provider shipdeck has no format for is checked for TikTok's character
// and length rules only.
func CheckTracking(number, provider string) error {
	n := strings.TrimSpace(number)
	if n == "" {
		return &TrackingError{Number: number, Provider: provider, Reason: "empty", TikTokCode: 21011022}
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return &TrackingError{Number: number, Provider: provider, Reason: fmt.Sprintf("contains %q; TikTok accepts letters and digits only", r), TikTokCode: 21004012}
		}
	}
	// No TikTok page we hold gives a length; 8 to 40 covers every carrier
	// format above and is what the simulator enforces, so a number outside
	// it is certainly not a tracking number.
	if len(n) < 8 || len(n) > 40 {
		return &TrackingError{Number: number, Provider: provider, Reason: fmt.Sprintf("%d characters; TikTok accepts 8 to 40", len(n)), TikTokCode: 21011022}
	}
	want := CarrierFor(provider)
	if want == "" {
		return nil
	}
	implied := ImpliedCarriers(strings.ToUpper(n))
	for _, c := range implied {
		if c == want {
			return nil
		}
	}
	if len(implied) > 0 {
		return &TrackingError{Number: number, Provider: provider, TikTokCode: 21004015,
			Reason: fmt.Sprintf("looks like a %s number, not %s", strings.Join(implied, " or "), want)}
	}
	return &TrackingError{Number: number, Provider: provider, TikTokCode: 21004015,
		Reason: fmt.Sprintf("does not match any %s tracking-number format", want)}
}
