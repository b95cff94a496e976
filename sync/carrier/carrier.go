// Package carrier is the one interface shipdeck pushes orders through, and
// its adapters: the generic REST contract, ShipStation v1 and a CSV drop
// folder. Every adapter classifies its results and errors so the pipeline
// never has to look at a status code or a message.
package carrier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Address is where a shipment goes.
type Address struct {
	Name       string   `json:"name"`
	Phone      string   `json:"phone,omitempty"`
	Lines      []string `json:"address_lines"`
	City       string   `json:"city"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code"`
	Country    string   `json:"country"`
}

// Item is one line of a shipment.
type Item struct {
	SKU      string `json:"sku"`
	Title    string `json:"title,omitempty"`
	Quantity int    `json:"quantity"`
}

// Shipment is an order as pushed to a 3PL.
type Shipment struct {
	// ExternalID is the TikTok order id; Reference adds the route
	// generation so a re-routed order is told apart.
	ExternalID string  `json:"external_id"`
	Reference  string  `json:"reference,omitempty"`
	Service    string  `json:"service,omitempty"`
	ShipTo     Address `json:"ship_to"`
	Items      []Item  `json:"items"`
	WeightG    int     `json:"weight_g,omitempty"`
	// IdempotencyKey never changes across retries of one route generation.
	IdempotencyKey string `json:"-"`
}

// Status is a 3PL order's fulfillment status.
type Status string

// 3PL order statuses.
const (
	StatusAccepted  Status = "accepted"
	StatusPicking   Status = "picking"
	StatusShipped   Status = "shipped"
	StatusCancelled Status = "cancelled"
)

// Remote is a 3PL's view of one order.
type Remote struct {
	ID             string    `json:"id"`
	ExternalID     string    `json:"external_id"`
	Status         Status    `json:"status"`
	TrackingNumber string    `json:"tracking_number,omitempty"`
	CarrierCode    string    `json:"carrier_code,omitempty"`
	ShippedAt      time.Time `json:"shipped_at,omitzero"`
	// Key is the 3PL's copy of the push's idempotency key, when its replies
	// carry one (ShipStation's orderKey).
	Key string `json:"-"`
	// CostCents and InsuranceCents are what the 3PL charged for the label,
	// when it says (ShipStation's shipmentCost and insuranceCost).
	CostCents      int64 `json:"-"`
	InsuranceCents int64 `json:"-"`
}

// PushResult is a successful push.
type PushResult struct {
	// ID is the 3PL's id for the order.
	ID string
	// Replay is true when the 3PL said it had already accepted this key
	// (the earlier request landed).
	Replay bool
	// Adopted is true when the 3PL already held the order under another
	// key and shipdeck adopted it after a lookup.
	Adopted bool
}

// Capabilities says what an adapter can do beyond pushing.
type Capabilities struct {
	Lookup bool // find an order by external id
	Status bool // read one order's status and tracking
	Cancel bool // cancel an order
	// IdempotentPush is true when resending with the same key can never
	// create a second order (so an unknown push may simply be replayed).
	IdempotentPush bool
	// Batch is true when pushes are collected and delivered in batches
	// (the CSV drop).
	Batch bool
}

// Carrier is a 3PL or carrier shipdeck pushes orders to.
type Carrier interface {
	// Name is the configured carrier name.
	Name() string
	// Kind is the adapter kind ("rest", "shipstation", "csv").
	Kind() string
	Capabilities() Capabilities
	// Push creates the order at the 3PL, idempotently by s.IdempotencyKey.
	Push(ctx context.Context, s Shipment) (PushResult, error)
	// Status reads one order by the 3PL's id.
	Status(ctx context.Context, id string) (Remote, error)
	// Lookup finds orders by external id (the TikTok order id).
	Lookup(ctx context.Context, externalID string) ([]Remote, error)
	// Cancel cancels an order by the 3PL's id.
	Cancel(ctx context.Context, id string) error
}

// Class is how a failed call should be handled.
type Class string

// Error classes.
const (
	// Retryable: try again later, after Error.RetryAfter when set.
	Retryable Class = "retryable"
	// Permanent: retrying will not help; an operator must act on Reason.
	Permanent Class = "permanent"
	// Unknown: the request may have landed (timeout, reset after send);
	// resolve with a lookup or a replay of the same key before any resend.
	Unknown Class = "unknown"
	// Unsupported: the adapter lacks the capability.
	Unsupported Class = "unsupported"
	// TooLate: a cancel came after the 3PL shipped the order.
	TooLate Class = "too_late"
)

// Error is a classified carrier failure. Messages that came from the 3PL
// are in Reason, unsanitized; the console sanitizes them before display.
type Error struct {
	Carrier    string
	Op         string
	Class      Class
	HTTPStatus int
	// Code is the 3PL's error code, when it sent one.
	Code string
	// Reason is the text an operator can act on.
	Reason string
	// RetryAfter is the server-given delay, when there was one.
	RetryAfter time.Duration
	// Field is the reply field that could not be read, for an unreadable
	// reply.
	Field string
	// RequestID is the 3PL's id for the request (X-Request-Id and kin),
	// for the operator to quote to the 3PL.
	RequestID string
	Err       error
}

// ErrUnreadable marks a 2xx reply whose body could not be read: cut off,
// over the size limit, not JSON, or a field in a form shipdeck cannot read.
// Reading again is harmless, so its class is Retryable; the engine puts the
// reason on the order instead of retrying in silence.
var ErrUnreadable = errors.New("unreadable 3PL reply")

// ErrWrongOrder marks a status or lookup reply about another order than the
// one asked for (another external id, id or orderKey). It is never taken as
// this order's: storing it could write another buyer's tracking to TikTok.
var ErrWrongOrder = errors.New("3PL reply is about another order")

// Error names the carrier, the operation, the class and the 3PL's reason.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.Carrier, e.Op, e.Class)
	if e.HTTPStatus != 0 {
		msg += fmt.Sprintf(" (HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			msg += " " + e.Code
		}
		msg += ")"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil && e.Reason == "" {
		msg += ": " + e.Err.Error()
	}
	if e.RequestID != "" && !strings.Contains(msg, e.RequestID) {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// Unwrap returns the underlying transport or decode error.
func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err: the Class of a *Error in its chain,
// Unknown for a context deadline (the request may have landed), Retryable
// otherwise.
func ClassOf(err error) Class {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Unknown
	}
	return Retryable
}

// RetryAfterOf returns the server-given delay in err's chain, or 0.
func RetryAfterOf(err error) time.Duration {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}
