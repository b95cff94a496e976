package carrier

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testSSKey    = "ss-key-7c41d9"
	testSSSecret = "ss-secret-a58e02"
)

// fakeClock is a clock that the fake sleeper moves forward.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	sleepE error
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sleepE != nil {
		return c.sleepE
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func newTestShipStation(t *testing.T, srv string, clock *fakeClock, tweak ...func(*ShipStationConfig)) *ShipStation {
	t.Helper()
	cfg := ShipStationConfig{Name: "shipstation", Endpoint: srv, APIKey: testSSKey, APISecret: testSSSecret,
		Now: clock.Now, Sleep: clock.Sleep, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&cfg)
	}
	s, err := NewShipStation(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestShipStationPushRequest(t *testing.T) {
	sh := sampleShipment()
	sh.ShipTo.Lines = []string{"12 Elm St", "Apt 4", "Building C", "Door 2"}
	var got *http.Request
	var body []byte
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		writeReply(w, 200, nil, `{"orderId":123456,"orderNumber":"576653688135258178","orderKey":"`+sh.IdempotencyKey+`","orderStatus":"awaiting_shipment"}`)
	})
	s := newTestShipStation(t, srv.URL, &fakeClock{now: testNow}, func(c *ShipStationConfig) { c.StoreID = 42 })
	res, err := s.Push(context.Background(), sh)
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "123456" || res.Replay || res.Adopted {
		t.Fatalf("result = %+v", res)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/orders/createorder" {
		t.Fatalf("request = %s %s", got.Method, got.URL.Path)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testSSKey+":"+testSSSecret))
	if a := got.Header.Get("Authorization"); a != wantAuth {
		t.Fatalf("Authorization = %q, want %q", a, wantAuth)
	}
	var o struct {
		OrderNumber, OrderKey, OrderDate, OrderStatus string
		ShipTo                                        ssAddress
		BillTo                                        ssAddress
		Items                                         []ssItem
		Weight                                        ssWeight
		RequestedShippingService                      string
		AdvancedOptions                               ssAdvanced
	}
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	if o.OrderKey != sh.IdempotencyKey || o.OrderNumber != sh.ExternalID || o.OrderStatus != "awaiting_shipment" ||
		o.OrderDate != "2026-03-14T08:09:26.0000000" { // 15:09 UTC in Pacific daylight time

		t.Errorf("order keys: %s", body)
	}
	if o.ShipTo.Street1 != "12 Elm St" || o.ShipTo.Street2 != "Apt 4" || o.ShipTo.Street3 != "Building C, Door 2" ||
		o.ShipTo.State != "TX" || o.ShipTo.PostalCode != "78701" || o.ShipTo.Country != "US" || o.BillTo.Name != "A. Reader" {
		t.Errorf("addresses: %s", body)
	}
	if len(o.Items) != 1 || o.Items[0].SKU != "BOOK-NEBULA-PB" || o.Items[0].Quantity != 1 ||
		o.Weight != (ssWeight{Value: 420, Units: "grams"}) || o.RequestedShippingService != "ground" {
		t.Errorf("items/weight: %s", body)
	}
	if o.AdvancedOptions.StoreID != 42 || o.AdvancedOptions.CustomField1 != sh.Reference {
		t.Errorf("advanced options: %s", body)
	}
}

func TestShipStationClassification(t *testing.T) {
	sh := sampleShipment()
	tests := []struct {
		name       string
		reply      canned
		wantClass  Class
		wantID     string
		wantAfter  time.Duration
		wantReason string
	}{
		{name: "200 order", reply: canned{status: 200, body: `{"orderId":99,"orderKey":"` + sh.IdempotencyKey + `"}`}, wantID: "99"},
		{name: "200 order without key echo", reply: canned{status: 200, body: `{"orderId":"99"}`}, wantID: "99"},
		{name: "200 without orderId", reply: canned{status: 200, body: `{"orderKey":"` + sh.IdempotencyKey + `"}`}, wantClass: Unknown, wantReason: "no orderId"},
		{name: "200 with orderId 0", reply: canned{status: 200, body: `{"orderId":0}`}, wantClass: Unknown},
		{name: "200 with another orderKey", reply: canned{status: 200, body: `{"orderId":99,"orderKey":"someone-else"}`}, wantClass: Unknown, wantReason: "another orderKey"},
		{name: "200 HTML", reply: canned{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html>`}, wantClass: Unknown},
		{name: "200 empty", reply: canned{status: 200}, wantClass: Unknown},
		{name: "400 Message", reply: canned{status: 400, body: `{"Message":"The request is invalid.","ModelState":{"apiOrder.shipTo.country":["Country code must be 2 characters"]}}`},
			wantClass: Permanent, wantReason: "The request is invalid. | apiOrder.shipTo.country: Country code must be 2 characters"},
		{name: "400 message lower case", reply: canned{status: 400, body: `{"message":"orderNumber is required"}`}, wantClass: Permanent, wantReason: "orderNumber is required"},
		{name: "401 echoing the key is redacted", reply: canned{status: 401, body: `{"Message":"key ` + testSSKey + ` unknown"}`}, wantClass: Permanent, wantReason: "[redacted]"},
		{name: "401 empty", reply: canned{status: 401}, wantClass: Permanent, wantReason: "credentials"},
		{name: "500 with exception", reply: canned{status: 500, body: `{"Message":"An error has occurred.","ExceptionMessage":"Timeout expired"}`},
			wantClass: Retryable, wantReason: "Timeout expired"},
		{name: "502 HTML", reply: canned{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: `<html>Bad Gateway</html>`}, wantClass: Retryable, wantReason: "text/html"},
		{name: "429 with reset", reply: canned{status: 429, header: map[string]string{"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "31"}},
			wantClass: Retryable, wantAfter: 31 * time.Second},
		{name: "429 with Retry-After only", reply: canned{status: 429, header: map[string]string{"Retry-After": "12"}}, wantClass: Retryable, wantAfter: 12 * time.Second},
		{name: "429 with a huge reset", reply: canned{status: 429, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "999999"}},
			wantClass: Retryable, wantAfter: MaxRetryAfter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) { tc.reply.write(w) })
			s := newTestShipStation(t, srv.URL, &fakeClock{now: testNow})
			res, err := s.Push(context.Background(), sh)
			ce := checkClass(t, err, tc.wantClass)
			assertNoSecret(t, err, testSSKey, testSSSecret)
			if ce == nil {
				if res.ID != tc.wantID {
					t.Fatalf("ID = %q, want %q", res.ID, tc.wantID)
				}
				return
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

func TestShipStationRateLimit(t *testing.T) {
	ok := `{"orderId":1}`
	tests := []struct {
		name      string
		first     canned
		maxWait   time.Duration
		sleepErr  error
		wantSlept []time.Duration
		wantClass Class // of the second call
		wantAfter time.Duration
		wantSent  int32 // requests that reached the server over both calls
	}{
		{name: "requests remain: no wait", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Remaining": "12", "X-Rate-Limit-Reset": "20"}, body: ok},
			wantSent: 2},
		{name: "window empty, short reset: waits then sends", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3"}, body: ok},
			wantSlept: []time.Duration{3 * time.Second}, wantSent: 2},
		{name: "window empty, long reset: retryable without sending", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "45"}, body: ok},
			wantClass: Retryable, wantAfter: 45 * time.Second, wantSent: 1},
		{name: "window empty, long wait allowed", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "45"}, body: ok},
			maxWait: time.Minute, wantSlept: []time.Duration{45 * time.Second}, wantSent: 2},
		{name: "never wait", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "1"}, body: ok},
			maxWait: -1, wantClass: Retryable, wantAfter: time.Second, wantSent: 1},
		{name: "after a 429 the next call waits out the reset", first: canned{status: 429, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "2"}},
			wantSlept: []time.Duration{2 * time.Second}, wantSent: 2},
		{name: "wait cut short by the context", first: canned{status: 200, header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3"}, body: ok},
			sleepErr: context.Canceled, wantClass: Retryable, wantAfter: 3 * time.Second, wantSent: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if sent.Add(1) == 1 {
					tc.first.write(w)
					return
				}
				writeReply(w, 200, map[string]string{"X-Rate-Limit-Remaining": "39", "X-Rate-Limit-Reset": "60"}, ok)
			})
			clock := &fakeClock{now: testNow}
			s := newTestShipStation(t, srv.URL, clock, func(c *ShipStationConfig) { c.MaxRateWait = tc.maxWait })
			_, _ = s.Push(context.Background(), sampleShipment())
			clock.sleepE = tc.sleepErr
			_, err := s.Push(context.Background(), sampleShipment())
			ce := checkClass(t, err, tc.wantClass)
			if ce != nil && ce.RetryAfter != tc.wantAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wantAfter)
			}
			if got := sent.Load(); got != tc.wantSent {
				t.Errorf("sent %d requests, want %d", got, tc.wantSent)
			}
			if len(clock.slept) != len(tc.wantSlept) || (len(tc.wantSlept) > 0 && clock.slept[0] != tc.wantSlept[0]) {
				t.Errorf("slept %v, want %v", clock.slept, tc.wantSlept)
			}
		})
	}
}

func TestShipStationStatusAndLookup(t *testing.T) {
	const ext = "576653688135258178"
	shipments := `{"shipments":[
		{"orderId":123,"orderNumber":"` + ext + `","trackingNumber":"VOID1","carrierCode":"ups","shipDate":"2026-03-15","voided":true},
		{"orderId":123,"orderNumber":"` + ext + `","trackingNumber":"9400111","carrierCode":"stamps_com","shipDate":"2026-03-14","voided":false},
		{"orderId":777,"orderNumber":"` + ext + `0","trackingNumber":"OTHER","carrierCode":"fedex","shipDate":"2026-03-16"}],"total":3,"page":1,"pages":1}`
	var calls sync.Map
	count := func(k string) int {
		v, _ := calls.Load(k)
		if v == nil {
			return 0
		}
		return int(v.(*atomic.Int32).Load())
	}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		v, _ := calls.LoadOrStore(r.URL.Path, new(atomic.Int32))
		v.(*atomic.Int32).Add(1)
		switch {
		case r.URL.Path == "/orders/123":
			writeReply(w, 200, nil, `{"orderId":123,"orderNumber":"`+ext+`","orderKey":"k1","orderStatus":"shipped"}`)
		case r.URL.Path == "/orders/124":
			writeReply(w, 200, nil, `{"orderId":124,"orderNumber":"`+ext+`","orderKey":"k2","orderStatus":"awaiting_shipment"}`)
		case r.URL.Path == "/orders/125":
			writeReply(w, 200, nil, `{"orderId":125,"orderStatus":"exploded"}`)
		case r.URL.Path == "/orders/404":
			writeReply(w, 404, nil, `{"Message":"Order not found"}`)
		case r.URL.Path == "/orders":
			if r.URL.Query().Get("orderNumber") != ext {
				t.Errorf("lookup query %s", r.URL.RawQuery)
			}
			writeReply(w, 200, nil, `{"orders":[
				{"orderId":123,"orderNumber":"`+ext+`","orderStatus":"shipped"},
				{"orderId":777,"orderNumber":"`+ext+`0","orderStatus":"shipped"},
				{"orderId":126,"orderNumber":"`+ext+`","orderStatus":"cancelled"}],"total":3,"page":1,"pages":1}`)
		case r.URL.Path == "/shipments":
			if r.URL.Query().Get("orderNumber") != ext {
				t.Errorf("shipments query %s", r.URL.RawQuery)
			}
			writeReply(w, 200, nil, shipments)
		default:
			writeReply(w, 404, nil, "")
		}
	})
	s := newTestShipStation(t, srv.URL, &fakeClock{now: testNow})
	ctx := context.Background()

	rm, err := s.Status(ctx, "123")
	if err != nil {
		t.Fatal(err)
	}
	if rm.ID != "123" || rm.ExternalID != ext || rm.Status != StatusShipped || rm.TrackingNumber != "9400111" ||
		rm.CarrierCode != "stamps_com" || !rm.ShippedAt.Equal(time.Date(2026, 3, 14, 7, 0, 0, 0, time.UTC)) { // midnight Pacific
		t.Fatalf("status = %+v", rm)
	}
	rm, err = s.Status(ctx, "124")
	if err != nil || rm.Status != StatusAccepted || rm.TrackingNumber != "" {
		t.Fatalf("status = %+v, %v", rm, err)
	}
	if n := count("/shipments"); n != 1 {
		t.Errorf("shipments read %d times; an unshipped order must not cost a call", n)
	}
	_, err = s.Status(ctx, "125")
	checkClass(t, err, Retryable)
	_, err = s.Status(ctx, "404")
	if ce := checkClass(t, err, Permanent); !strings.Contains(ce.Reason, "Order not found") {
		t.Errorf("reason = %q", ce.Reason)
	}

	list, err := s.Lookup(ctx, ext)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "123" || list[0].TrackingNumber != "9400111" || list[1].ID != "126" || list[1].Status != StatusCancelled {
		t.Fatalf("lookup = %+v", list)
	}

	want := Capabilities{Lookup: true, Status: true, Cancel: true, IdempotentPush: true}
	if s.Capabilities() != want || s.Kind() != "shipstation" || s.Name() != "shipstation" {
		t.Fatalf("caps %+v kind %q", s.Capabilities(), s.Kind())
	}
}

func TestShipStationTimeoutAfterSendIsUnknown(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, stall(release))
	t.Cleanup(func() { close(release) })
	s := newTestShipStation(t, srv.URL, &fakeClock{now: testNow}, func(c *ShipStationConfig) { c.Timeout = 150 * time.Millisecond })
	_, err := s.Push(context.Background(), sampleShipment())
	checkClass(t, err, Unknown)
	assertNoSecret(t, err, testSSKey, testSSSecret)
}

func TestNewShipStationValidatesConfig(t *testing.T) {
	if _, err := NewShipStation(ShipStationConfig{Name: "s", APIKey: "k"}); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v", err)
	}
	s, err := NewShipStation(ShipStationConfig{Name: "s", APIKey: "k", APISecret: "s"})
	if err != nil || s.base != DefaultShipStationEndpoint || s.maxWait != DefaultShipStationMaxRateWait {
		t.Fatalf("defaults: %v %q %s", err, s.base, s.maxWait)
	}
}
