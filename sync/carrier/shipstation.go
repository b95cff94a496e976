package carrier

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	// ShipStation v1 dates are Pacific time; the embedded tz database
	// keeps them right on a box without one.
	_ "time/tzdata"
)

// ShipStationZone is the zone of ShipStation v1's zone-less dates.
const ShipStationZone = "America/Los_Angeles"

// KindShipStation is the kind of the ShipStation v1 adapter.
const KindShipStation = "shipstation"

// DefaultShipStationEndpoint is ShipStation's v1 API.
const DefaultShipStationEndpoint = "https://ssapi.shipstation.com"

// DefaultMaxRateWait is how long a call waits out a 3PL's rate limit
// (Retry-After, or ShipStation's window reset) before it gives up with a
// Retryable error carrying the delay.
const DefaultMaxRateWait = 5 * time.Second

// DefaultShipStationMaxRateWait is how long a call waits for ShipStation's
// rate-limit window to reset.
const DefaultShipStationMaxRateWait = DefaultMaxRateWait

// ShipStationConfig configures the ShipStation v1 adapter. Zero durations
// and sizes take the defaults noted.
type ShipStationConfig struct {
	// Name is the configured carrier name.
	Name string
	// Endpoint is the API base URL (DefaultShipStationEndpoint).
	Endpoint string
	// APIKey and APISecret are the v1 credentials, sent as HTTP Basic auth.
	// They never appear in errors or logs.
	APIKey    string
	APISecret string
	// StoreID, when set, is sent as advancedOptions.storeId.
	StoreID int64
	// Timeout bounds one call from dial to the last body byte (10 s).
	Timeout time.Duration
	// DialTimeout bounds connecting and the TLS handshake (min(Timeout, 5 s)).
	DialTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for reply headers (Timeout).
	ResponseHeaderTimeout time.Duration
	// MaxBody is the largest reply body read (1 MiB).
	MaxBody int64
	// MaxRateWait is the longest a call waits when ShipStation said no
	// requests remain in its window (DefaultShipStationMaxRateWait); a
	// longer wait returns Retryable with RetryAfter instead. Negative never
	// waits.
	MaxRateWait time.Duration
	// HTTPClient replaces the built-in client (its transport is used as is).
	HTTPClient *http.Client
	// Now is the clock (time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx is done (a timer). Tests inject a fake.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ShipStation pushes orders to ShipStation v1 (orders/createorder with
// orderKey upsert). It is safe for concurrent use.
type ShipStation struct {
	name    string
	base    string
	auth    string
	storeID int64
	http    *httpClient
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	maxWait time.Duration
	window  *rateWindow
	pacific *time.Location
}

var _ Carrier = (*ShipStation)(nil)

// NewShipStation checks cfg and builds the adapter. It sends nothing.
func NewShipStation(cfg ShipStationConfig) (*ShipStation, error) {
	var errs []error
	if strings.TrimSpace(cfg.Name) == "" {
		errs = append(errs, errors.New("name is required"))
	}
	endpoint := cfg.Endpoint
	if strings.TrimSpace(endpoint) == "" {
		endpoint = DefaultShipStationEndpoint
	}
	base, err := parseEndpoint(endpoint)
	if err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(cfg.APIKey) == "" || strings.TrimSpace(cfg.APISecret) == "" {
		errs = append(errs, errors.New("API key and secret are required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("shipstation carrier %q: %w", cfg.Name, err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sleep := cfg.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	maxWait := cfg.MaxRateWait
	if maxWait == 0 {
		maxWait = DefaultShipStationMaxRateWait
	}
	pacific, err := time.LoadLocation(ShipStationZone)
	if err != nil {
		return nil, fmt.Errorf("shipstation carrier %q: load %s: %w", cfg.Name, ShipStationZone, err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(cfg.APIKey + ":" + cfg.APISecret))
	limits := newHTTPLimits(cfg.Timeout, cfg.DialTimeout, cfg.ResponseHeaderTimeout, cfg.MaxBody)
	return &ShipStation{
		name:    cfg.Name,
		base:    base,
		auth:    "Basic " + auth,
		storeID: cfg.StoreID,
		http:    newHTTPClient(cfg.Name, cfg.HTTPClient, limits, newSecrets(cfg.APIKey, cfg.APISecret, auth)),
		now:     now,
		sleep:   sleep,
		maxWait: maxWait,
		window:  &rateWindow{},
		pacific: pacific,
	}, nil
}

// Name is the configured carrier name.
func (s *ShipStation) Name() string { return s.name }

// Kind is "shipstation".
func (s *ShipStation) Kind() string { return KindShipStation }

// Capabilities: orderKey makes pushes upserts, and re-posting an order
// with orderStatus "cancelled" cancels it.
func (s *ShipStation) Capabilities() Capabilities {
	return Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true}
}

// call sends one request after the rate-limit window allows it, and
// records the window the reply announces.
func (s *ShipStation) call(ctx context.Context, op, method, path string, body []byte, ifSent Class) (reply, error) {
	if err := s.awaitWindow(ctx, op); err != nil {
		return reply{}, err
	}
	h := http.Header{}
	h.Set("Authorization", s.auth)
	h.Set("Accept", "application/json")
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	rep, err := s.http.do(ctx, op, method, s.base+path, h, body, ifSent)
	if err != nil {
		return reply{}, err
	}
	now := s.now()
	s.window.observe(rep.header, now)
	if rep.status == http.StatusTooManyRequests {
		s.window.exhaust(now, s.throttleDelay(rep, now))
	}
	return rep, nil
}

// awaitWindow waits for the rate-limit window when ShipStation said none
// remain, or refuses the call when the wait is longer than allowed.
func (s *ShipStation) awaitWindow(ctx context.Context, op string) error {
	d := s.window.delay(s.now())
	if d <= 0 {
		return nil
	}
	if s.maxWait < 0 || d > s.maxWait {
		return &Error{Carrier: s.name, Op: op, Class: Retryable, RetryAfter: d,
			Reason: fmt.Sprintf("ShipStation rate limit reached; the window resets in %s", d.Round(time.Second))}
	}
	if err := s.sleep(ctx, d); err != nil {
		return &Error{Carrier: s.name, Op: op, Class: Retryable, RetryAfter: d,
			Reason: "stopped waiting for the ShipStation rate limit window", Err: err}
	}
	return nil
}

// throttleDelay is how long a 429 asks to wait: X-Rate-Limit-Reset, else
// Retry-After.
func (s *ShipStation) throttleDelay(rep reply, now time.Time) time.Duration {
	if d, ok := resetDelay(rep.header); ok {
		return d
	}
	return parseRetryAfter(rep.header.Get("Retry-After"), now)
}

// errorReply classifies a non-2xx ShipStation reply.
func (s *ShipStation) errorReply(op string, rep reply) *Error {
	e := s.http.statusError(op, rep, s.now(), "", parseShipStationError(rep.body))
	if rep.status == http.StatusTooManyRequests {
		e.RetryAfter = s.throttleDelay(rep, s.now())
	}
	return e
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
