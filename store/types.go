// Package store holds shipdeck's domain types and their persistence in an
// embedded Badger database: orders with their local fulfillment state,
// push attempts, the TikTok quota ledger, per-carrier latency samples, the
// audit trail and the sync cursor. Every state change commits the order, its
// secondary index entries and its counters in one transaction, so a crash at
// any point leaves a state the next start can resolve.
package store

import (
	"time"
)

// State is an order's local fulfillment state, kept beside the marketplace
// status. See the order lifecycle in the design notes.
type State string

// Local fulfillment states.
const (
	// StateNew orders are stored but not eligible yet (unpaid, ON_HOLD,
	// inside the buyer-remorse window, a pending cancel request, a masked
	// address); Reason says which, and NextAttemptAt is set when the order
	// becomes eligible at a known time without TikTok changing it.
	StateNew State = "new"
	// StateReady orders are eligible and wait for the router.
	StateReady State = "ready"
	// StateQueued orders have a carrier and wait for the pusher.
	StateQueued State = "queued"
	// StatePushing orders are in flight to a 3PL under a lease.
	StatePushing State = "pushing"
	// StatePushed orders were accepted by the 3PL.
	StatePushed State = "pushed"
	// StateTracking orders have a tracking number that still has to be
	// written back to TikTok.
	StateTracking State = "tracking"
	// StateShipped orders had their tracking written back to TikTok.
	StateShipped State = "shipped"
	// StateFailed orders failed retryably; the next attempt is scheduled.
	StateFailed State = "failed"
	// StateDead orders ran out of attempts or hit a permanent error. Only an
	// operator moves them on.
	StateDead State = "dead"
	// StateUnknown orders were in flight when the process crashed or timed
	// out; they are resolved through the 3PL's lookup before any resend.
	StateUnknown State = "unknown"
	// StateHeld orders were held by an operator.
	StateHeld State = "held"
	// StateCancelled orders were cancelled on TikTok (and at the 3PL when
	// they had been pushed).
	StateCancelled State = "cancelled"
	// StateTikTokShips orders are shipped by TikTok (shipping_type TIKTOK,
	// or fulfilled by TikTok): mirrored and shown, never pushed to a 3PL and
	// never waiting on anyone.
	StateTikTokShips State = "tiktok_ships"
)

// States lists every local state in lifecycle order, for counters and panes.
func States() []State {
	return []State{StateNew, StateReady, StateQueued, StatePushing, StatePushed, StateTracking,
		StateShipped, StateFailed, StateDead, StateUnknown, StateHeld, StateCancelled, StateTikTokShips}
}

// Valid reports whether s is one of the known local states.
func (s State) Valid() bool {
	for _, k := range States() {
		if s == k {
			return true
		}
	}
	return false
}

// MarketStatus mirrors TikTok's order status exactly as TikTok sends it.
type MarketStatus string

// Marketplace statuses (TikTok Shop 202309 order_status).
const (
	StatusUnpaid             MarketStatus = "UNPAID"
	StatusOnHold             MarketStatus = "ON_HOLD"
	StatusAwaitingShipment   MarketStatus = "AWAITING_SHIPMENT"
	StatusPartiallyShipping  MarketStatus = "PARTIALLY_SHIPPING"
	StatusAwaitingCollection MarketStatus = "AWAITING_COLLECTION"
	StatusInTransit          MarketStatus = "IN_TRANSIT"
	StatusDelivered          MarketStatus = "DELIVERED"
	StatusCompleted          MarketStatus = "COMPLETED"
	StatusCancelled          MarketStatus = "CANCELLED"
	// StatusUnknown buckets any status TikTok adds that shipdeck does not know.
	StatusUnknown MarketStatus = "UNKNOWN"
)

// MarketStatuses lists every marketplace status bucket.
func MarketStatuses() []MarketStatus {
	return []MarketStatus{StatusUnpaid, StatusOnHold, StatusAwaitingShipment, StatusPartiallyShipping,
		StatusAwaitingCollection, StatusInTransit, StatusDelivered, StatusCompleted, StatusCancelled, StatusUnknown}
}

// NormalizeStatus maps a raw status string onto a known bucket.
func NormalizeStatus(raw string) MarketStatus {
	for _, s := range MarketStatuses() {
		if string(s) == raw {
			return s
		}
	}
	return StatusUnknown
}

// Where an order came from (Order.Source).
const (
	SourceTikTok = "tiktok"
	SourceImport = "import"
)

// Shipping and fulfilment types as TikTok sends them (shipping_type,
// fulfillment_type). Only seller-shipped orders are pushed to a 3PL.
const (
	ShippingTypeTikTok  = "TIKTOK"
	ShippingTypeSeller  = "SELLER"
	FulfillmentBySeller = "FULFILLMENT_BY_SELLER"
	FulfillmentByTikTok = "FULFILLMENT_BY_TIKTOK"
)

// Address is the recipient address as TikTok sends it.
type Address struct {
	Name       string   `json:"name,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	Lines      []string `json:"lines,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
	Country    string   `json:"country,omitempty"`
	// Masked is true when TikTok desensitized the name, phone or street;
	// such an order is held, with the reason, until TikTok sends it in full.
	Masked bool `json:"masked,omitempty"`
}

// LineItem is one line of an order.
type LineItem struct {
	ID          string `json:"id,omitempty"`
	SKU         string `json:"sku"`
	ProductName string `json:"product_name,omitempty"`
	Quantity    int    `json:"quantity"`
	// PriceCents is the sale price of one unit in minor currency units.
	PriceCents int64 `json:"price_cents,omitempty"`
	// WeightGrams is the weight of one unit.
	WeightGrams int    `json:"weight_g,omitempty"`
	PackageID   string `json:"package_id,omitempty"`
}

// Package is a TikTok package of an order; tracking is written back per
// package.
type Package struct {
	ID string `json:"id"`
}

// Push is an order's current push to a carrier. Its idempotency key is
// derived from the order, the carrier and the route generation and never
// changes on retry; a re-route bumps the generation.
type Push struct {
	Carrier        string `json:"carrier"`
	Generation     int    `json:"generation"`
	IdempotencyKey string `json:"idempotency_key"`
	// RouteRule names the routing rule that chose the carrier, and
	// RouteReason says why earlier candidates were skipped.
	RouteRule   string `json:"route_rule,omitempty"`
	RouteReason string `json:"route_reason,omitempty"`
	// ExternalID is the 3PL's id for the order once it accepted it.
	ExternalID     string    `json:"external_id,omitempty"`
	TrackingNumber string    `json:"tracking_number,omitempty"`
	CarrierCode    string    `json:"carrier_code,omitempty"`
	LeaseUntil     time.Time `json:"lease_until,omitzero"`
	PushedAt       time.Time `json:"pushed_at,omitzero"`
	// ShippingProviderID is the TikTok shipping provider used for the
	// write-back.
	ShippingProviderID string `json:"shipping_provider_id,omitempty"`
	// Provider is the TikTok shipping provider name the 3PL's carrier code
	// maps to (stamps_com is USPS), matched against TikTok's provider list
	// when no id is known.
	Provider string `json:"provider,omitempty"`
	// PreviousCarriers records earlier routes, oldest first.
	PreviousCarriers []string `json:"previous_carriers,omitempty"`
	// Cost is what the 3PL reported the shipment cost, when it reports one.
	Cost *ShipCost `json:"cost,omitempty"`
}

// Outcome classifies how a call to a peer ended.
type Outcome string

// Outcomes of a call.
const (
	OutcomeSuccess   Outcome = "success"
	OutcomeReplay    Outcome = "replay"
	OutcomeRetryable Outcome = "retryable"
	OutcomePermanent Outcome = "permanent"
	OutcomeUnknown   Outcome = "unknown"
)

// Order is one TikTok Shop order with shipdeck's local fulfillment state.
// Marketplace fields mirror TikTok's order object; times are UTC.
type Order struct {
	ID     string       `json:"id"`
	Status MarketStatus `json:"status"`
	// Source says where the order came from: "tiktok" or "import".
	Source     string    `json:"source,omitempty"`
	CreateTime time.Time `json:"create_time,omitzero"`
	UpdateTime time.Time `json:"update_time,omitzero"`
	PaidTime   time.Time `json:"paid_time,omitzero"`

	// Deadlines as TikTok sends them (rts_sla_time, tts_sla_time,
	// shipping_due_time, collection_due_time, delivery_due_time).
	RTSSLATime        time.Time `json:"rts_sla_time,omitzero"`
	TTSSLATime        time.Time `json:"tts_sla_time,omitzero"`
	ShippingDueTime   time.Time `json:"shipping_due_time,omitzero"`
	CollectionDueTime time.Time `json:"collection_due_time,omitzero"`
	DeliveryDueTime   time.Time `json:"delivery_due_time,omitzero"`

	Recipient          Address    `json:"recipient"`
	LineItems          []LineItem `json:"line_items,omitempty"`
	Packages           []Package  `json:"packages,omitempty"`
	DeliveryOptionID   string     `json:"delivery_option_id,omitempty"`
	DeliveryOptionName string     `json:"delivery_option_name,omitempty"`
	// ShippingType is TIKTOK (TikTok buys the label) or SELLER, and
	// FulfillmentType FULFILLMENT_BY_SELLER or another program (FBT); see
	// package policy for what they decide.
	ShippingType    string `json:"shipping_type,omitempty"`
	FulfillmentType string `json:"fulfillment_type,omitempty"`
	// OnHold mirrors is_on_hold_order: true when the order went (or will
	// go) through status ON_HOLD, TikTok's new flow; false for the old flow
	// where the app itself waits out the buyer-remorse window. It does not
	// mean "on hold now".
	OnHold             bool `json:"on_hold,omitempty"`
	BuyerRequestCancel bool `json:"buyer_request_cancel,omitempty"`

	// Local fulfillment state.
	State State `json:"state"`
	// Reason says, in words an operator can act on, why the order is in its
	// state (the last error, why it is not eligible, who held it).
	Reason string `json:"reason,omitempty"`
	// ErrorClass is the class of the last failure (retryable, permanent,
	// unknown, rate_limited...).
	ErrorClass string `json:"error_class,omitempty"`
	// Push is the current push, nil before routing.
	Push *Push `json:"push,omitempty"`
	// Attempts counts push attempts of the current route generation.
	Attempts int `json:"attempts,omitempty"`
	// NextAttemptAt is when a failed order is retried, or when a new order
	// waiting out the buyer-remorse window becomes eligible (zero otherwise).
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	// HeldFrom is the state a held order returns to on release.
	HeldFrom State `json:"held_from,omitempty"`
	// CancelAtCarrier is set when TikTok cancelled an order that had already
	// been pushed, so the fulfillment side cancels it at the 3PL.
	CancelAtCarrier bool `json:"cancel_at_carrier,omitempty"`
	// Warnings from TikTok (write-back warnings, for example).
	Warnings []string `json:"warnings,omitempty"`
	// ShippedAt is when tracking was written back to TikTok; updates to the
	// shipping info are allowed for 72 hours after it.
	ShippedAt time.Time `json:"shipped_at,omitzero"`
	// WriteBackAttempts counts failed write-back attempts.
	WriteBackAttempts int `json:"write_back_attempts,omitempty"`
	// StoredAt is when shipdeck first stored the order (detection time).
	StoredAt time.Time `json:"stored_at,omitzero"`
	// ChangedAt is when shipdeck last changed the order.
	ChangedAt time.Time `json:"changed_at,omitzero"`
	// Version increases with every stored change.
	Version uint64 `json:"version"`
	// Milestones are when the order was marked shipped, scanned, delivered
	// or cancelled, for account health.
	Milestones Milestones `json:"milestones,omitzero"`
}

// ShipBy is the dispatch deadline the queues sort by: rts_sla_time, else
// shipping_due_time, else tts_sla_time, else two days after creation.
func (o *Order) ShipBy() time.Time {
	switch {
	case !o.RTSSLATime.IsZero():
		return o.RTSSLATime
	case !o.ShippingDueTime.IsZero():
		return o.ShippingDueTime
	case !o.TTSSLATime.IsZero():
		return o.TTSSLATime
	case !o.CreateTime.IsZero():
		return o.CreateTime.Add(48 * time.Hour)
	}
	return time.Time{}
}

// Buyer is the recipient name as shown in lists.
func (o *Order) Buyer() string { return o.Recipient.Name }

// Carrier is the carrier of the current push, or "".
func (o *Order) Carrier() string {
	if o.Push == nil {
		return ""
	}
	return o.Push.Carrier
}

// WeightGrams is the total weight of the order's line items.
func (o *Order) WeightGrams() int {
	w := 0
	for _, li := range o.LineItems {
		w += li.WeightGrams * max(li.Quantity, 1)
	}
	return w
}

// ValueCents is the total value of the order's line items.
func (o *Order) ValueCents() int64 {
	var v int64
	for _, li := range o.LineItems {
		v += li.PriceCents * int64(max(li.Quantity, 1))
	}
	return v
}

// Clone returns a deep copy, so a mutation never aliases a stored order.
func (o Order) Clone() Order {
	c := o
	c.Recipient.Lines = append([]string(nil), o.Recipient.Lines...)
	c.LineItems = append([]LineItem(nil), o.LineItems...)
	c.Packages = append([]Package(nil), o.Packages...)
	c.Warnings = append([]string(nil), o.Warnings...)
	if o.Push != nil {
		p := *o.Push
		p.PreviousCarriers = append([]string(nil), o.Push.PreviousCarriers...)
		if o.Push.Cost != nil {
			cost := *o.Push.Cost
			p.Cost = &cost
		}
		c.Push = &p
	}
	return c
}

// AttemptKind names what an attempt tried to do.
type AttemptKind string

// Attempt kinds.
const (
	AttemptPush      AttemptKind = "push"
	AttemptLookup    AttemptKind = "lookup"
	AttemptStatus    AttemptKind = "status"
	AttemptCancel    AttemptKind = "cancel"
	AttemptWriteBack AttemptKind = "writeback"
)

// Attempt is one call made for an order, kept for the detail view.
type Attempt struct {
	OrderID    string        `json:"order_id"`
	Seq        uint64        `json:"seq"`
	At         time.Time     `json:"at"`
	Kind       AttemptKind   `json:"kind"`
	Carrier    string        `json:"carrier,omitempty"`
	Generation int           `json:"generation,omitempty"`
	Outcome    Outcome       `json:"outcome"`
	HTTPStatus int           `json:"http_status,omitempty"`
	Error      string        `json:"error,omitempty"`
	Latency    time.Duration `json:"latency"`
}

// AuditEntry records an operator's action: who, when, what, before and after.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Role    string    `json:"role,omitempty"`
	Action  string    `json:"action"`
	OrderID string    `json:"order_id,omitempty"`
	Before  string    `json:"before,omitempty"`
	After   string    `json:"after,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// LatencySample is one call to a carrier, for the carriers pane.
type LatencySample struct {
	Carrier string        `json:"carrier"`
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency"`
	OK      bool          `json:"ok"`
	Kind    AttemptKind   `json:"kind,omitempty"`
	// OrderID and Error say which order the call was for and, when it
	// failed, why, for the carrier drill-down.
	OrderID string `json:"order_id,omitempty"`
	Error   string `json:"error,omitempty"`
}

// CallKind names what a TikTok call was for, in the quota ledger.
type CallKind string

// Call kinds in the quota ledger.
const (
	CallPoll      CallKind = "poll"
	CallDetail    CallKind = "detail"
	CallWriteBack CallKind = "writeback"
	CallOperator  CallKind = "operator"
	CallSweep     CallKind = "sweep"
	CallOther     CallKind = "other"
)

// CallKinds lists every call kind in display order.
func CallKinds() []CallKind {
	return []CallKind{CallPoll, CallDetail, CallWriteBack, CallOperator, CallSweep, CallOther}
}

// QuotaDay is the ledger of one quota day: every TikTok call reserved, by
// kind, and the rate-limit replies seen.
type QuotaDay struct {
	// Day is the quota day's label, such as "2026-11-24".
	Day         string           `json:"day"`
	Limit       int              `json:"limit"`
	Used        map[CallKind]int `json:"used"`
	RateLimited int              `json:"rate_limited,omitempty"`
	LastLimited time.Time        `json:"last_limited,omitzero"`
}

// Total is the number of calls reserved on the day.
func (q QuotaDay) Total() int {
	n := 0
	for _, v := range q.Used {
		n += v
	}
	return n
}

// Cursor is the poller's position in TikTok's order stream.
type Cursor struct {
	// UpdateTimeGE is the update_time the next incremental search starts
	// from (before the overlap window is subtracted).
	UpdateTimeGE time.Time `json:"update_time_ge,omitzero"`
	// LastPoll and LastSweep are when the last poll and reconciliation
	// sweep completed.
	LastPoll  time.Time `json:"last_poll,omitzero"`
	LastSweep time.Time `json:"last_sweep,omitzero"`
}

// Counts holds the number of orders per local state and per marketplace
// status, read from counters, never from a scan.
type Counts struct {
	ByState  map[State]int64        `json:"by_state"`
	ByStatus map[MarketStatus]int64 `json:"by_status"`
	Total    int64                  `json:"total"`
}

// WorkerControl is what an operator set on the worker, kept across
// restarts: a paused worker stays paused until someone resumes it.
type WorkerControl struct {
	Paused bool      `json:"paused"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at,omitzero"`
}
