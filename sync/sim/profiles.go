package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Carrier profile names.
const (
	ProfileSwift       = "swift"
	ProfileSteady      = "steady"
	ProfileFlaky       = "flaky"
	ProfilePicky       = "picky"
	ProfileShipStation = "shipstation"
)

// carrierProfile is how one simulated 3PL behaves.
type carrierProfile struct {
	Name    string
	Prefix  string // of the 3PL's order ids
	Latency latencyProfile
	// Fulfilment pace, sim time: accepted → picking → shipped.
	PickMin, PickMax time.Duration
	ShipMin, ShipMax time.Duration
	// Failure rates per request at CarrierFaults = 1.
	Timeout, ServerError, Reset, RateLimited float64
	// AfterCreate is the chance a successful create's reply is lost.
	AfterCreate float64
	CarrierCode string
	ProviderID  string
	TransitDays int
	Tracking    func(rng *rand.Rand) string
	// Picky refuses addresses it cannot serve and SKUs it does not stock.
	Picky bool
	// Wire is how the 3PL writes ids and times in its replies.
	Wire wireStyle
	// Zone is the zone of its zone-less times (wireZoneless).
	Zone string
}

// wireStyle is how a simulated REST 3PL writes its replies. Real 3PLs do not
// all follow the contract's RFC 3339 strings: many send unix seconds or
// milliseconds and numeric ids, and shipdeck must read them all.
type wireStyle int

const (
	// wireContract: string ids, RFC 3339 times (the contract's examples).
	wireContract wireStyle = iota
	// wireUnix: numeric ids, unix seconds.
	wireUnix
	// wireUnixMillis: numeric ids, unix milliseconds.
	wireUnixMillis
	// wireZoneless: string ids, local times without an offset in Zone.
	wireZoneless
)

func carrierProfiles() []carrierProfile {
	return []carrierProfile{
		{
			Name: ProfileSwift, Prefix: "SWF",
			Latency: latencyProfile{Min: 20 * time.Millisecond, Max: 60 * time.Millisecond},
			PickMin: 5 * time.Minute, PickMax: 20 * time.Minute, ShipMin: time.Hour, ShipMax: 3 * time.Hour,
			CarrierCode: "ups", ProviderID: ProviderUPS, TransitDays: 2, Tracking: upsTracking,
		},
		{
			Name: ProfileSteady, Prefix: "STD",
			Latency: latencyProfile{Min: 300 * time.Millisecond, Max: 800 * time.Millisecond,
				TailP: 0.02, TailMin: 1500 * time.Millisecond, TailMax: 3 * time.Second},
			PickMin: 30 * time.Minute, PickMax: 90 * time.Minute, ShipMin: 4 * time.Hour, ShipMax: 10 * time.Hour,
			CarrierCode: "usps", ProviderID: ProviderUSPS, TransitDays: 4, Tracking: uspsTracking,
			Wire: wireUnix,
		},
		{
			Name: ProfileFlaky, Prefix: "FLK",
			Latency: latencyProfile{Min: 50 * time.Millisecond, Max: 400 * time.Millisecond,
				TailP: 0.05, TailMin: 2 * time.Second, TailMax: 8 * time.Second},
			PickMin: time.Hour, PickMax: 4 * time.Hour, ShipMin: 6 * time.Hour, ShipMax: 18 * time.Hour,
			Timeout: 0.03, ServerError: 0.06, Reset: 0.03, RateLimited: 0.05, AfterCreate: 0.05,
			CarrierCode: "fedex", ProviderID: ProviderFedEx, TransitDays: 3, Tracking: fedexTracking,
			Wire: wireUnixMillis,
		},
		{
			Name: ProfilePicky, Prefix: "PKY",
			Latency: latencyProfile{Min: 80 * time.Millisecond, Max: 200 * time.Millisecond},
			PickMin: 20 * time.Minute, PickMax: time.Hour, ShipMin: 2 * time.Hour, ShipMax: 6 * time.Hour,
			CarrierCode: "dhl_ecommerce", ProviderID: ProviderDHLECommerce, TransitDays: 3, Tracking: dhlTracking,
			Picky: true, Wire: wireZoneless, Zone: "America/Chicago",
		},
	}
}

// shipStationProfile is the simulated ShipStation account's pace. It ships
// with several carriers (USPS through Stamps.com, UPS), so it has no single
// TikTok provider: the carrier code of each label decides.
func shipStationProfile() carrierProfile {
	return carrierProfile{
		Name:    ProfileShipStation,
		Latency: latencyProfile{Min: 150 * time.Millisecond, Max: 400 * time.Millisecond},
		ShipMin: 2 * time.Hour, ShipMax: 6 * time.Hour,
		CarrierCode: "stamps_com", TransitDays: 3, Tracking: uspsTracking,
	}
}

func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// randDigits is n random decimal digits.
func randDigits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

// upsTracking is a UPS "1Z" number: 1Z, a 6-character shipper number, a
// 2-digit service code and 8 digits.
func upsTracking(rng *rand.Rand) string {
	const alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	shipper := make([]byte, 6)
	for i := range shipper {
		shipper[i] = alnum[rng.IntN(len(alnum))]
	}
	return fmt.Sprintf("1Z%s03%s", shipper, randDigits(rng, 8))
}

// uspsTracking is a 22-digit USPS IMpb number starting 9400.
func uspsTracking(rng *rand.Rand) string { return "94001" + randDigits(rng, 17) }

// fedexTracking is a 12-digit FedEx number.
func fedexTracking(rng *rand.Rand) string { return "7" + randDigits(rng, 11) }

// dhlTracking is a DHL eCommerce "GM" number.
func dhlTracking(rng *rand.Rand) string { return "GM" + randDigits(rng, 16) }
