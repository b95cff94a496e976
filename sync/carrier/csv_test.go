package carrier

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestCSV(t *testing.T, dir string) *CSV {
	t.Helper()
	c, err := NewCSV(CSVConfig{Name: "bulk", Dir: dir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shipmentN is a sample shipment with its own id and key.
func shipmentN(n string) Shipment {
	s := sampleShipment()
	s.ExternalID = "5766" + n
	s.IdempotencyKey = "5766" + n + ":bulk:1"
	return s
}

// outboxBatches returns the batch files in the outbox, and fails on any
// other file (a leftover temp file).
func outboxBatches(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "batch-") || !strings.HasSuffix(e.Name(), ".csv") {
			t.Fatalf("unexpected file in outbox: %s", e.Name())
		}
		out = append(out, e.Name())
	}
	return out
}

// readBatch returns a batch file's rows without the header.
func readBatch(t *testing.T, dir, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "outbox", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(batchHeader, ",") {
		t.Fatalf("header = %v", rows[0])
	}
	return rows[1:]
}

func TestCSVPushFlushWritesOneAtomicBatch(t *testing.T) {
	dir := t.TempDir()
	c := newTestCSV(t, dir)
	ctx := context.Background()
	a, b := shipmentN("1"), shipmentN("2")
	b.Items = append(b.Items, Item{SKU: "MUG-1", Title: "Mug, \"large\"", Quantity: 2})
	for _, s := range []Shipment{a, b} {
		res, err := c.Push(ctx, s)
		if err != nil || res.ID != s.IdempotencyKey || res.Replay {
			t.Fatalf("push = %+v, %v", res, err)
		}
	}
	if got := outboxBatches(t, dir); len(got) != 0 {
		t.Fatalf("batch written before Flush: %v", got)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := outboxBatches(t, dir)
	if len(got) != 1 || got[0] != "batch-20260314T150926.000000000Z.csv" {
		t.Fatalf("batches = %v", got)
	}
	rows := readBatch(t, dir, got[0])
	if len(rows) != 3 || rows[0][0] != a.ExternalID || rows[0][1] != a.IdempotencyKey || rows[2][13] != "MUG-1" ||
		rows[2][14] != `Mug, "large"` || rows[2][15] != "2" || rows[1][6] != "12 Elm St" || rows[1][16] != "420" {
		t.Fatalf("rows = %q", rows)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".pending", "pending.jsonl")); len(data) != 0 {
		t.Fatalf("journal not cleared: %s", data)
	}
	// Nothing pending: no empty batch.
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := outboxBatches(t, dir); len(got) != 1 {
		t.Fatalf("batches = %v", got)
	}
}

func TestCSVIdempotentByKey(t *testing.T) {
	dir := t.TempDir()
	c := newTestCSV(t, dir)
	ctx := context.Background()
	s := shipmentN("1")
	for i, wantReplay := range []bool{false, true} {
		res, err := c.Push(ctx, s)
		if err != nil || res.ID != s.IdempotencyKey || res.Replay != wantReplay {
			t.Fatalf("push %d = %+v, %v", i, res, err)
		}
	}
	changed := s
	changed.ShipTo.PostalCode = "10001"
	_, err := c.Push(ctx, changed)
	if ce := checkClass(t, err, Permanent); ce.Code != "idempotency_mismatch" {
		t.Fatalf("code = %q", ce.Code)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The same key after its batch went out is still one row.
	res, err := c.Push(ctx, s)
	if err != nil || !res.Replay {
		t.Fatalf("push after flush = %+v, %v", res, err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	batches := outboxBatches(t, dir)
	if len(batches) != 1 || len(readBatch(t, dir, batches[0])) != 1 {
		t.Fatalf("batches = %v", batches)
	}
	// And after a restart.
	c2 := newTestCSV(t, dir)
	if res, err := c2.Push(ctx, s); err != nil || !res.Replay {
		t.Fatalf("push after restart = %+v, %v", res, err)
	}
}

func TestCSVCrashSafety(t *testing.T) {
	ctx := context.Background()
	t.Run("a new adapter sees pending rows", func(t *testing.T) {
		dir := t.TempDir()
		c := newTestCSV(t, dir)
		for _, n := range []string{"1", "2"} {
			if _, err := c.Push(ctx, shipmentN(n)); err != nil {
				t.Fatal(err)
			}
		}
		// "Crash": drop c without flushing.
		c2 := newTestCSV(t, dir)
		if err := c2.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		batches := outboxBatches(t, dir)
		if len(batches) != 1 || len(readBatch(t, dir, batches[0])) != 2 {
			t.Fatalf("batches = %v", batches)
		}
		if rm, err := c2.Status(ctx, shipmentN("2").IdempotencyKey); err != nil || rm.Status != StatusAccepted {
			t.Fatalf("status = %+v, %v", rm, err)
		}
	})
	t.Run("a torn journal line is dropped, the rest kept", func(t *testing.T) {
		dir := t.TempDir()
		c := newTestCSV(t, dir)
		if _, err := c.Push(ctx, shipmentN("1")); err != nil {
			t.Fatal(err)
		}
		journal := filepath.Join(dir, ".pending", "pending.jsonl")
		f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
		_, _ = f.WriteString(`{"key":"5766-torn","sum":"ab","shipm`)
		f.Close()
		c2 := newTestCSV(t, dir)
		if _, err := c2.Push(ctx, shipmentN("2")); err != nil {
			t.Fatal(err)
		}
		c3 := newTestCSV(t, dir) // the repaired journal plus the new line load cleanly
		if err := c3.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		rows := readBatch(t, dir, outboxBatches(t, dir)[0])
		if len(rows) != 2 || rows[0][0] != "57661" || rows[1][0] != "57662" {
			t.Fatalf("rows = %q", rows)
		}
	})
	t.Run("a batch committed but not renamed is published, not resent", func(t *testing.T) {
		dir := t.TempDir()
		c := newTestCSV(t, dir)
		if _, err := c.Push(ctx, shipmentN("1")); err != nil {
			t.Fatal(err)
		}
		// Replay Flush's first two steps, then "crash" before the rename.
		batch := "batch-20260314T150926.000000000Z.csv"
		data, _ := encodeBatch(c.pending)
		if err := writeSynced(filepath.Join(dir, "outbox", batchTempName(batch)), data); err != nil {
			t.Fatal(err)
		}
		p := c.pending[0]
		rec := batchRecord{Batch: batch, At: testNow, Orders: []sentRecord{{Key: p.Key, ExternalID: p.Shipment.ExternalID, Sum: p.Sum}}}
		if err := appendLine(filepath.Join(dir, ".pending", "sent.jsonl"), rec); err != nil {
			t.Fatal(err)
		}
		c2 := newTestCSV(t, dir)
		if got := outboxBatches(t, dir); len(got) != 1 || got[0] != batch {
			t.Fatalf("batches = %v", got)
		}
		if err := c2.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := outboxBatches(t, dir); len(got) != 1 {
			t.Fatalf("the committed shipment was sent again: %v", got)
		}
	})
	t.Run("an uncommitted temp batch is discarded and its rows resent", func(t *testing.T) {
		dir := t.TempDir()
		c := newTestCSV(t, dir)
		if _, err := c.Push(ctx, shipmentN("1")); err != nil {
			t.Fatal(err)
		}
		data, _ := encodeBatch(c.pending)
		if err := writeSynced(filepath.Join(dir, "outbox", batchTempName("batch-x.csv")), data); err != nil {
			t.Fatal(err)
		}
		c2 := newTestCSV(t, dir)
		if got := outboxBatches(t, dir); len(got) != 0 {
			t.Fatalf("outbox = %v", got)
		}
		if err := c2.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := outboxBatches(t, dir); len(got) != 1 {
			t.Fatalf("outbox = %v", got)
		}
	})
}

func TestCSVFlushNeverOverwritesABatch(t *testing.T) {
	dir := t.TempDir()
	c := newTestCSV(t, dir) // the clock never moves: every batch has the same timestamp
	ctx := context.Background()
	for _, n := range []string{"1", "2", "3"} {
		if _, err := c.Push(ctx, shipmentN(n)); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := outboxBatches(t, dir)
	if len(got) != 3 {
		t.Fatalf("batches = %v", got)
	}
	for _, name := range got {
		if len(readBatch(t, dir, name)) != 1 {
			t.Fatalf("batch %s", name)
		}
	}
}

func writeInbox(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, "inbox", name)
	if err := os.WriteFile(path, []byte(body), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCSVTrackingReadBack(t *testing.T) {
	dir := t.TempDir()
	c := newTestCSV(t, dir)
	ctx := context.Background()
	a, b := shipmentN("1"), shipmentN("2")
	for _, s := range []Shipment{a, b} {
		if _, err := c.Push(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if rm, err := c.Status(ctx, a.IdempotencyKey); err != nil || rm.Status != StatusAccepted || rm.ExternalID != a.ExternalID {
		t.Fatalf("before tracking: %+v, %v", rm, err)
	}
	writeInbox(t, dir, "tracking-1.csv", "\ufeffexternal_id,tracking_number,carrier_code,shipped_at\n"+
		a.ExternalID+",1Z999AA1,ups,2026-03-15T10:00:00Z\n")
	writeInbox(t, dir, ".partial.csv", "garbage") // hidden: still being written
	rm, err := c.Status(ctx, a.IdempotencyKey)
	if err != nil {
		t.Fatal(err)
	}
	if rm.Status != StatusShipped || rm.TrackingNumber != "1Z999AA1" || rm.CarrierCode != "ups" ||
		!rm.ShippedAt.Equal(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)) || rm.ID != a.IdempotencyKey {
		t.Fatalf("status = %+v", rm)
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "done", "tracking-1.csv")); err != nil {
		t.Fatalf("processed file not moved to done: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", ".partial.csv")); err != nil {
		t.Fatalf("hidden file touched: %v", err)
	}
	list, err := c.Lookup(ctx, a.ExternalID)
	if err != nil || len(list) != 1 || list[0].TrackingNumber != "1Z999AA1" {
		t.Fatalf("lookup = %+v, %v", list, err)
	}
	if list, err := c.Lookup(ctx, "nope"); err != nil || len(list) != 0 {
		t.Fatalf("lookup of an unknown id = %+v, %v", list, err)
	}
	_, err = c.Status(ctx, "never-pushed")
	if ce := checkClass(t, err, Permanent); ce.Code != "not_found" {
		t.Fatalf("code = %q", ce.Code)
	}

	// A bad file is reported with file:line and left in place; a good one
	// next to it is still read.
	bad := writeInbox(t, dir, "tracking-2.csv", "external_id,tracking_number,carrier_code,shipped_at\n"+
		"x1,T1,ups,2026-03-15\n"+b.ExternalID+",,ups,2026-03-15\n")
	_, err = c.Status(ctx, b.IdempotencyKey)
	if ce := checkClass(t, err, Permanent); !strings.Contains(ce.Reason, bad+":3:") || !strings.Contains(ce.Reason, "tracking_number") {
		t.Fatalf("reason = %q", ce.Reason)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Fatalf("bad file moved: %v", err)
	}
	// An order with tracking is still answered while a bad file waits.
	if rm, err := c.Status(ctx, a.IdempotencyKey); err != nil || rm.Status != StatusShipped {
		t.Fatalf("status = %+v, %v", rm, err)
	}
	// Fixed by the operator: read and moved.
	writeInbox(t, dir, "tracking-2.csv", "external_id,tracking_number,carrier_code,shipped_at\n"+b.ExternalID+",9400,usps,\n")
	if rm, err := c.Status(ctx, b.IdempotencyKey); err != nil || rm.TrackingNumber != "9400" {
		t.Fatalf("status = %+v, %v", rm, err)
	}
	// Tracking survives a restart (read back from done).
	c2 := newTestCSV(t, dir)
	if rm, err := c2.Status(ctx, a.IdempotencyKey); err != nil || rm.TrackingNumber != "1Z999AA1" {
		t.Fatalf("after restart: %+v, %v", rm, err)
	}
}

func TestParseTrackingCSVErrorsNameFileAndLine(t *testing.T) {
	const header = "external_id,tracking_number,carrier_code,shipped_at\n"
	tests := []struct {
		name string
		data string
		want string // "" means success
		rows int
	}{
		{name: "good", data: header + "1,T1,ups,2026-03-15T10:00:00Z\n2,T2,,2026-03-15 10:00:00\n3,T3,usps,2026-03-15\n", rows: 3},
		{name: "header only", data: header, rows: 0},
		{name: "columns reordered, extra ignored", data: "note,shipped_at,carrier_code,tracking_number,external_id\nhi,,ups,T1,1\n", rows: 1},
		{name: "CRLF and blank lines", data: "external_id,tracking_number,carrier_code,shipped_at\r\n\r\n1,T1,ups,\r\n", rows: 1},
		{name: "empty file", data: "", want: "in.csv:1: empty file"},
		{name: "missing column", data: "external_id,tracking_number,carrier_code\n1,T1,ups\n", want: "in.csv:1: header has no shipped_at"},
		{name: "wrong field count", data: header + "1,T1,ups,\n2,T2\n", want: "in.csv:3:"},
		{name: "bare quote", data: header + "1,T\"1,ups,\n", want: "in.csv:2:"},
		{name: "unterminated quote", data: header + "1,T1,ups,\n\"2,T2,ups,\n", want: "in.csv:3:"},
		{name: "empty external id", data: header + "1,T1,ups,\n,T2,ups,\n", want: "in.csv:3: empty external_id"},
		{name: "empty tracking", data: header + "1,,ups,\n", want: "in.csv:2: empty tracking_number"},
		{name: "bad date", data: header + "1,T1,ups,15/03/2026\n", want: "in.csv:2: shipped_at"},
		{name: "quoted field spanning lines reports its start", data: header + "1,T1,ups,\n\"2\n\",T2,ups,nope\n", want: "in.csv:3: shipped_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := parseTrackingCSV("in.csv", []byte(tc.data))
			if tc.want == "" {
				if err != nil || len(rows) != tc.rows {
					t.Fatalf("rows %d, err %v", len(rows), err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestCSVRunFlushesOnItsInterval(t *testing.T) {
	dir := t.TempDir()
	c, err := NewCSV(CSVConfig{Name: "bulk", Dir: dir, Interval: 5 * time.Millisecond, Now: fixedNow,
		OnError: func(err error) { t.Errorf("run: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Push(context.Background(), shipmentN("1")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	published := func() bool { // lenient: a flush may be mid-way
		m, _ := filepath.Glob(filepath.Join(dir, "outbox", "batch-*.csv"))
		return len(m) > 0
	}
	deadline := time.Now().Add(10 * time.Second)
	for !published() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := outboxBatches(t, dir); len(got) != 1 {
		t.Fatalf("batches = %v", got)
	}
}

func TestCSVIdentityAndConfig(t *testing.T) {
	c := newTestCSV(t, t.TempDir())
	want := Capabilities{Lookup: true, Status: true, IdempotentPush: true, Batch: true}
	if c.Capabilities() != want || c.Kind() != "csv" || c.Name() != "bulk" || c.interval != DefaultCSVInterval {
		t.Fatalf("caps %+v kind %q interval %s", c.Capabilities(), c.Kind(), c.interval)
	}
	checkClass(t, c.Cancel(context.Background(), "x"), Unsupported)
	if _, err := NewCSV(CSVConfig{Name: "x"}); err == nil {
		t.Fatal("no dir accepted")
	}
	s := shipmentN("1")
	s.IdempotencyKey = ""
	_, err := c.Push(context.Background(), s)
	checkClass(t, err, Permanent)
}

func TestCSVInboxFileOverTheLimitIsReportedAndKept(t *testing.T) {
	dir := t.TempDir()
	c, err := NewCSV(CSVConfig{Name: "bulk", Dir: dir, Now: fixedNow, MaxInboxFile: 80})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := shipmentN("1")
	if _, err := c.Push(ctx, s); err != nil {
		t.Fatal(err)
	}
	body := "external_id,tracking_number,carrier_code,shipped_at\n" + s.ExternalID + ",1Z999AA1,ups,2026-03-15T10:00:00Z\n"
	big := writeInbox(t, dir, "tracking-big.csv", body)
	_, err = c.Status(ctx, s.IdempotencyKey)
	if ce := checkClass(t, err, Permanent); !strings.Contains(ce.Reason, big) || !strings.Contains(ce.Reason, "80-byte limit") {
		t.Fatalf("reason = %q", ce.Reason)
	}
	if _, err := os.Stat(big); err != nil {
		t.Fatalf("an oversize file was moved: %v", err)
	}
	// Cut down to the limit, it is read.
	writeInbox(t, dir, "tracking-big.csv", body[:strings.Index(body, "\n")+1]+s.ExternalID+",1Z1,ups,\n")
	if rm, err := c.Status(ctx, s.IdempotencyKey); err != nil || rm.TrackingNumber != "1Z1" {
		t.Fatalf("status = %+v, %v", rm, err)
	}
}
