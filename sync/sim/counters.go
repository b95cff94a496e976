package sim

import (
	"maps"
	"slices"
	gosync "sync"
)

// Counters is what the simulator saw: the evidence tests assert on (no
// duplicate creates, one write-back per package, quota respected) and what
// GET /_sim/counters serves.
type Counters struct {
	Marketplace MarketplaceCounters        `json:"marketplace"`
	Carriers    map[string]CarrierCounters `json:"carriers"`
}

// MarketplaceCounters counts the TikTok side.
type MarketplaceCounters struct {
	// Calls counts every request by endpoint (Endpoint* names), refused
	// ones included.
	Calls map[string]int `json:"calls"`
	// RateLimited counts 429s from the per-second cap; QuotaExhausted those
	// from the daily budget. Injected faults are not counted here.
	RateLimited    int `json:"rate_limited"`
	QuotaExhausted int `json:"quota_exhausted"`
	// QuotaDay and QuotaUsed are the current quota day and the calls it has
	// counted.
	QuotaDay  string `json:"quota_day"`
	QuotaUsed int    `json:"quota_used"`
	// Refusals by cause.
	SignatureRejects int `json:"signature_rejects"`
	TimestampRejects int `json:"timestamp_rejects"`
	TokenRejects     int `json:"token_rejects"`
	OtherRejects     int `json:"other_rejects"`
	// Write-backs: successful ship calls per package and per order, refused
	// ship calls per package (e.g. already shipped), and shipping-info
	// corrections per order.
	ShipsByPackage      map[string]int `json:"ships_by_package"`
	ShipsByOrder        map[string]int `json:"ships_by_order"`
	ShipRejects         map[string]int `json:"ship_rejects"`
	ShippingInfoUpdates map[string]int `json:"shipping_info_updates"`
	// MarkedShipped counts Mark Package As Shipped calls TikTok accepted,
	// by order; PackageInfoUpdates counts accepted package-level shipping
	// info updates, by package.
	MarkedShipped       map[string]int `json:"marked_shipped"`
	PackageInfoUpdates  map[string]int `json:"package_info_updates"`
	ShippingInfoRejects map[string]int `json:"shipping_info_rejects"`
	TokenRefreshes      int            `json:"token_refreshes"`
	InjectedFaults      int            `json:"injected_faults"`
	OrdersCreated       int            `json:"orders_created"`
	WebhooksSent        int            `json:"webhooks_sent"`
	WebhooksFailed      int            `json:"webhooks_failed"`
}

// CarrierCounters counts one simulated carrier.
type CarrierCounters struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Profile string `json:"profile"`
	// Requests counts every request by operation (create, get, lookup,
	// cancel; ShipStation: createorder, orders, shipments).
	Requests map[string]int `json:"requests"`
	// CreatesByExternalID counts orders actually created per external id
	// (ShipStation: orderNumber). Above 1 means a duplicate shipment.
	CreatesByExternalID map[string]int `json:"creates_by_external_id"`
	// Replays counts creates answered from the idempotency record
	// (ShipStation: upserts of an existing orderKey).
	Replays               int            `json:"replays"`
	IdempotencyMismatches int            `json:"idempotency_mismatches"`
	DuplicateExternalIDs  int            `json:"duplicate_external_ids"`
	Rejected              map[string]int `json:"rejected"` // validation refusals by error code
	Cancels               int            `json:"cancels"`
	CancelsTooLate        int            `json:"cancels_too_late"`
	// HandKeyed counts orders created outside the API (KeyByHand); they
	// are not duplicates of shipdeck's pushes.
	HandKeyed int `json:"hand_keyed,omitempty"`
	// HandKeyedRefusals counts creates refused because a clerk had keyed
	// the order in first, under the first key that met it; another key
	// for the same order counts in DuplicateExternalIDs.
	HandKeyedRefusals int `json:"hand_keyed_refusals,omitempty"`
	AuthRejects       int `json:"auth_rejects"`
	RateLimited       int `json:"rate_limited"`
	// Faults counts simulated failures by kind; "after_create:<kind>" are
	// failures after the order was created.
	Faults map[string]int `json:"faults"`
}

// DuplicateCreates lists the external ids created more than once.
func (c CarrierCounters) DuplicateCreates() []string {
	var out []string
	for id, n := range c.CreatesByExternalID {
		if n > 1 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Creates is the number of orders created.
func (c CarrierCounters) Creates() int {
	n := 0
	for _, v := range c.CreatesByExternalID {
		n += v
	}
	return n
}

func newMarketplaceCounters() MarketplaceCounters {
	return MarketplaceCounters{
		Calls: map[string]int{}, ShipsByPackage: map[string]int{}, ShipsByOrder: map[string]int{},
		ShipRejects: map[string]int{}, ShippingInfoUpdates: map[string]int{}, ShippingInfoRejects: map[string]int{},
		MarkedShipped: map[string]int{}, PackageInfoUpdates: map[string]int{},
	}
}

func (m MarketplaceCounters) clone() MarketplaceCounters {
	m.Calls = maps.Clone(m.Calls)
	m.ShipsByPackage = maps.Clone(m.ShipsByPackage)
	m.ShipsByOrder = maps.Clone(m.ShipsByOrder)
	m.ShipRejects = maps.Clone(m.ShipRejects)
	m.ShippingInfoUpdates = maps.Clone(m.ShippingInfoUpdates)
	m.MarkedShipped = maps.Clone(m.MarkedShipped)
	m.PackageInfoUpdates = maps.Clone(m.PackageInfoUpdates)
	m.ShippingInfoRejects = maps.Clone(m.ShippingInfoRejects)
	return m
}

func newCarrierCounters(name, kind, profile string) CarrierCounters {
	return CarrierCounters{
		Name: name, Kind: kind, Profile: profile,
		Requests: map[string]int{}, CreatesByExternalID: map[string]int{},
		Rejected: map[string]int{}, Faults: map[string]int{},
	}
}

func (c CarrierCounters) clone() CarrierCounters {
	c.Requests = maps.Clone(c.Requests)
	c.CreatesByExternalID = maps.Clone(c.CreatesByExternalID)
	c.Rejected = maps.Clone(c.Rejected)
	c.Faults = maps.Clone(c.Faults)
	return c
}

// marketCounters guards the marketplace counters.
type marketCounters struct {
	mu gosync.Mutex
	c  MarketplaceCounters
}

func (m *marketCounters) update(f func(c *MarketplaceCounters)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.c)
}

func (m *marketCounters) snapshot() MarketplaceCounters {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c.clone()
}
