package carrier

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "tok-3f9a61c2e7d04b5a"

// newTestREST points a REST adapter at srv.
func newTestREST(t *testing.T, srv string, tweak ...func(*RESTConfig)) *REST {
	t.Helper()
	// MaxRateWait -1: a 429 returns at once unless a test asks for the wait.
	cfg := RESTConfig{Name: "fast", Endpoint: srv, Token: testToken, Now: fixedNow, Timeout: 5 * time.Second, MaxRateWait: -1}
	for _, f := range tweak {
		f(&cfg)
	}
	r, err := NewREST(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// canned is one scripted reply.
type canned struct {
	status int
	header map[string]string
	body   string
}

func (c canned) write(w http.ResponseWriter) { writeReply(w, c.status, c.header, c.body) }

func TestRESTPushClassification(t *testing.T) {
	s := sampleShipment()
	orderJSON := func(id, ext, status string) string {
		return `{"id":"` + id + `","external_id":"` + ext + `","status":"` + status + `"}`
	}
	lookupOf := func(orders ...string) *canned {
		return &canned{status: 200, body: `{"orders":[` + strings.Join(orders, ",") + `]}`}
	}
	dup := canned{status: 422, body: `{"error":{"code":"duplicate_external_id","message":"external_id already exists"}}`}
	tests := []struct {
		name       string
		push       canned
		lookup     *canned // served for GET /v1/orders?external_id=
		maxBody    int64
		wantClass  Class
		wantID     string
		wantReplay bool
		wantAdopt  bool
		wantStatus int
		wantCode   string
		wantAfter  time.Duration
		wantReason string
	}{
		{name: "201 created", push: canned{status: 201, body: `{"id":"3pl-1","status":"accepted"}`}, wantID: "3pl-1"},
		{name: "200 replay of an earlier push", push: canned{status: 200, body: `{"id":"3pl-1","status":"accepted"}`}, wantID: "3pl-1", wantReplay: true},
		{name: "201 numeric id", push: canned{status: 201, body: `{"id":12345,"status":"accepted"}`}, wantID: "12345"},
		{name: "201 empty body", push: canned{status: 201}, wantClass: Unknown, wantStatus: 201, wantReason: "empty body"},
		{name: "201 truncated JSON", push: canned{status: 201, body: `{"id":"3pl-1","sta`}, wantClass: Unknown, wantStatus: 201},
		{name: "201 HTML page", push: canned{status: 201, header: map[string]string{"Content-Type": "text/html"}, body: `<html>ok</html>`}, wantClass: Unknown},
		{name: "201 id of the wrong shape", push: canned{status: 201, body: `{"id":{"x":1}}`}, wantClass: Unknown},
		{name: "201 without id", push: canned{status: 201, body: `{"status":"accepted"}`}, wantClass: Unknown, wantReason: "no order id"},
		{name: "201 body over the limit", push: canned{status: 201, body: `{"id":"3pl-1","pad":"` + strings.Repeat("x", 200) + `"}`}, maxBody: 64, wantClass: Unknown, wantReason: "size limit"},
		{name: "202 not in the contract", push: canned{status: 202, body: `{"id":"3pl-1"}`}, wantClass: Unknown, wantStatus: 202},
		{name: "409 idempotency mismatch", push: canned{status: 409, body: `{"error":{"code":"idempotency_mismatch","message":"key reused with another body"}}`},
			wantClass: Permanent, wantStatus: 409, wantCode: "idempotency_mismatch", wantReason: "key reused with another body"},
		{name: "409 other code", push: canned{status: 409, body: `{"error":{"code":"locked","message":"order locked"}}`}, wantClass: Permanent, wantCode: "locked"},
		{name: "422 duplicate, one match adopted", push: dup, lookup: lookupOf(orderJSON("3pl-7", s.ExternalID, "picking")), wantID: "3pl-7", wantAdopt: true},
		{name: "422 duplicate, cancelled and live: live adopted", push: dup,
			lookup: lookupOf(orderJSON("3pl-6", s.ExternalID, "cancelled"), orderJSON("3pl-7", s.ExternalID, "accepted")), wantID: "3pl-7", wantAdopt: true},
		{name: "422 duplicate, lookup finds none", push: dup, lookup: lookupOf(), wantClass: Permanent, wantCode: "duplicate_external_id", wantReason: "finds no such order"},
		{name: "422 duplicate, two live orders", push: dup, lookup: lookupOf(orderJSON("3pl-6", s.ExternalID, "accepted"), orderJSON("3pl-7", s.ExternalID, "shipped")),
			wantClass: Permanent, wantReason: "2 live orders"},
		{name: "422 duplicate, only a cancelled order", push: dup, lookup: lookupOf(orderJSON("3pl-6", s.ExternalID, "cancelled")), wantClass: Permanent, wantReason: "cancelled"},
		{name: "422 duplicate, lookup returns another external id", push: dup, lookup: lookupOf(orderJSON("3pl-9", "999", "accepted")), wantClass: Permanent, wantReason: "refused a reply about another order"},
		{name: "422 duplicate, lookup fails with 503", push: dup, lookup: &canned{status: 503, header: map[string]string{"Retry-After": "4"}},
			wantClass: Retryable, wantAfter: 4 * time.Second, wantReason: "looking it up failed"},
		{name: "422 duplicate, lookup unreadable", push: dup, lookup: &canned{status: 200, body: `<html>`}, wantClass: Retryable},
		{name: "422 invalid address", push: canned{status: 422, body: `{"error":{"code":"invalid_address","message":"postal code 00000 does not exist"}}`},
			wantClass: Permanent, wantStatus: 422, wantCode: "invalid_address", wantReason: "postal code 00000 does not exist"},
		{name: "422 unknown sku", push: canned{status: 422, body: `{"error":{"code":"unknown_sku","message":"BOOK-NEBULA-PB"}}`}, wantClass: Permanent, wantCode: "unknown_sku"},
		{name: "422 without a JSON body", push: canned{status: 422, body: `nope`}, wantClass: Permanent, wantReason: "Unprocessable"},
		{name: "429 Retry-After seconds", push: canned{status: 429, header: map[string]string{"Retry-After": "7"}}, wantClass: Retryable, wantAfter: 7 * time.Second, wantReason: "rate limited"},
		{name: "429 Retry-After HTTP-date", push: canned{status: 429, header: map[string]string{"Retry-After": testNow.Add(30 * time.Second).Format(http.TimeFormat)}},
			wantClass: Retryable, wantAfter: 30 * time.Second},
		{name: "429 Retry-After date in the past", push: canned{status: 429, header: map[string]string{"Retry-After": testNow.Add(-time.Hour).Format(http.TimeFormat)}}, wantClass: Retryable},
		{name: "429 Retry-After garbage", push: canned{status: 429, header: map[string]string{"Retry-After": "soon-ish"}}, wantClass: Retryable},
		{name: "429 Retry-After huge is capped", push: canned{status: 429, header: map[string]string{"Retry-After": "99999999999999999999"}}, wantClass: Retryable, wantAfter: MaxRetryAfter},
		{name: "429 without Retry-After", push: canned{status: 429, body: `{"error":{"code":"rate_limited","message":"slow down"}}`}, wantClass: Retryable, wantCode: "rate_limited"},
		{name: "408 request timeout", push: canned{status: 408}, wantClass: Retryable, wantStatus: 408},
		{name: "425 too early", push: canned{status: 425}, wantClass: Retryable, wantStatus: 425},
		{name: "500", push: canned{status: 500, body: `{"error":{"code":"internal","message":"boom"}}`}, wantClass: Retryable, wantReason: "boom"},
		{name: "503 with Retry-After", push: canned{status: 503, header: map[string]string{"Retry-After": "5"}}, wantClass: Retryable, wantAfter: 5 * time.Second},
		{name: "502 HTML page from a proxy", push: canned{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: `<html><body><h1>502 Bad Gateway</h1></body></html>`},
			wantClass: Retryable, wantStatus: 502, wantReason: "text/html"},
		{name: "504 truncated JSON", push: canned{status: 504, body: `{"error":{"co`}, wantClass: Retryable},
		{name: "500 body over the limit", push: canned{status: 500, body: strings.Repeat("x", 200)}, maxBody: 64, wantClass: Retryable, wantReason: "size limit"},
		{name: "400 bad request", push: canned{status: 400, body: `{"error":{"code":"bad_json","message":"cannot parse"}}`}, wantClass: Permanent, wantCode: "bad_json"},
		{name: "401 bad token", push: canned{status: 401}, wantClass: Permanent, wantReason: "credentials"},
		{name: "403 echoing the token is redacted", push: canned{status: 403, body: `{"error":{"code":"forbidden","message":"token ` + testToken + ` is not allowed"}}`},
			wantClass: Permanent, wantReason: "[redacted]"},
		{name: "404 wrong endpoint", push: canned{status: 404}, wantClass: Permanent},
		{name: "301 redirect is not followed", push: canned{status: 301, header: map[string]string{"Location": "/elsewhere"}}, wantClass: Permanent, wantReason: "redirect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var elsewhere atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPost && r.URL.Path == "/v1/orders":
					tc.push.write(w)
				case r.Method == http.MethodGet && r.URL.Path == "/v1/orders" && tc.lookup != nil:
					if got := r.URL.Query().Get("external_id"); got != s.ExternalID {
						t.Errorf("lookup external_id = %q", got)
					}
					tc.lookup.write(w)
				default:
					elsewhere.Add(1)
					writeReply(w, 500, nil, "unexpected")
				}
			})
			r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.MaxBody = tc.maxBody })
			res, err := r.Push(context.Background(), s)
			ce := checkClass(t, err, tc.wantClass)
			assertNoSecret(t, err, testToken)
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("%d unexpected requests (a redirect followed?)", n)
			}
			if ce == nil {
				if res.ID != tc.wantID || res.Replay != tc.wantReplay || res.Adopted != tc.wantAdopt {
					t.Fatalf("result = %+v, want id %q replay %v adopted %v", res, tc.wantID, tc.wantReplay, tc.wantAdopt)
				}
				return
			}
			if ce.Carrier != "fast" || ce.Op != "push" {
				t.Errorf("carrier/op = %q/%q", ce.Carrier, ce.Op)
			}
			if tc.wantStatus != 0 && ce.HTTPStatus != tc.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", ce.HTTPStatus, tc.wantStatus)
			}
			if tc.wantCode != "" && ce.Code != tc.wantCode {
				t.Errorf("Code = %q, want %q", ce.Code, tc.wantCode)
			}
			if ce.RetryAfter != tc.wantAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantAfter)
			}
			if RetryAfterOf(err) != tc.wantAfter {
				t.Errorf("RetryAfterOf = %s", RetryAfterOf(err))
			}
			if !strings.Contains(ce.Reason, tc.wantReason) {
				t.Errorf("Reason = %q, want it to mention %q", ce.Reason, tc.wantReason)
			}
		})
	}
}

func TestRESTPushRequest(t *testing.T) {
	s := sampleShipment()
	var got *http.Request
	var body []byte
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		writeReply(w, 201, nil, `{"id":"3pl-1","status":"accepted"}`)
	})
	r := newTestREST(t, srv.URL+"/")
	if _, err := r.Push(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/v1/orders" {
		t.Fatalf("request = %s %s", got.Method, got.URL.Path)
	}
	for h, want := range map[string]string{
		"Authorization":   "Bearer " + testToken,
		"Idempotency-Key": s.IdempotencyKey,
		"Content-Type":    "application/json",
	} {
		if v := got.Header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	var wire map[string]any
	if err := json.Unmarshal(body, &wire); err != nil {
		t.Fatal(err)
	}
	shipTo := wire["ship_to"].(map[string]any)
	if wire["external_id"] != s.ExternalID || wire["reference"] != s.Reference || wire["weight_g"] != 420.0 ||
		shipTo["postal_code"] != "78701" || len(shipTo["address_lines"].([]any)) != 2 || len(wire["items"].([]any)) != 1 {
		t.Fatalf("body = %s", body)
	}
	if _, ok := wire["IdempotencyKey"]; ok {
		t.Fatalf("the key leaked into the body: %s", body)
	}
}

func TestRESTPushRefusesShipmentWithoutKey(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	r := newTestREST(t, srv.URL)
	s := sampleShipment()
	s.IdempotencyKey = ""
	_, err := r.Push(context.Background(), s)
	checkClass(t, err, Permanent)
	if hits.Load() != 0 {
		t.Fatal("a push without a key was sent")
	}
}

func TestRESTReads(t *testing.T) {
	shipped := `{"id":"3pl/1","external_id":"576 x","status":"shipped","tracking_number":"1Z999","carrier_code":"ups","shipped_at":"2026-03-14T12:00:00Z"}`
	tests := []struct {
		name       string
		op         string // status, lookup, cancel
		reply      canned
		maxBody    int64
		wantClass  Class
		wantCode   string
		wantAfter  time.Duration
		wantReason string
		check      func(t *testing.T, rm Remote, list []Remote)
	}{
		{name: "status shipped with tracking", op: "status", reply: canned{status: 200, body: shipped}, check: func(t *testing.T, rm Remote, _ []Remote) {
			want := Remote{ID: "3pl/1", ExternalID: "576 x", Status: StatusShipped, TrackingNumber: "1Z999", CarrierCode: "ups",
				ShippedAt: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
			if !rm.ShippedAt.Equal(want.ShippedAt) || rm.ID != want.ID || rm.Status != want.Status || rm.TrackingNumber != want.TrackingNumber || rm.CarrierCode != want.CarrierCode {
				t.Fatalf("remote = %+v", rm)
			}
		}},
		{name: "status picking, null tracking", op: "status", reply: canned{status: 200, body: `{"id":"3pl/1","external_id":"576 x","status":"picking","tracking_number":null,"shipped_at":null}`},
			check: func(t *testing.T, rm Remote, _ []Remote) {
				if rm.Status != StatusPicking || rm.TrackingNumber != "" || !rm.ShippedAt.IsZero() {
					t.Fatalf("remote = %+v", rm)
				}
			}},
		{name: "status unknown value", op: "status", reply: canned{status: 200, body: `{"id":"3pl-1","status":"teleported"}`}, wantClass: Retryable, wantReason: "unknown status"},
		{name: "status bad shipped_at", op: "status", reply: canned{status: 200, body: `{"id":"3pl-1","status":"shipped","shipped_at":"yesterday"}`}, wantClass: Retryable, wantReason: "shipped_at"},
		{name: "status HTML", op: "status", reply: canned{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html></html>`}, wantClass: Retryable},
		{name: "status truncated", op: "status", reply: canned{status: 200, body: `{"id":"3pl-1","sta`}, wantClass: Retryable},
		{name: "status empty", op: "status", reply: canned{status: 200}, wantClass: Retryable},
		{name: "status array instead of object", op: "status", reply: canned{status: 200, body: `[1,2]`}, wantClass: Retryable},
		{name: "status over the size limit", op: "status", reply: canned{status: 200, body: shipped}, maxBody: 16, wantClass: Retryable, wantReason: "size limit"},
		{name: "status 404", op: "status", reply: canned{status: 404, body: `{"error":{"code":"not_found","message":"no such order"}}`}, wantClass: Permanent, wantCode: "not_found"},
		{name: "status 500", op: "status", reply: canned{status: 500}, wantClass: Retryable},
		{name: "status 429", op: "status", reply: canned{status: 429, header: map[string]string{"Retry-After": "3"}}, wantClass: Retryable, wantAfter: 3 * time.Second},
		{name: "lookup two orders", op: "lookup", reply: canned{status: 200, body: `{"orders":[` + shipped + `,{"id":"3pl-2","external_id":"576 x","status":"cancelled"}]}`},
			check: func(t *testing.T, _ Remote, list []Remote) {
				if len(list) != 2 || list[0].TrackingNumber != "1Z999" || list[1].Status != StatusCancelled {
					t.Fatalf("list = %+v", list)
				}
			}},
		{name: "lookup none", op: "lookup", reply: canned{status: 200, body: `{"orders":[]}`}, check: func(t *testing.T, _ Remote, list []Remote) {
			if len(list) != 0 {
				t.Fatalf("list = %+v", list)
			}
		}},
		{name: "lookup without a list", op: "lookup", reply: canned{status: 200, body: `{}`}, wantClass: Retryable, wantReason: "no orders list"},
		{name: "lookup with a bad order", op: "lookup", reply: canned{status: 200, body: `{"orders":[{"id":""}]}`}, wantClass: Retryable, wantReason: "orders[0]"},
		{name: "lookup 502 HTML", op: "lookup", reply: canned{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: `<h1>Bad Gateway</h1>`}, wantClass: Retryable},
		{name: "cancel ok", op: "cancel", reply: canned{status: 200, body: `{"id":"3pl-1","status":"cancelled"}`}},
		{name: "cancel ok, empty body", op: "cancel", reply: canned{status: 200}},
		{name: "cancel already shipped", op: "cancel", reply: canned{status: 409, body: `{"error":{"code":"already_shipped","message":"left the dock"}}`},
			wantClass: TooLate, wantCode: "already_shipped", wantReason: "left the dock"},
		{name: "cancel 200 but shipped", op: "cancel", reply: canned{status: 200, body: `{"id":"3pl-1","status":"shipped"}`}, wantClass: TooLate},
		{name: "cancel 409 other", op: "cancel", reply: canned{status: 409, body: `{"error":{"code":"locked","message":"busy"}}`}, wantClass: Permanent},
		{name: "cancel 404", op: "cancel", reply: canned{status: 404}, wantClass: Permanent},
		{name: "cancel 503", op: "cancel", reply: canned{status: 503}, wantClass: Retryable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				var want string
				switch tc.op {
				case "status":
					want = "GET /v1/orders/3pl%2F1"
				case "lookup":
					want = "GET /v1/orders?external_id=576+x"
				case "cancel":
					want = "POST /v1/orders/3pl%2F1/cancel"
				}
				got := r.Method + " " + r.URL.EscapedPath()
				if r.URL.RawQuery != "" {
					got += "?" + r.URL.RawQuery
				}
				if got != want || r.Header.Get("Authorization") != "Bearer "+testToken {
					t.Errorf("request = %s (auth %q), want %s", got, r.Header.Get("Authorization"), want)
				}
				tc.reply.write(w)
			})
			r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.MaxBody = tc.maxBody })
			var rm Remote
			var list []Remote
			var err error
			switch tc.op {
			case "status":
				rm, err = r.Status(context.Background(), "3pl/1")
			case "lookup":
				list, err = r.Lookup(context.Background(), "576 x")
			case "cancel":
				err = r.Cancel(context.Background(), "3pl/1")
			}
			ce := checkClass(t, err, tc.wantClass)
			assertNoSecret(t, err, testToken)
			if ce == nil {
				if tc.check != nil {
					tc.check(t, rm, list)
				}
				return
			}
			if ce.Op != tc.op {
				t.Errorf("Op = %q, want %q", ce.Op, tc.op)
			}
			if tc.wantCode != "" && ce.Code != tc.wantCode {
				t.Errorf("Code = %q, want %q", ce.Code, tc.wantCode)
			}
			if ce.RetryAfter != tc.wantAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantAfter)
			}
			if !strings.Contains(ce.Reason, tc.wantReason) {
				t.Errorf("Reason = %q, want it to mention %q", ce.Reason, tc.wantReason)
			}
		})
	}
}

func TestRESTCapabilitiesAndIdentity(t *testing.T) {
	r := newTestREST(t, "http://127.0.0.1:1")
	want := Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true}
	if r.Capabilities() != want || r.Name() != "fast" || r.Kind() != "rest" {
		t.Fatalf("caps %+v name %q kind %q", r.Capabilities(), r.Name(), r.Kind())
	}
	for _, op := range []func() error{
		func() error { _, err := r.Status(context.Background(), " "); return err },
		func() error { _, err := r.Lookup(context.Background(), ""); return err },
		func() error { return r.Cancel(context.Background(), "") },
	} {
		checkClass(t, op(), Permanent)
	}
}

func TestNewRESTValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  RESTConfig
		want string
	}{
		{"no name", RESTConfig{Endpoint: "http://x", Token: "t"}, "name is required"},
		{"no token", RESTConfig{Name: "a", Endpoint: "http://x"}, "token is required"},
		{"no endpoint", RESTConfig{Name: "a", Token: "t"}, "http or https"},
		{"ftp endpoint", RESTConfig{Name: "a", Endpoint: "ftp://x", Token: "t"}, "http or https"},
		{"endpoint without host", RESTConfig{Name: "a", Endpoint: "http://", Token: "t"}, "no host"},
		{"endpoint with query", RESTConfig{Name: "a", Endpoint: "http://x/?a=1", Token: "t"}, "query"},
		{"endpoint with credentials", RESTConfig{Name: "a", Endpoint: "https://u:" + testToken + "@x", Token: "t"}, "credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewREST(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			assertNoSecret(t, err, testToken)
		})
	}
}

func TestRESTDefaultsSetExplicitTimeouts(t *testing.T) {
	r, err := NewREST(RESTConfig{Name: "a", Endpoint: "http://127.0.0.1:1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	tr := r.http.client.Transport.(*http.Transport)
	if r.http.client.Timeout != DefaultTimeout || tr.ResponseHeaderTimeout != DefaultTimeout ||
		tr.TLSHandshakeTimeout != 5*time.Second || r.http.limits.dialTimeout != 5*time.Second || r.http.limits.maxBody != DefaultMaxBody {
		t.Fatalf("client timeout %s, header %s, tls %s, dial %s, max body %d",
			r.http.client.Timeout, tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout, r.http.limits.dialTimeout, r.http.limits.maxBody)
	}
	r, _ = NewREST(RESTConfig{Name: "a", Endpoint: "http://127.0.0.1:1", Token: "t", Timeout: 2 * time.Second, ResponseHeaderTimeout: time.Second})
	tr = r.http.client.Transport.(*http.Transport)
	if tr.ResponseHeaderTimeout != time.Second || r.http.limits.dialTimeout != 2*time.Second {
		t.Fatalf("header %s dial %s", tr.ResponseHeaderTimeout, r.http.limits.dialTimeout)
	}
}

// countingTransport counts the requests sent through an injected client.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestRESTUsesInjectedClientWithoutRedirects(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/orders" {
			writeReply(w, 307, map[string]string{"Location": "/moved"}, "")
			return
		}
		writeReply(w, 201, nil, `{"id":"followed"}`)
	})
	tr := &countingTransport{next: http.DefaultTransport}
	client := &http.Client{Transport: tr}
	r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.HTTPClient = client })
	_, err := r.Push(context.Background(), sampleShipment())
	checkClass(t, err, Permanent)
	if tr.n.Load() != 1 {
		t.Fatalf("%d round trips; the redirect was followed", tr.n.Load())
	}
	if client.CheckRedirect != nil {
		t.Fatal("the caller's client was modified")
	}
}
