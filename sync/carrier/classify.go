package carrier

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// classOfStatus is how a non-2xx reply with no contract-specific meaning is
// handled: throttling and server trouble are retried, anything else the
// 3PL refused will be refused again.
func classOfStatus(status int) Class {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status == http.StatusTooManyRequests:
		return Retryable
	case status >= 500:
		return Retryable
	default:
		return Permanent
	}
}

// statusError builds the error for a reply the caller gave no special
// meaning. code and message come from the 3PL's error body when it had one.
func (c *httpClient) statusError(op string, rep reply, now time.Time, code, message string) *Error {
	e := &Error{
		Carrier:    c.carrier,
		Op:         op,
		Class:      classOfStatus(rep.status),
		HTTPStatus: rep.status,
		Code:       c.scrub.clean(code),
		Reason:     c.describe(rep, message),
		RequestID:  c.requestID(rep),
	}
	if e.Class == Retryable {
		e.RetryAfter = parseRetryAfter(rep.header.Get("Retry-After"), now)
	}
	return e
}

// describe is the operator-facing reason for an error reply: the 3PL's
// message when it sent one, else what the reply looked like.
func (c *httpClient) describe(rep reply, message string) string {
	message = strings.TrimSpace(c.scrub.clean(message))
	var prefix string
	switch {
	case rep.status == http.StatusUnauthorized || rep.status == http.StatusForbidden:
		prefix = "the 3PL rejected the credentials"
	case rep.status >= 300 && rep.status < 400:
		prefix = "unexpected redirect; check the endpoint"
		if loc := rep.header.Get("Location"); loc != "" {
			prefix += " (Location: " + c.scrub.clean(truncate(loc, 200)) + ")"
		}
	case rep.status == http.StatusTooManyRequests:
		prefix = "rate limited"
	}
	if message == "" {
		message = bodySummary(rep)
	}
	if prefix == "" {
		return message
	}
	return prefix + ": " + message
}

// bodySummary describes a reply body that carried no readable message.
func bodySummary(rep reply) string {
	text := http.StatusText(rep.status)
	if text == "" {
		text = fmt.Sprintf("HTTP %d", rep.status)
	}
	switch {
	case rep.bodyErr != nil:
		return text + " (" + rep.bodyErr.Error() + ")"
	case len(rep.body) == 0:
		return text + " (empty body)"
	default:
		ct := rep.header.Get("Content-Type")
		if ct == "" {
			ct = "no content type"
		}
		return fmt.Sprintf("%s (unreadable %d-byte body, %s)", text, len(rep.body), ct)
	}
}

// unreadable classifies a 2xx read reply that does not parse: Retryable,
// since reading again is harmless and a proxy hiccup is the usual cause.
// It wraps ErrUnreadable and names the field and the request id, so the
// order's reason says what to ask the 3PL about.
func (c *httpClient) unreadable(op string, rep reply, err error) *Error {
	e := &Error{Carrier: c.carrier, Op: op, Class: Retryable, HTTPStatus: rep.status,
		Field: c.scrub.clean(fieldOf(err)), RequestID: c.requestID(rep),
		Reason: "unreadable reply: " + c.scrub.clean(err.Error()),
		Err:    fmt.Errorf("%w: %w", ErrUnreadable, c.scrub.wrap(err))}
	if e.RequestID != "" {
		e.Reason += " (request id " + e.RequestID + ")"
	}
	return e
}

// requestIDHeaders are the usual places an HTTP API names its id of a
// request: X-Request-Id (the common convention), Request-Id (Stripe's, whose
// style the generic contract follows), X-Correlation-Id, and the two Amazon
// spellings a 3PL behind API Gateway or S3 sends. None is promised by a 3PL
// document we hold, so each is read only when present.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Requestid", "X-Amz-Request-Id"}

// requestID is the 3PL's id of the request a reply answers, cleaned and
// bounded, or "".
func (c *httpClient) requestID(rep reply) string {
	for _, h := range requestIDHeaders {
		if v := strings.TrimSpace(rep.header.Get(h)); v != "" {
			return c.scrub.clean(truncate(strings.Map(printableASCII, v), 100))
		}
	}
	return ""
}

// printableASCII keeps printable ASCII and drops the rest: a request id is
// quoted to the 3PL, never shown raw.
func printableASCII(r rune) rune {
	if r < 0x20 || r > 0x7e {
		return -1
	}
	return r
}

// readReply is how every adapter reads the reply to a read call (status,
// lookup, shipments): a non-2xx goes to refuse, the adapter's own error
// classification; a 2xx body that was cut off, is too large or does not
// parse is unreadable. It makes no calls, so the callers can be fuzzed.
func readReply[T any](c *httpClient, op string, rep reply, refuse func(op string, rep reply) *Error,
	parse func(body []byte) (T, error)) (T, error) {
	var zero T
	if !is2xx(rep.status) {
		return zero, refuse(op, rep)
	}
	if rep.bodyErr != nil {
		return zero, c.unreadable(op, rep, rep.bodyErr)
	}
	v, err := parse(rep.body)
	if err != nil {
		return zero, c.unreadable(op, rep, err)
	}
	return v, nil
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// is2xx reports a success status.
func is2xx(status int) bool { return status >= 200 && status < 300 }
