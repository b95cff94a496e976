package carrier

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// checkFuzzErr fails unless err is nil or a classified *Error.
func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ce *Error
	if !errors.As(err, &ce) || !validClass(ce.Class) {
		t.Fatalf("unclassified error %T: %v", err, err)
	}
	_ = err.Error()
}

// fuzzReply builds a reply from fuzz input; a body over max is treated
// the way the client treats it.
func fuzzReply(status int, retryAfter string, body []byte) reply {
	h := http.Header{}
	h.Set("Retry-After", retryAfter)
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", retryAfter)
	if status < 100 || status > 599 {
		status = 100 + ((status%500)+500)%500
	}
	return reply{status: status, header: h, body: body}
}

func FuzzRESTPushReply(f *testing.F) {
	f.Add(201, "", []byte(`{"id":"3pl-1","status":"accepted"}`))
	f.Add(200, "", []byte(`{"id":7}`))
	f.Add(422, "", []byte(`{"error":{"code":"duplicate_external_id","message":"x"}}`))
	f.Add(429, "30", []byte(`{"error":{"code":"rate_limited"}}`))
	f.Add(502, "", []byte(`<html>`))
	r, err := NewREST(RESTConfig{Name: "fuzz", Endpoint: "http://127.0.0.1:1", Token: "tok-fuzz-secret", Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		rep := fuzzReply(status, retryAfter, body)
		v := r.judgePush(rep)
		checkFuzzErr(t, v.err)
		assertNoSecret(t, v.err, "tok-fuzz-secret")
		switch {
		case v.duplicate != nil:
			if rep.status != 422 || v.err != nil {
				t.Fatalf("duplicate verdict on HTTP %d", rep.status)
			}
		case v.err == nil:
			if v.result.ID == "" || (rep.status != 200 && rep.status != 201) {
				t.Fatalf("success %+v on HTTP %d", v.result, rep.status)
			}
		default:
			if ra := RetryAfterOf(v.err); ra < 0 || ra > MaxRetryAfter {
				t.Fatalf("RetryAfter %s out of range", ra)
			}
			if is2xx(rep.status) && ClassOf(v.err) != Unknown {
				t.Fatalf("a 2xx push failed as %s, want unknown", ClassOf(v.err))
			}
		}
	})
}

func FuzzRESTOrderReply(f *testing.F) {
	f.Add(200, []byte(`{"id":"3pl-1","external_id":"576","status":"shipped","tracking_number":"1Z","carrier_code":"ups","shipped_at":"2026-03-14T12:00:00Z"}`))
	f.Add(200, []byte(`{"orders":[{"id":"3pl-1","status":"accepted"}]}`))
	f.Add(409, []byte(`{"error":{"code":"already_shipped","message":"x"}}`))
	f.Add(200, []byte(`{"id":"3pl-1","status":"shipped","shipped_at":"2026-13-45"}`))
	f.Add(200, []byte(`{"id":100001,"external_id":576653688135258178,"status":"shipped","tracking_number":771234567890,"shipped_at":1773509405}`))
	f.Add(200, []byte(`{"orders":[{"id":100001,"external_id":"576","status":"shipped","shipped_at":1773509405000,"extra":{"a":[1]}}]}`))
	f.Add(200, []byte(`{"id":"3pl-1","status":"shipped","shipped_at":"2026-03-14 12:30:05"}`))
	f.Add(200, []byte(`{"id":"3pl-1","status":"shipped","shipped_at":1e300}`))
	r, err := NewREST(RESTConfig{Name: "fuzz", Endpoint: "http://127.0.0.1:1", Token: "tok-fuzz-secret", Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		rep := fuzzReply(status, "", body)
		rm, err := r.orderReply(rep)
		checkFuzzErr(t, err)
		if err == nil && (rm.ID == "" || rm.Status == "") {
			t.Fatalf("accepted an order without id or status: %+v", rm)
		}
		list, err := r.ordersReply(rep)
		checkFuzzErr(t, err)
		for _, rm := range list {
			if rm.ID == "" {
				t.Fatalf("accepted an order without id: %+v", rm)
			}
		}
		checkFuzzErr(t, r.cancelReply(rep))
	})
}

func FuzzShipStationReply(f *testing.F) {
	f.Add(200, "", []byte(`{"orderId":123,"orderNumber":"576","orderKey":"k","orderStatus":"shipped"}`))
	f.Add(200, "", []byte(`{"orders":[{"orderId":1,"orderNumber":"576","orderStatus":"awaiting_shipment"}]}`))
	f.Add(200, "", []byte(`{"shipments":[{"orderId":1,"trackingNumber":"T","carrierCode":"ups","shipDate":"2026-03-14","voided":false}]}`))
	f.Add(400, "", []byte(`{"Message":"The request is invalid.","ModelState":{"a":["b"]}}`))
	f.Add(429, "31", []byte(``))
	f.Add(200, "", []byte(`{"fulfillments":[{"fulfillmentId":33974374,"orderId":1,"orderNumber":"101","trackingNumber":"783408231234","shipDate":"2016-06-07T00:00:00.0000000","carrierCode":"USPS"}]}`))
	s, err := NewShipStation(ShipStationConfig{Name: "fuzz", Endpoint: "http://127.0.0.1:1", APIKey: "key-fuzz", APISecret: "secret-fuzz", Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, reset string, body []byte) {
		rep := fuzzReply(status, reset, body)
		res, err := s.pushReply(rep, "k")
		checkFuzzErr(t, err)
		assertNoSecret(t, err, "key-fuzz", "secret-fuzz")
		if err == nil && res.ID == "" {
			t.Fatal("push success without an id")
		}
		if err != nil && is2xx(rep.status) && ClassOf(err) != Unknown {
			t.Fatalf("a 2xx push failed as %s, want unknown", ClassOf(err))
		}
		if ra := RetryAfterOf(err); ra < 0 || ra > MaxRetryAfter {
			t.Fatalf("RetryAfter %s out of range", ra)
		}
		_, err = s.orderReply(rep)
		checkFuzzErr(t, err)
		list, err := s.ordersReply(rep)
		checkFuzzErr(t, err)
		for _, name := range []string{"shipments", "fulfillments"} {
			labels, err := s.labelsReply("status", name, rep)
			checkFuzzErr(t, err)
			for _, rm := range list {
				rm = withTracking(rm, labels, s.pacific)
				if rm.ID == "" {
					t.Fatal("order without id")
				}
			}
		}
		_, err = s.cancelBody("1", rep)
		checkFuzzErr(t, err)
		checkFuzzErr(t, s.cancelReply(rep))
		_ = parseShipStationError(body)
	})
}

func FuzzCSVTracking(f *testing.F) {
	f.Add([]byte("external_id,tracking_number,carrier_code,shipped_at\n1,T1,ups,2026-03-15T10:00:00Z\n"))
	f.Add([]byte("\ufeffexternal_id,tracking_number,carrier_code,shipped_at\r\n1,T1,ups,\r\n"))
	f.Add([]byte("external_id,tracking_number\n1,T1\n"))
	f.Add([]byte("external_id,tracking_number,carrier_code,shipped_at\n\"1\n2\",T\"1,ups,x\n"))
	c, err := NewCSV(CSVConfig{Name: "fuzz", Dir: f.TempDir(), Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := parseTrackingCSV("inbox/t.csv", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "inbox/t.csv:") {
				t.Fatalf("error does not name file:line: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.ExternalID == "" || r.TrackingNumber == "" {
				t.Fatalf("accepted an empty row: %+v", r)
			}
		}
		c.mu.Lock()
		c.mergeTracking(rows)
		c.mu.Unlock()
	})
}
