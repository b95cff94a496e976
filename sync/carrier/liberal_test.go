package carrier

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRESTReadsWhatRealThreePLsSend(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 17, 30, 5, 0, time.UTC)
	tests := []struct {
		name     string
		body     string
		wantID   string
		wantExt  string
		wantTrk  string
		wantTime time.Time
	}{
		{name: "unix seconds", body: `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":1773509405}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
		{name: "unix milliseconds", body: `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":1773509405000}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
		{name: "unix seconds as a string", body: `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":"1773509405"}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
		{name: "RFC 3339 with an offset", body: `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":"2026-03-14T10:30:05-07:00"}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
		{name: "zone-less, in the 3PL's zone", body: `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":"2026-03-14 12:30:05"}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
		{name: "numeric ids and tracking number, beyond float precision",
			body:   `{"id":100001,"external_id":576653688135258178,"status":"SHIPPED","tracking_number":771234567890,"shipped_at":1773509405}`,
			wantID: "100001", wantExt: "576653688135258178", wantTrk: "771234567890", wantTime: at},
		{name: "unknown fields ignored",
			body:   `{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","shipped_at":1773509405,"warehouse":{"id":7,"zones":[1,2]},"events":[{"at":1}],"v":2}`,
			wantID: "3pl-1", wantExt: "576", wantTrk: "1Z", wantTime: at},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeReply(w, 200, nil, tc.body) })
			r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.Zone = chicago })
			rm, err := r.Status(context.Background(), tc.wantID)
			if err != nil {
				t.Fatal(err)
			}
			if rm.ID != tc.wantID || rm.ExternalID != tc.wantExt || rm.TrackingNumber != tc.wantTrk || rm.Status != StatusShipped {
				t.Errorf("remote = %+v", rm)
			}
			if !rm.ShippedAt.Equal(tc.wantTime) {
				t.Errorf("shipped at %s, want %s", rm.ShippedAt.UTC(), tc.wantTime)
			}
		})
	}
}

func TestUnreadableReplyNamesFieldAndRequestID(t *testing.T) {
	tests := []struct {
		name      string
		op        string
		body      string
		wantField string
	}{
		{name: "timestamp in no known form", op: "status", body: `{"id":"3pl-1","status":"shipped","shipped_at":"yesterday"}`, wantField: "shipped_at"},
		{name: "status nobody documents", op: "status", body: `{"id":"3pl-1","status":"teleported"}`, wantField: "status"},
		{name: "object where a status belongs", op: "status", body: `{"id":"3pl-1","status":{"code":3}}`, wantField: "status"},
		{name: "list entry with a bad date", op: "lookup", body: `{"orders":[{"id":"a","external_id":"576","status":"accepted"},{"id":"b","external_id":"576","status":"shipped","shipped_at":[1]}]}`,
			wantField: "orders[1].shipped_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				writeReply(w, 200, map[string]string{"X-Request-Id": "req-7f3a\u00e9"}, tc.body)
			})
			r := newTestREST(t, srv.URL)
			var err error
			if tc.op == "status" {
				_, err = r.Status(context.Background(), "3pl-1")
			} else {
				_, err = r.Lookup(context.Background(), "576")
			}
			ce := checkClass(t, err, Retryable)
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("error does not wrap ErrUnreadable: %v", err)
			}
			if ce.Field != tc.wantField || ce.RequestID != "req-7f3a" {
				t.Errorf("field %q request id %q, want %q and req-7f3a", ce.Field, ce.RequestID, tc.wantField)
			}
			for _, want := range []string{tc.wantField, "request id req-7f3a"} {
				if !strings.Contains(ce.Reason, want) || !strings.Contains(err.Error(), want) {
					t.Errorf("reason %q / error %q should name %q", ce.Reason, err, want)
				}
			}
		})
	}
}

func TestStatusAndLookupRefuseAnotherOrdersReply(t *testing.T) {
	tests := []struct {
		name string
		op   string
		body string
		want string
	}{
		{name: "status answers for another 3PL id", op: "status", body: `{"id":"3pl-2","external_id":"576","status":"shipped","tracking_number":"1ZOTHER"}`,
			want: "asked for id 3pl-1, the 3PL answered with id 3pl-2"},
		{name: "lookup returns another external id", op: "lookup", body: `{"orders":[{"id":"3pl-1","external_id":"576","status":"accepted"},{"id":"3pl-9","external_id":"999","status":"shipped","tracking_number":"1ZOTHER"}]}`,
			want: "asked for external id 576, the 3PL answered with external id 999"},
		{name: "lookup returns an order without external id", op: "lookup", body: `{"orders":[{"id":"3pl-9","status":"shipped","tracking_number":"1ZOTHER"}]}`,
			want: "answered with external id (none)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeReply(w, 200, nil, tc.body) })
			r := newTestREST(t, srv.URL)
			var err error
			var rm Remote
			var list []Remote
			if tc.op == "status" {
				rm, err = r.Status(context.Background(), "3pl-1")
			} else {
				list, err = r.Lookup(context.Background(), "576")
			}
			ce := checkClass(t, err, Permanent)
			if !errors.Is(err, ErrWrongOrder) || !strings.Contains(ce.Reason, tc.want) {
				t.Fatalf("err = %v, want ErrWrongOrder saying %q", err, tc.want)
			}
			if rm.TrackingNumber != "" || len(list) != 0 {
				t.Fatalf("another order's tracking came back: %+v %+v", rm, list)
			}
		})
	}
}

func TestCheckOrder(t *testing.T) {
	r := Remote{ID: "9", ExternalID: "576", Key: "k1"}
	tests := []struct {
		name         string
		id, ext, key string
		wantRefused  bool
	}{
		{name: "all match", id: "9", ext: "576", key: "k1"},
		{name: "nothing to compare", id: "", ext: "", key: ""},
		{name: "other id", id: "8", wantRefused: true},
		{name: "other external id", ext: "577", wantRefused: true},
		{name: "other orderKey", key: "k2", wantRefused: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOrder("c", "status", r, tc.id, tc.ext, tc.key)
			if (err != nil) != tc.wantRefused || (err != nil && !errors.Is(err, ErrWrongOrder)) {
				t.Fatalf("err = %v, want refused %v", err, tc.wantRefused)
			}
		})
	}
}

func TestRESTWaitsOutShortRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		wantCalls  int32
		wantSlept  []time.Duration
		wantClass  Class
		wantAfter  time.Duration
	}{
		{name: "short delay: waited out, sent once more", retryAfter: "2", wantCalls: 2, wantSlept: []time.Duration{2 * time.Second}},
		{name: "HTTP-date: waited until then", retryAfter: testNow.Add(3 * time.Second).Format(http.TimeFormat), wantCalls: 2, wantSlept: []time.Duration{3 * time.Second}},
		{name: "long delay: returned with the server's delay", retryAfter: "120", wantCalls: 1, wantClass: Retryable, wantAfter: 2 * time.Minute},
		{name: "absurd delay: capped", retryAfter: "999999", wantCalls: 1, wantClass: Retryable, wantAfter: MaxRetryAfter},
		{name: "no delay given: the caller's backoff decides", retryAfter: "", wantCalls: 1, wantClass: Retryable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					h := map[string]string{}
					if tc.retryAfter != "" {
						h["Retry-After"] = tc.retryAfter
					}
					writeReply(w, 429, h, `{"error":{"code":"rate_limited","message":"slow down"}}`)
					return
				}
				writeReply(w, 200, nil, `{"id":"3pl-1","external_id":"576","status":"accepted"}`)
			})
			clock := &fakeClock{now: testNow}
			r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.MaxRateWait = 5 * time.Second; c.Now = clock.Now; c.Sleep = clock.Sleep })
			_, err := r.Status(context.Background(), "3pl-1")
			ce := checkClass(t, err, tc.wantClass)
			if ce != nil && ce.RetryAfter != tc.wantAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantAfter)
			}
			if calls.Load() != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls.Load(), tc.wantCalls)
			}
			if len(clock.slept) != len(tc.wantSlept) || (len(tc.wantSlept) > 0 && clock.slept[0] != tc.wantSlept[0]) {
				t.Errorf("slept %v, want %v", clock.slept, tc.wantSlept)
			}
		})
	}
}

func TestProviderMap(t *testing.T) {
	m := NewProviderMap(map[string]string{"Acme_Courier": "7000000000000000001", "stamps_com": "USPS Ground Advantage", " ": "x"})
	tests := []struct{ code, wantID, wantName string }{
		{"stamps_com", "", "USPS Ground Advantage"}, // the operator's entry wins
		{"UPS_WALLETED", "", "UPS"},
		{"fedex", "", "FedEx"},
		{"FedEx", "", "FedEx"}, // fulfillments carry names
		{"acme_courier", "7000000000000000001", ""},
		{"pony_express", "", ""},
	}
	for _, tc := range tests {
		if id, name := m.Provider(tc.code); id != tc.wantID || name != tc.wantName {
			t.Errorf("Provider(%q) = %q, %q; want %q, %q", tc.code, id, name, tc.wantID, tc.wantName)
		}
	}
	if _, name := DefaultProviders().Provider("stamps_com"); name != "USPS" {
		t.Errorf("an operator's entry leaked into the defaults: %q", name)
	}
}

func TestRESTPushIsNotWaitedOutOnA429(t *testing.T) {
	var calls atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeReply(w, 429, map[string]string{"Retry-After": "2"}, `{"error":{"code":"rate_limited","message":"slow down"}}`)
	})
	clock := &fakeClock{now: testNow}
	r := newTestREST(t, srv.URL, func(c *RESTConfig) { c.MaxRateWait = 5 * time.Second; c.Now = clock.Now; c.Sleep = clock.Sleep })
	_, err := r.Push(context.Background(), sampleShipment())
	if ce := checkClass(t, err, Retryable); ce.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter = %s, want the server's 2s", ce.RetryAfter)
	}
	if calls.Load() != 1 || len(clock.slept) != 0 {
		t.Errorf("calls %d, slept %v: the engine schedules a throttled push, the adapter does not hold its slot", calls.Load(), clock.slept)
	}
}
