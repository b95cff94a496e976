package tiktok

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// raw answers with a fixed status, headers and body.
func raw(status int, headers map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// env answers with a TikTok envelope carrying code and message.
func env(status, code int, msg string, headers map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		writeEnvelope(w, status, code, msg, fmt.Sprintf("REQ-%d", code), nil)
	}
}

const htmlPage = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"

func TestReplyClassification(t *testing.T) {
	retryDate := testT0.Add(30 * time.Second).UTC().Format(http.TimeFormat)
	pastDate := testT0.Add(-time.Hour).UTC().Format(http.TimeFormat)
	logid := map[string]string{"X-Tt-Logid": "LOGID-1", "Content-Type": "text/html"}
	big := `{"code":0,"message":"Success","request_id":"REQ-BIG","data":{"orders":[],"pad":"` + strings.Repeat("x", 4096) + `"}}`

	tests := []struct {
		name           string
		handler        http.HandlerFunc
		timeout        time.Duration
		want           Class
		wantRetryAfter time.Duration
		wantRequestID  string
		wantCode       int
	}{
		// Rate limits and Retry-After.
		{"429 with Retry-After seconds", env(429, CodeRateLimited, "Too many requests.", map[string]string{"Retry-After": "7"}),
			0, ClassRateLimited, 7 * time.Second, "REQ-36009002", CodeRateLimited},
		{"36009002 on HTTP 200", env(200, CodeRateLimited, "Too many requests.", nil), 0, ClassRateLimited, 0, "REQ-36009002", CodeRateLimited},
		{"429 HTML page", raw(429, logid, htmlPage), 0, ClassRateLimited, 0, "LOGID-1", 0},
		{"Retry-After HTTP-date", env(429, CodeRateLimited, "", map[string]string{"Retry-After": retryDate}),
			0, ClassRateLimited, 30 * time.Second, "", 0},
		{"Retry-After date in the past", env(429, CodeRateLimited, "", map[string]string{"Retry-After": pastDate}),
			0, ClassRateLimited, 0, "", 0},
		{"Retry-After garbage", env(429, CodeRateLimited, "", map[string]string{"Retry-After": "soon"}), 0, ClassRateLimited, 0, "", 0},
		{"Retry-After negative", env(429, CodeRateLimited, "", map[string]string{"Retry-After": "-5"}), 0, ClassRateLimited, 0, "", 0},
		{"Retry-After huge (epoch mistaken for a delay)", env(429, CodeRateLimited, "", map[string]string{"Retry-After": "1792152901"}),
			0, ClassRateLimited, MaxRetryAfter, "", 0},
		{"Retry-After overflowing int64", env(429, CodeRateLimited, "", map[string]string{"Retry-After": "99999999999999999999999"}),
			0, ClassRateLimited, MaxRetryAfter, "", 0},

		// Tokens (this client has no refresh token, so it cannot recover).
		{"105002 expired token", env(200, CodeExpiredToken, "Expired credentials.", nil), 0, ClassTokenExpired, 0, "REQ-105002", CodeExpiredToken},
		{"36009004 invalid access token", env(200, CodeOverloaded, "Invalid credentials. The `access_token` header is invalid.", nil),
			0, ClassTokenExpired, 0, "", CodeOverloaded},

		// Needs a human.
		{"106001 bad signature (401)", env(401, CodeBadSignature, "Invalid credentials. The `sign` query parameter is invalid.", nil),
			0, ClassNeedsHuman, 0, "REQ-106001", CodeBadSignature},
		{"105005 missing scope", env(200, CodeScopeDenied, "Access denied.", nil), 0, ClassNeedsHuman, 0, "", CodeScopeDenied},
		{"36009033 IP allow list", env(403, CodeIPNotAllowed, "Access denied. Your IP address is not in the IP allow list.", nil),
			0, ClassNeedsHuman, 0, "", CodeIPNotAllowed},
		{"36004004 invalid auth code", env(200, 36004004, "Invalid auth code.", nil), 0, ClassNeedsHuman, 0, "", 36004004},
		{"36009004 invalid app_key", env(200, CodeOverloaded, "Invalid credentials. Invalid `app_key` query parameter.", nil),
			0, ClassNeedsHuman, 0, "", CodeOverloaded},
		{"36009004 missing signature", env(200, CodeOverloaded, "Missing credentials. The request does not include a required signature in the query.", nil),
			0, ClassNeedsHuman, 0, "", CodeOverloaded},
		{"36009004 unknown message", env(200, CodeOverloaded, "Something new.", nil), 0, ClassNeedsHuman, 0, "", CodeOverloaded},

		// Clock skew is transient.
		{"36009004 stale timestamp", env(200, CodeOverloaded, "Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes before the current time.", nil),
			0, ClassTransient, 0, "", CodeOverloaded},
		{"36009004 future timestamp", env(200, CodeOverloaded, "Invalid timestamp. The value of the `timestamp` query parameter must not exceed the current time by more than 30 seconds.", nil),
			0, ClassTransient, 0, "", CodeOverloaded},

		// Request bugs.
		{"36009004 unexpected shop_cipher", env(200, CodeOverloaded, "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.", nil),
			0, ClassBadRequest, 0, "", CodeOverloaded},
		{"36009004 invalid param", env(200, CodeOverloaded, "invalid param error", nil), 0, ClassBadRequest, 0, "", CodeOverloaded},
		{"36009004 invalid version", env(200, CodeOverloaded, "Invalid API version. The `version` value is invalid or unsupported.", nil),
			0, ClassBadRequest, 0, "", CodeOverloaded},
		{"106013 missing shop_cipher", env(200, CodeMissingCipher, "Missing identifier.", nil), 0, ClassShopCipher, 0, "", CodeMissingCipher},
		{"36009004 invalid shop_cipher", env(400, CodeOverloaded, "Invalid identifier. The shop_cipher query parameter is invalid.", nil),
			0, ClassShopCipher, 0, "", CodeOverloaded},
		{"21011044 order on hold", env(200, CodeOnHold, "Order status is on hold. Please ship the order after the on-hold period ends.", nil),
			0, ClassOnHold, 0, "", CodeOnHold},
		{"21011049 update window closed", env(200, CodeUpdateWindowShut, "Shipping information can only be updated within 72 hours after shipping.", nil),
			0, ClassNeedsHuman, 0, "", CodeUpdateWindowShut},
		{"36009009 invalid path (404)", env(404, 36009009, "Invalid path.", nil), 0, ClassBadRequest, 0, "", 36009009},
		{"36009010 invalid method", env(405, 36009010, "Invalid method.", nil), 0, ClassBadRequest, 0, "", 36009010},
		{"21008111 not the seller's order", env(200, CodeNotSellersOrder, "The order or package does not belong to the current seller.", nil),
			0, ClassBadRequest, 0, "", CodeNotSellersOrder},
		{"unknown code on 200", env(200, 12345678, "order status does not allow this", nil), 0, ClassBadRequest, 0, "", 12345678},
		{"404 plain text", raw(404, nil, "404 page not found"), 0, ClassBadRequest, 0, "", 0},

		// Transient server trouble.
		{"36009003 internal error", env(200, CodeInternal, "Internal error.", nil), 0, ClassTransient, 0, "", CodeInternal},
		{"36009007 request timeout", env(200, CodeTimeout, "Request timeout.", nil), 0, ClassTransient, 0, "", CodeTimeout},
		{"10002014 failed to get orders", env(200, 10002014, "Failed to get orders", nil), 0, ClassTransient, 0, "", 10002014},
		{"10002015 failed to get orders", env(200, 10002015, "Failed to get orders", nil), 0, ClassTransient, 0, "", 10002015},
		{"unknown code on 503", env(503, 99999, "overloaded", nil), 0, ClassTransient, 0, "", 99999},
		{"HTML 502 page", raw(502, logid, htmlPage), 0, ClassTransient, 0, "LOGID-1", 0},
		{"503 with Retry-After is not a rate limit", raw(503, map[string]string{"Retry-After": "20"}, ""), 0, ClassTransient, 20 * time.Second, "", 0},
		{"500 with code 0", env(500, 0, "", nil), 0, ClassTransient, 0, "", 0},
		{"slow server hits the timeout", func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hang up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, 150 * time.Millisecond, ClassTransient, 0, "", 0},
		{"connection reset", resetConnection, 0, ClassTransient, 0, "", 0},
		{"body cut off mid-stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "500")
			_, _ = w.Write([]byte(`{"code":0,"message":"Success","data":{"orders":[`))
		}, 0, ClassTransient, 0, "", 0},

		// Replies that do not parse.
		{"200 HTML page", raw(200, logid, htmlPage), 0, ClassMalformed, 0, "LOGID-1", 0},
		{"200 truncated JSON", raw(200, nil, `{"code":0,"message":"Success","request_id":"REQ-T","data":{"orders":[{"id":"5766`),
			0, ClassMalformed, 0, "", 0},
		{"200 empty body", raw(200, map[string]string{"X-Tt-Logid": "LOGID-2"}, ""), 0, ClassMalformed, 0, "LOGID-2", 0},
		{"200 wrong envelope", raw(200, nil, `{"status":"ok","orders":[]}`), 0, ClassMalformed, 0, "", 0},
		{"200 envelope is an array", raw(200, nil, `[{"code":0}]`), 0, ClassMalformed, 0, "", 0},
		{"200 code is a string", raw(200, nil, `{"code":"0","request_id":"REQ-S","data":{}}`), 0, ClassMalformed, 0, "", 0},
		{"200 without data", raw(200, nil, `{"code":0,"message":"Success","request_id":"REQ-N"}`), 0, ClassMalformed, 0, "REQ-N", 0},
		{"200 data of the wrong shape", raw(200, nil, `{"code":0,"request_id":"REQ-W","data":{"orders":"none"}}`),
			0, ClassMalformed, 0, "REQ-W", 0},
		{"200 oversize body with Content-Length", raw(200, map[string]string{"Content-Length": fmt.Sprint(len(big))}, big), 0, ClassMalformed, 0, "", 0},
		{"200 oversize body streamed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			for range 8 {
				_, _ = w.Write([]byte(big[:1000]))
				w.(http.Flusher).Flush()
			}
		}, 0, ClassMalformed, 0, "", 0},
		{"redirect is not followed", raw(302, map[string]string{"Location": "https://evil.example/steal"}, ""), 0, ClassMalformed, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			clock := &stepClock{t: testT0} // frozen: Retry-After dates are exact
			c := newTestClient(t, srv.URL, clock, func(cfg *Config) {
				cfg.RefreshToken = ""
				cfg.MaxBody = 2048
				if tt.timeout > 0 {
					cfg.Timeout = tt.timeout
				}
			})
			_, err := c.SearchOrders(context.Background(), SearchRequest{UpdateTimeGE: 1}, "", 50)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if ae.Class != tt.want {
				t.Errorf("class = %q, want %q (%v)", ae.Class, tt.want, err)
			}
			if got := RetryAfterOf(err); got != tt.wantRetryAfter {
				t.Errorf("retry after = %s, want %s", got, tt.wantRetryAfter)
			}
			if tt.wantCode != 0 && ae.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", ae.Code, tt.wantCode)
			}
			if ae.Endpoint != EndpointSearchOrders || !strings.Contains(err.Error(), EndpointSearchOrders) {
				t.Errorf("error does not name the endpoint: %v", err)
			}
			if tt.wantRequestID != "" && (ae.RequestID != tt.wantRequestID || !strings.Contains(err.Error(), tt.wantRequestID)) {
				t.Errorf("request id = %q, want %q in %v", ae.RequestID, tt.wantRequestID, err)
			}
			assertNoSecrets(t, err.Error())
			if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), "xxxx") {
				t.Errorf("error quotes the body: %v", err)
			}
		})
	}
}

// resetConnection drops the TCP connection with a reset.
func resetConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestSlowServerErrorIsDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	c := newTestClient(t, srv.URL, &stepClock{t: testT0}, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	_, err := c.Shops(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want a deadline", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := testT0
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{" 12 ", 12 * time.Second},
		{"-1", 0},
		{"1.5", 0},
		{"900", MaxRetryAfter},
		{"899", 899 * time.Second},
		{"-99999999999999999999", 0},
		{now.Add(90 * time.Second).UTC().Format(http.TimeFormat), 90 * time.Second},
		{now.Add(48 * time.Hour).UTC().Format(http.TimeFormat), MaxRetryAfter},
		{now.Add(-time.Second).UTC().Format(http.TimeFormat), 0},
		{"Wed, 99 Foo 2024 00:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestClassOfForeignErrors(t *testing.T) {
	if ClassOf(nil) != "" || ClassOf(errors.New("x")) != "" || RetryAfterOf(errors.New("x")) != 0 {
		t.Error("foreign errors must have no class and no retry-after")
	}
	wrapped := fmt.Errorf("poll: %w", &APIError{Class: ClassRateLimited, RetryAfter: time.Second})
	if ClassOf(wrapped) != ClassRateLimited || RetryAfterOf(wrapped) != time.Second {
		t.Error("ClassOf/RetryAfterOf must see through wrapping")
	}
}

func TestIsAlreadyShipped(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"code", &APIError{Code: CodePackageShipped, Class: ClassBadRequest}, true},
		{"message", fmt.Errorf("write back: %w", &APIError{Code: 21008000, Message: "Package already shipped."}), true},
		{"other refusal", &APIError{Code: CodeNotSellersOrder, Message: "not yours"}, false},
		{"no code", &APIError{Class: ClassTransient, Reason: "already shipped?"}, false},
		{"foreign", errors.New("already shipped"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := IsAlreadyShipped(tt.err); got != tt.want {
			t.Errorf("%s: IsAlreadyShipped = %v, want %v", tt.name, got, tt.want)
		}
	}
}
