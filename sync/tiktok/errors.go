package tiktok

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Class says how a failed TikTok call should be handled. The engine decides
// retries from the class alone, never from codes or messages.
type Class string

// Error classes.
const (
	// ClassRateLimited: TikTok throttled the call (36009002 or HTTP 429).
	// Wait at least APIError.RetryAfter when it is set.
	ClassRateLimited Class = "rate_limited"
	// ClassTokenExpired: the access token was refused. The client already
	// refreshed it once and retried when it could; seeing this class means
	// the refresh did not help.
	ClassTokenExpired Class = "token_expired"
	// ClassNeedsHuman: credentials, scopes, the IP allow list or the
	// authorization are wrong. Retrying cannot help; an operator must act.
	ClassNeedsHuman Class = "needs_human"
	// ClassTransient: a server, network or clock hiccup. Retry with backoff.
	ClassTransient Class = "transient"
	// ClassBadRequest: TikTok refused this request as built (a bug or a
	// business rule). Resending it unchanged will fail the same way.
	ClassBadRequest Class = "bad_request"
	// ClassMalformed: the reply could not be understood (not JSON, cut
	// off, wrong envelope, missing data, too large).
	ClassMalformed Class = "malformed"
	// ClassShopCipher: the shop_cipher is missing or TikTok no longer
	// accepts it (106013, or 36009004 "Invalid identifier"). Fetching the
	// authorized shops again may give a new one.
	ClassShopCipher Class = "shop_cipher"
	// ClassOnHold: a fulfilment call refused because the order is in its
	// ON_HOLD period (21011044). It succeeds once the hold ends.
	ClassOnHold Class = "on_hold"
)

// MaxRetryAfter caps a server-given Retry-After so that a hostile or
// misconfigured endpoint cannot stall the worker for hours.
const MaxRetryAfter = 15 * time.Minute

// maxMessageLen bounds the TikTok message kept in an error.
const maxMessageLen = 300

// APIError is a classified failure of one TikTok call. Its text names the
// endpoint and the request id (what TikTok support asks for) and never a
// secret, token or request URL.
type APIError struct {
	// Endpoint is the stable endpoint name (one of the Endpoint constants).
	Endpoint string
	// RequestID is TikTok's request id (body request_id or x-tt-logid
	// header), when the reply carried one.
	RequestID  string
	HTTPStatus int
	// Code is TikTok's error code, 0 when the reply had none.
	Code int
	// Message is TikTok's message, control characters removed and
	// shortened.
	Message string
	// Reason is shipdeck's explanation of the class, in operator words.
	Reason string
	Class  Class
	// RetryAfter is the server-given delay (clamped to MaxRetryAfter).
	RetryAfter time.Duration
	Err        error
}

// Error names the endpoint, the class or reason, TikTok's message and the
// request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("tiktok ")
	b.WriteString(e.Endpoint)
	b.WriteString(": ")
	if e.Reason != "" {
		b.WriteString(e.Reason)
	} else {
		b.WriteString(string(e.Class))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var meta []string
	if e.HTTPStatus != 0 {
		meta = append(meta, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Code != 0 {
		meta = append(meta, fmt.Sprintf("code %d", e.Code))
	}
	if e.RequestID != "" {
		meta = append(meta, "request id "+e.RequestID)
	}
	if e.RetryAfter > 0 {
		meta = append(meta, "retry after "+e.RetryAfter.String())
	}
	if len(meta) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(meta, ", "))
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error (a network or decode error), if any.
func (e *APIError) Unwrap() error { return e.Err }

// ClassOf returns the class of the *APIError in err's chain, or "" when
// err did not come from TikTok (for example a BeforeSend veto, which the
// caller classifies itself) or is nil.
func ClassOf(err error) Class {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class
	}
	return ""
}

// RetryAfterOf returns the server-given delay of the *APIError in err's
// chain, or 0 when there was none.
func RetryAfterOf(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}

// cleanText removes control characters and shortens s, so text that came
// from the server cannot garble a log line or a terminal.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
