package carrier

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// stall is a handler that never answers until the client gives up.
func stall(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

// resetAfterRead reads the whole request, then drops the connection with
// an RST.
func resetAfterRead(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		conn.Close()
	}
}

// stallBody sends the 201 headers, then no body.
func stallBody(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"id":`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

func TestRESTTransportFailures(t *testing.T) {
	const quick = 150 * time.Millisecond
	tests := []struct {
		name      string
		handler   func(t *testing.T, release chan struct{}) http.HandlerFunc // nil: connection refused
		cfg       func(*RESTConfig)
		call      func(r *REST) error
		wantClass Class
		wantWords string
	}{
		{name: "push timeout after send is unknown", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stall(rel) },
			cfg: func(c *RESTConfig) { c.Timeout = quick }, call: pushSample, wantClass: Unknown, wantWords: "may have acted"},
		{name: "push response-header timeout is unknown", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stall(rel) },
			cfg: func(c *RESTConfig) { c.ResponseHeaderTimeout = quick }, call: pushSample, wantClass: Unknown},
		{name: "push reset after send is unknown", handler: func(t *testing.T, _ chan struct{}) http.HandlerFunc { return resetAfterRead(t) },
			call: pushSample, wantClass: Unknown},
		{name: "push body stalls after 201 is unknown", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stallBody(rel) },
			cfg: func(c *RESTConfig) { c.Timeout = quick }, call: pushSample, wantClass: Unknown, wantWords: "accepted the order"},
		{name: "push connection refused is retryable", call: pushSample, wantClass: Retryable, wantWords: "could not send"},
		{name: "push with a cancelled context is retryable", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stall(rel) },
			call: func(r *REST) error {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				_, err := r.Push(ctx, sampleShipment())
				return err
			}, wantClass: Retryable},
		{name: "status timeout is retryable", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stall(rel) },
			cfg: func(c *RESTConfig) { c.Timeout = quick }, call: func(r *REST) error { _, err := r.Status(context.Background(), "1"); return err }, wantClass: Retryable},
		{name: "lookup reset is retryable", handler: func(t *testing.T, _ chan struct{}) http.HandlerFunc { return resetAfterRead(t) },
			call: func(r *REST) error { _, err := r.Lookup(context.Background(), "1"); return err }, wantClass: Retryable},
		{name: "cancel timeout is retryable", handler: func(_ *testing.T, rel chan struct{}) http.HandlerFunc { return stall(rel) },
			cfg: func(c *RESTConfig) { c.Timeout = quick }, call: func(r *REST) error { return r.Cancel(context.Background(), "1") }, wantClass: Retryable},
		{name: "cancel connection refused is retryable", call: func(r *REST) error { return r.Cancel(context.Background(), "1") }, wantClass: Retryable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			endpoint := "http://" + refusedAddr(t)
			if tc.handler != nil {
				release := make(chan struct{})
				srv := serve(t, tc.handler(t, release))
				t.Cleanup(func() { close(release) }) // runs before srv.Close
				endpoint = srv.URL
			}
			r := newTestREST(t, endpoint, func(c *RESTConfig) {
				if tc.cfg != nil {
					tc.cfg(c)
				}
			})
			err := tc.call(r)
			ce := checkClass(t, err, tc.wantClass)
			assertNoSecret(t, err, testToken)
			if !strings.Contains(ce.Reason, tc.wantWords) {
				t.Errorf("Reason = %q, want it to mention %q", ce.Reason, tc.wantWords)
			}
			if ce.Err == nil {
				t.Error("the transport error is not kept in Err")
			}
		})
	}
}

func pushSample(r *REST) error {
	_, err := r.Push(context.Background(), sampleShipment())
	return err
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"600", 10 * time.Minute},
		{"601", MaxRetryAfter},
		{"86400", MaxRetryAfter},
		{"99999999999999999999999", MaxRetryAfter},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"-", 0},
		{testNow.Add(45 * time.Second).Format(http.TimeFormat), 45 * time.Second},
		{testNow.Add(-45 * time.Second).Format(http.TimeFormat), 0},
		{testNow.Add(24 * time.Hour).Format(http.TimeFormat), MaxRetryAfter},
		{testNow.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, testNow); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
