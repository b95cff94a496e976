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

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// is2xx reports a success status.
func is2xx(status int) bool { return status >= 200 && status < 300 }
