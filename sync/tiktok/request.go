package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const contentTypeJSON = "application/json"

// endpoint describes one Open API endpoint.
type endpoint struct {
	name, method, path string
	// shopScoped endpoints take shop_cipher; the others refuse it.
	shopScoped bool
	// needData: a success reply without data is malformed.
	needData bool
}

// call runs one method call: an attempt and, when TikTok says the access
// token expired, one refresh and one retry. The whole call is bounded by
// the configured timeout.
func (c *Client) call(ctx context.Context, ep endpoint, params url.Values, body any, out any) (replyMeta, error) {
	var raw []byte
	if body != nil {
		// Marshalled once: these exact bytes are signed and sent, on every
		// attempt.
		b, err := json.Marshal(body)
		if err != nil {
			return replyMeta{}, &APIError{Endpoint: ep.name, Class: ClassBadRequest, Reason: "could not encode the request body", Err: err}
		}
		raw = b
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	access, refresh := c.tokens()
	if access == "" && refresh != "" {
		if err := c.refreshAfterExpiry(ctx, access); err != nil {
			return replyMeta{}, fmt.Errorf("tiktok %s: no access token and the refresh failed: %w", ep.name, err)
		}
		access, _ = c.tokens()
	}
	meta, err := c.send(ctx, ep, params, raw, access, 1, out)
	if ClassOf(err) != ClassTokenExpired {
		return meta, err
	}
	if _, refresh := c.tokens(); refresh == "" {
		return meta, err
	}
	if rerr := c.refreshAfterExpiry(ctx, access); rerr != nil {
		return meta, fmt.Errorf("tiktok %s: access token expired and the refresh failed: %w", ep.name, rerr)
	}
	access, _ = c.tokens()
	return c.send(ctx, ep, params, raw, access, 2, out)
}

// send signs and sends one attempt with a fresh timestamp.
func (c *Client) send(ctx context.Context, ep endpoint, params url.Values, raw []byte, token string,
	attempt int, out any) (replyMeta, error) {
	q := make(url.Values, len(params)+4)
	for k, vs := range params {
		// Array values are comma-joined; empty parameters are neither
		// signed nor sent.
		if v := strings.Join(vs, ","); v != "" {
			q.Set(k, v)
		}
	}
	if ep.shopScoped {
		cipher := c.cipher()
		if cipher == "" {
			return replyMeta{}, &APIError{Endpoint: ep.name, Class: ClassShopCipher,
				Reason: "no shop cipher yet: the authorized shops have not been fetched (not sent)"}
		}
		q.Set("shop_cipher", cipher)
	}
	q.Set("app_key", c.appKey)
	q.Set("timestamp", strconv.FormatInt(c.now().Unix(), 10))
	// Sign sees decoded values; Encode percent-encodes them for the wire.
	q.Set("sign", Sign(c.appSecret, ep.method, ep.path, q, raw, contentTypeJSON))

	header := make(http.Header, 3)
	header.Set("Content-Type", contentTypeJSON)
	header.Set("Accept", contentTypeJSON)
	header.Set("x-tts-access-token", token)
	var body io.Reader
	if ep.method != http.MethodGet && raw != nil {
		body = bytes.NewReader(raw)
	}
	call := Call{Endpoint: ep.name, Method: ep.method, Path: ep.path, Kind: KindFrom(ctx), Attempt: attempt}
	return c.roundTrip(ctx, call, c.baseURL+ep.path+"?"+q.Encode(), body, header, out, ep.needData)
}

// roundTrip runs the hooks around one HTTP exchange and decodes the
// reply. rawURL may hold secrets (the token call's does), so it never
// reaches an error.
func (c *Client) roundTrip(ctx context.Context, call Call, rawURL string, body io.Reader, header http.Header,
	out any, needData bool) (replyMeta, error) {
	if c.beforeSend != nil {
		if err := c.beforeSend(ctx, call); err != nil {
			return replyMeta{}, fmt.Errorf("tiktok %s: not sent: %w", call.Endpoint, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, rawURL, body)
	if err != nil {
		// The error text quotes the URL; leave it out.
		return replyMeta{}, &APIError{Endpoint: call.Endpoint, Class: ClassBadRequest, Reason: "could not build the request"}
	}
	req.Header = header

	start := time.Now()
	var meta replyMeta
	resp, err := c.hc.Do(req)
	if err != nil {
		err = transportError(call.Endpoint, err)
	} else {
		var data []byte
		var readErr error
		if resp.ContentLength > c.maxBody {
			readErr = errBodyTooLarge
		} else {
			data, readErr = readLimited(resp.Body, c.maxBody)
		}
		resp.Body.Close()
		meta, err = decodeReply(call.Endpoint, resp.StatusCode, resp.Header, data, stripURL(readErr), c.now(), out, needData)
	}
	if c.afterSend != nil {
		c.afterSend(ctx, call, Result{
			HTTPStatus: meta.HTTPStatus, Code: meta.Code, RequestID: meta.RequestID,
			Latency: time.Since(start), RetryAfter: meta.RetryAfter, Err: err,
		})
	}
	return meta, err
}

// transportError classifies a failure to get a reply at all. Every such
// failure is transient: the caller retries with backoff.
func transportError(endpoint string, err error) error {
	err = stripURL(err)
	reason := "network error"
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		reason = "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		reason = "timed out"
	}
	return &APIError{Endpoint: endpoint, Class: ClassTransient, Reason: reason, Err: err}
}

// stripURL drops the *url.Error layer whose text quotes the request URL
// (which for the token call holds the app secret and refresh token).
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// validID reports whether s is a plausible TikTok id for a path or an
// ids list: 1..max characters of letters, digits, '-' and '_'.
func validID(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
