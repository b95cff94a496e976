package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// rawCall makes a signed marketplace call and reports what a client sees.
func rawCall(t *testing.T, c *apiClient, path string) (status int, contentType string, body []byte, err error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, c.signedURL(http.MethodGet, path, nil, nil), nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-tts-access-token", c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, err
}

func TestMarketplaceFaultInjection(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	const path = "/authorization/202309/shops"
	isEnvelope := func(b []byte) bool { var e tiktok.Envelope; return json.Unmarshal(b, &e) == nil && e.RequestID != "" }
	tests := []struct {
		kind  FaultKind
		check func(status int, ct string, body []byte, err error) bool
	}{
		{FaultServerError, func(st int, ct string, b []byte, err error) bool {
			return err == nil && st == 500 && isEnvelope(b)
		}},
		{FaultUnavailable, func(st int, ct string, b []byte, err error) bool { return err == nil && st == 503 }},
		{FaultGarbage, func(st int, ct string, b []byte, err error) bool {
			return err == nil && st == 200 && strings.HasPrefix(ct, "application/json") && !json.Valid(b)
		}},
		{FaultHTML, func(st int, ct string, b []byte, err error) bool {
			return err == nil && st == 502 && strings.HasPrefix(ct, "text/html")
		}},
		{FaultTruncated, func(st int, ct string, b []byte, err error) bool {
			return errors.Is(err, io.ErrUnexpectedEOF)
		}},
		{FaultReset, func(st int, ct string, b []byte, err error) bool { return err != nil }},
		{FaultTimeout, func(st int, ct string, b []byte, err error) bool {
			var te interface{ Timeout() bool }
			return errors.As(err, &te) && te.Timeout()
		}},
		{FaultRateLimited, func(st int, ct string, b []byte, err error) bool { return err == nil && st == 429 }},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			c := newAPIClient(t, s)
			c.http.Timeout = 200 * time.Millisecond
			c.http.Transport = &http.Transport{DisableKeepAlives: true}
			s.FailNext(1, tc.kind)
			st, ct, b, err := rawCall(t, c, path)
			if !tc.check(st, ct, b, err) {
				t.Fatalf("HTTP %d %q %q err %v", st, ct, b, err)
			}
			if st, _, _, err := rawCall(t, c, path); err != nil || st != 200 {
				t.Fatalf("the call after the fault: HTTP %d %v", st, err)
			}
		})
	}
	if got := s.Counters().Marketplace.InjectedFaults; got != len(tests) {
		t.Errorf("InjectedFaults = %d, want %d", got, len(tests))
	}
}

func TestShipReplyLostAfterTheWriteBack(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 3, OrdersPerDay: 2000, History: 6 * time.Hour})
	c := newAPIClient(t, s)
	o := ordersIn(s, StatusAwaitingShipment)[0]
	s.InjectFault(Fault{Kind: FaultServerError, Endpoint: EndpointShip, AfterEffect: true})
	if res := c.ship(o.Packages[0].ID, ProviderUPS, "1ZA1B2C30312345678"); res.status != 500 {
		t.Fatalf("ship with a lost reply: HTTP %d", res.status)
	}
	if got, _ := s.Order(o.ID); got.Status != StatusAwaitingCollection {
		t.Fatalf("the write-back did not land: %s", got.Status)
	}
	res := c.ship(o.Packages[0].ID, ProviderUPS, "1ZA1B2C30312345678")
	if res.env.Message != "package already shipped" {
		t.Fatalf("blind retry: code %d %q", res.env.Code, res.env.Message)
	}
	// The refusal must be one shipdeck's client recognises as "done".
	if !tiktok.IsAlreadyShipped(&tiktok.APIError{Code: res.env.Code, Message: res.env.Message}) || res.env.Code != tiktok.CodePackageShipped {
		t.Fatalf("blind retry: code %d %q is not TikTok's already-shipped refusal", res.env.Code, res.env.Message)
	}
	c2 := s.Counters().Marketplace
	if c2.ShipsByPackage[o.Packages[0].ID] != 1 || c2.ShipRejects[o.Packages[0].ID] != 1 {
		t.Fatalf("ships %v rejects %v", c2.ShipsByPackage, c2.ShipRejects)
	}
}
