package tiktok

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeEnvelope: decoding a search or detail reply never panics, and
// every failure is an *APIError that names the endpoint and has a class.
// Seeds (testdata/fuzz/FuzzDecodeEnvelope) are real-shaped replies built
// from the wire types, plus error envelopes and broken bodies.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(200, "", []byte(`{"code":0,"message":"Success","request_id":"R","data":{"orders":[]}}`), false)
	f.Add(429, "7", []byte(`{"code":36009002,"message":"Too many requests.","request_id":"R"}`), true)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, detail bool) {
		header := http.Header{}
		header.Set("Retry-After", retryAfter)
		header.Set("X-Tt-Logid", "LOGID")
		name, needData := EndpointSearchOrders, true
		var out any = &SearchData{}
		if detail {
			name, out = EndpointOrderDetail, &DetailData{}
		}
		meta, err := decodeReply(name, status, header, body, nil, testT0, out, needData)
		if meta.RetryAfter < 0 || meta.RetryAfter > MaxRetryAfter {
			t.Fatalf("retry after %s outside [0, %s]", meta.RetryAfter, MaxRetryAfter)
		}
		if err == nil {
			if status < 200 || status > 299 || meta.Code != 0 {
				t.Fatalf("accepted status %d code %d", status, meta.Code)
			}
			return
		}
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("error %v (%T) is not an *APIError", err, err)
		}
		if ae.Endpoint != name || ae.Class == "" || ae.RequestID == "" {
			t.Fatalf("APIError lacks endpoint, class or request id: %+v", ae)
		}
		_ = ae.Error()
	})
}

// FuzzVerifyWebhook: verification never panics; it accepts only a
// correctly signed, well-formed, fresh notification, and every refusal is
// one of the typed errors.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add(vectorSignature, []byte(vectorBody), false)
	f.Fuzz(func(t *testing.T, authorization string, body []byte, signIt bool) {
		if signIt {
			authorization = WebhookSignature(vectorAppKey, vectorAppSecret, body)
		}
		v := vectorVerifier(testT0.Add(time.Minute), &memorySeen{})
		v.MaxBody = 64 << 10
		n, err := v.Verify(context.Background(), authorization, body)
		switch {
		case err == nil:
			if n.NotificationID == "" || n.Timestamp <= 0 {
				t.Fatalf("accepted a notification without id or timestamp: %+v", n)
			}
			if !v.signatureValid(authorization, body) {
				t.Fatal("accepted a bad signature")
			}
			// Checked independently of the verifier: the header must be the
			// documented signature (hex, either case, surrounding space ignored).
			if want := WebhookSignature(vectorAppKey, vectorAppSecret, body); !strings.EqualFold(strings.TrimSpace(authorization), want) {
				t.Fatalf("accepted authorization %q, want %s", authorization, want)
			}
		case errors.Is(err, ErrBadSignature), errors.Is(err, ErrTooLarge), errors.Is(err, ErrStale),
			errors.Is(err, ErrMalformed), errors.Is(err, ErrDuplicate):
		default:
			t.Fatalf("untyped error %v", err)
		}
	})
}
