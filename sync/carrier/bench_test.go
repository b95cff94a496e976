package carrier

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRESTPush is one push round trip to a loopback 3PL.
func BenchmarkRESTPush(b *testing.B) {
	srv := serveBench(b, func(w http.ResponseWriter, r *http.Request) {
		writeReply(w, 201, nil, `{"id":"3pl-1","status":"accepted"}`)
	})
	r, err := NewREST(RESTConfig{Name: "bench", Endpoint: srv, Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	s := sampleShipment()
	ctx := context.Background()
	for b.Loop() {
		if _, err := r.Push(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCSVPush is one durable (fsynced) push to the drop folder.
func BenchmarkCSVPush(b *testing.B) {
	c, err := NewCSV(CSVConfig{Name: "bench", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := c.Push(ctx, shipmentN(fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTrackingCSV parses a 1,000-row tracking file.
func BenchmarkParseTrackingCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("external_id,tracking_number,carrier_code,shipped_at\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "5766%d,1Z999AA1%08d,ups,2026-03-15T10:00:00Z\n", i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseTrackingCSV("bench.csv", data); err != nil {
			b.Fatal(err)
		}
	}
}

func serveBench(b *testing.B, h http.HandlerFunc) string {
	b.Helper()
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL
}
