package carrier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// Defaults shared by the HTTP adapters.
const (
	// DefaultTimeout bounds one HTTP call, from dial to the last body byte.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBody is the largest reply body an adapter reads.
	DefaultMaxBody int64 = 1 << 20
	// maxDialTimeout caps the default dial and TLS handshake timeouts: a
	// 3PL that does not accept a connection in 5 s will not in 10.
	maxDialTimeout = 5 * time.Second
)

// httpLimits are the timeouts and size limit of one HTTP adapter.
type httpLimits struct {
	timeout       time.Duration
	dialTimeout   time.Duration
	headerTimeout time.Duration
	maxBody       int64
}

// newHTTPLimits fills in the defaults for zero or negative values.
func newHTTPLimits(timeout, dial, header time.Duration, maxBody int64) httpLimits {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if dial <= 0 {
		dial = min(timeout, maxDialTimeout)
	}
	if header <= 0 {
		header = timeout
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return httpLimits{timeout: timeout, dialTimeout: dial, headerTimeout: header, maxBody: maxBody}
}

// httpClient sends an adapter's requests and turns transport failures into
// classified errors. It never follows redirects: a 3PL API that redirects
// is misconfigured, and following a redirect could resend a push elsewhere.
type httpClient struct {
	carrier string
	client  *http.Client
	limits  httpLimits
	scrub   secrets
}

// newHTTPClient builds the client for one adapter. A custom client is
// copied (its transport is shared) with redirects turned off; otherwise a
// transport with explicit dial, handshake and header timeouts is built.
func newHTTPClient(carrierName string, custom *http.Client, limits httpLimits, scrub secrets) *httpClient {
	var c http.Client
	if custom != nil {
		c = *custom
	} else {
		dialer := &net.Dialer{Timeout: limits.dialTimeout, KeepAlive: 30 * time.Second}
		c.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   limits.dialTimeout,
			ResponseHeaderTimeout: limits.headerTimeout,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   8,
			ForceAttemptHTTP2:     true,
		}
		c.Timeout = limits.timeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &httpClient{carrier: carrierName, client: &c, limits: limits, scrub: scrub}
}

// reply is a response read whole (up to the size limit).
type reply struct {
	status int
	header http.Header
	body   []byte
	// bodyErr is set when the body could not be read whole: a read error
	// (timeout, reset) or more than the size limit.
	bodyErr error
}

// errBodyTooLarge marks a reply body (or an inbox file) over its limit.
var errBodyTooLarge = errors.New("reply body over the size limit")

// do sends one request and reads the reply. A request that gets no reply
// is returned as a classified *Error: Retryable when nothing reached the
// 3PL (connection refused, DNS failure), ifSent when the whole request was
// written before the failure (Unknown for a push that may have landed,
// Retryable for calls that are safe to repeat).
func (c *httpClient) do(ctx context.Context, op, method, target string, header http.Header, body []byte, ifSent Class) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.limits.timeout)
	defer cancel()
	var written atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				written.Store(true)
			}
		},
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return reply{}, &Error{Carrier: c.carrier, Op: op, Class: Permanent,
			Reason: "could not build the request: " + c.scrub.clean(err.Error()), Err: c.scrub.wrap(err)}
	}
	req.Header = header.Clone()
	resp, err := c.client.Do(req)
	if err != nil {
		return reply{}, c.sendFailure(op, err, written.Load(), ifSent)
	}
	defer resp.Body.Close()
	rep := reply{status: resp.StatusCode, header: resp.Header}
	data, err := readLimited(resp.Body, c.limits.maxBody)
	switch {
	case errors.Is(err, errBodyTooLarge):
		rep.bodyErr = fmt.Errorf("%w (%d bytes)", errBodyTooLarge, c.limits.maxBody)
	case err != nil:
		rep.bodyErr = fmt.Errorf("read reply body: %w", c.scrub.wrap(err))
	default:
		rep.body = data
	}
	return rep, nil
}

// readLimited reads r to its end unless it holds more than max bytes: then
// it stops after max+1 and returns errBodyTooLarge, never a silently
// truncated body.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// sendFailure classifies a request that got no response.
func (c *httpClient) sendFailure(op string, err error, written bool, ifSent Class) *Error {
	e := &Error{Carrier: c.carrier, Op: op, Err: c.scrub.wrap(err)}
	detail := c.scrub.clean(err.Error())
	switch {
	case !written:
		e.Class = Retryable
		e.Reason = "could not send the request: " + detail
	case ifSent == Unknown:
		e.Class = Unknown
		e.Reason = "request sent but no reply, so the 3PL may have acted on it: " + detail
	default:
		e.Class = ifSent
		e.Reason = "request sent but no reply: " + detail
	}
	return e
}
