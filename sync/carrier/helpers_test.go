package carrier

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// sampleShipment is a typical order as the pipeline pushes it.
func sampleShipment() Shipment {
	return Shipment{
		ExternalID: "576653688135258178",
		Reference:  "576653688135258178/1152921504606846976",
		Service:    "ground",
		ShipTo: Address{Name: "A. Reader", Phone: "+1 512 555 0100", Lines: []string{"12 Elm St", "Apt 4"},
			City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Items:          []Item{{SKU: "BOOK-NEBULA-PB", Title: "Nebula Drift (paperback)", Quantity: 1}},
		WeightG:        420,
		IdempotencyKey: "576653688135258178:fast:1",
	}
}

// serve starts a loopback 3PL that answers with h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// reply writes a canned response.
func writeReply(w http.ResponseWriter, status int, header map[string]string, body string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if _, ok := header["Content-Type"]; !ok && body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// checkClass asserts err is a classified *Error of class want ("" for no
// error) and returns it.
func checkClass(t *testing.T, err error, want Class) *Error {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return nil
	}
	if err == nil {
		t.Fatalf("want a %s error, got success", want)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want a *carrier.Error, got %T: %v", err, err)
	}
	if ce.Class != want {
		t.Fatalf("class = %s, want %s (%v)", ce.Class, want, err)
	}
	return ce
}

// validClass reports whether c is one of the defined classes.
func validClass(c Class) bool {
	switch c {
	case Retryable, Permanent, Unknown, Unsupported, TooLate:
		return true
	}
	return false
}

// assertNoSecret fails when any secret shows in err's text.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error leaks a secret: %v", err)
		}
		var ce *Error
		if errors.As(err, &ce) && strings.Contains(ce.Reason, s) {
			t.Fatalf("reason leaks a secret: %q", ce.Reason)
		}
	}
}
