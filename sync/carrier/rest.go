package carrier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// KindREST is the kind of the generic 3PL REST adapter.
const KindREST = "rest"

// RESTConfig configures an adapter for the generic 3PL REST contract
// (reference/generic-3pl-rest.md). Zero durations and sizes take the
// defaults noted.
type RESTConfig struct {
	// Name is the configured carrier name (errors and metrics carry it).
	Name string
	// Endpoint is the base URL; requests go to {Endpoint}/v1/orders...
	Endpoint string
	// Token is the bearer token. It never appears in errors or logs.
	Token string
	// Timeout bounds one call from dial to the last body byte (10 s).
	Timeout time.Duration
	// DialTimeout bounds connecting and the TLS handshake (min(Timeout, 5 s)).
	DialTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the reply headers once the
	// request is written (Timeout).
	ResponseHeaderTimeout time.Duration
	// MaxBody is the largest reply body read (1 MiB); a larger one is an
	// error.
	MaxBody int64
	// HTTPClient replaces the built-in client (its transport is used as is;
	// redirects are still refused and Timeout still bounds each call).
	HTTPClient *http.Client
	// Zone is the 3PL's documented time zone, for timestamps it sends
	// without an offset (UTC).
	Zone *time.Location
	// MaxRateWait is the longest Retry-After a status, lookup or cancel
	// waits out itself when the 3PL answers 429, before sending once more
	// (DefaultMaxRateWait); a longer one, or any on a push, returns
	// Retryable with RetryAfter. Negative never waits.
	MaxRateWait time.Duration
	// Now is the clock (time.Now); it dates Retry-After HTTP-dates.
	Now func() time.Time
	// Sleep waits d or until ctx is done (a timer). Tests inject a fake.
	Sleep func(ctx context.Context, d time.Duration) error
}

// REST pushes orders to a 3PL that speaks the generic REST contract. It is
// safe for concurrent use.
type REST struct {
	name    string
	base    string
	token   string
	http    *httpClient
	zone    *time.Location
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	maxWait time.Duration
}

var _ Carrier = (*REST)(nil)

// NewREST checks cfg and builds the adapter. It sends nothing.
func NewREST(cfg RESTConfig) (*REST, error) {
	var errs []error
	if strings.TrimSpace(cfg.Name) == "" {
		errs = append(errs, errors.New("name is required"))
	}
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(cfg.Token) == "" {
		errs = append(errs, errors.New("token is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("rest carrier %q: %w", cfg.Name, err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sleep := cfg.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	zone := cfg.Zone
	if zone == nil {
		zone = time.UTC
	}
	maxWait := cfg.MaxRateWait
	if maxWait == 0 {
		maxWait = DefaultMaxRateWait
	}
	limits := newHTTPLimits(cfg.Timeout, cfg.DialTimeout, cfg.ResponseHeaderTimeout, cfg.MaxBody)
	return &REST{
		name:    cfg.Name,
		base:    base,
		token:   cfg.Token,
		http:    newHTTPClient(cfg.Name, cfg.HTTPClient, limits, newSecrets(cfg.Token, "Bearer "+cfg.Token)),
		zone:    zone,
		now:     now,
		sleep:   sleep,
		maxWait: maxWait,
	}, nil
}

// call sends one read or cancel. A 429 whose Retry-After is short (at most
// MaxRateWait) is waited out and the request sent once more, so an
// operator's re-route or a recovery lookup is not refused for a second's
// throttling; a 429 means the 3PL did not act on the request.
func (r *REST) call(ctx context.Context, op, method, target string, h http.Header, body []byte, ifSent Class) (reply, error) {
	rep, err := r.http.do(ctx, op, method, target, h, body, ifSent)
	if err != nil || rep.status != http.StatusTooManyRequests || r.maxWait < 0 {
		return rep, err
	}
	d := parseRetryAfter(rep.header.Get("Retry-After"), r.now())
	if d <= 0 || d > r.maxWait {
		return rep, nil // the caller's error carries the delay
	}
	if err := r.sleep(ctx, d); err != nil {
		return rep, nil
	}
	return r.http.do(ctx, op, method, target, h, body, ifSent)
}

// Name is the configured carrier name.
func (r *REST) Name() string { return r.name }

// Kind is "rest".
func (r *REST) Kind() string { return KindREST }

// Capabilities: the contract has lookup, status, cancel and an
// Idempotency-Key on push.
func (r *REST) Capabilities() Capabilities {
	return Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true}
}

// headers are the ones every contract request carries.
func (r *REST) headers() http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+r.token)
	h.Set("Accept", "application/json")
	h.Set("Content-Type", "application/json")
	return h
}

// errorReply classifies a non-2xx reply using the contract's error body.
func (r *REST) errorReply(op string, rep reply) *Error {
	code, message, _ := parseRESTError(rep.body)
	return r.http.statusError(op, rep, r.now(), code, message)
}
