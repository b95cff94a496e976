package carrier

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Flusher is a carrier that collects pushes and delivers them in batches
// (Capabilities.Batch); the engine calls Flush on its interval.
type Flusher interface {
	Flush(ctx context.Context) error
}

var _ Flusher = (*CSV)(nil)

// batchHeader is the first line of a batch file; a shipment takes one row
// per item.
var batchHeader = []string{
	"external_id", "idempotency_key", "reference", "service",
	"ship_to_name", "ship_to_phone", "address_line_1", "address_line_2", "address_line_3",
	"city", "region", "postal_code", "country",
	"sku", "title", "quantity", "weight_g",
}

// batchTimeLayout names batch files; it sorts by time and has no colons.
const batchTimeLayout = "20060102T150405.000000000Z"

// Flush writes the pending shipments into one new batch file,
// Dir/outbox/batch-<timestamp>.csv, atomically: the batch is written to a
// hidden temp file and fsynced, committed to the ledger, renamed into
// place, and only then is the journal cleared. A crash at any step loses
// no shipment and sends none twice. With nothing pending it does nothing.
func (c *CSV) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return c.flushError("not started", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.recoverOutbox(); err != nil {
		return c.flushError("could not finish an earlier batch", err)
	}
	if len(c.pending) == 0 {
		return nil
	}
	at := c.now().UTC()
	batch, err := freeName(c.outboxDir(), "batch-"+at.Format(batchTimeLayout)+".csv", func(n string) bool { return c.batches[n] })
	if err != nil {
		return c.flushError("could not name the batch", err)
	}
	data, err := encodeBatch(c.pending)
	if err != nil {
		return c.flushError("could not encode the batch", err)
	}
	tmp := filepath.Join(c.outboxDir(), batchTempName(batch))
	if err := writeSynced(tmp, data); err != nil {
		os.Remove(tmp)
		return c.flushError("could not write the batch", err)
	}
	rec := batchRecord{Batch: batch, At: at, Orders: make([]sentRecord, len(c.pending))}
	for i, p := range c.pending {
		rec.Orders[i] = sentRecord{Key: p.Key, ExternalID: p.Shipment.ExternalID, Sum: p.Sum}
	}
	if err := appendLine(c.ledgerPath(), rec); err != nil {
		os.Remove(tmp)
		return c.flushError("could not commit the batch", err)
	}
	// Committed: from here the batch counts as sent, even if publishing it
	// fails now (recoverOutbox retries the rename).
	c.batches[batch] = true
	for _, o := range rec.Orders {
		o.Batch = batch
		c.sent[o.Key] = o
	}
	c.pending, c.pendingIdx = nil, map[string]int{}
	if err := os.Rename(tmp, filepath.Join(c.outboxDir(), batch)); err != nil {
		return c.flushError("batch "+batch+" committed but not yet published (retried on the next flush)", err)
	}
	if err := syncDir(c.outboxDir()); err != nil {
		return c.flushError("batch "+batch+" published but not synced", err)
	}
	if err := truncateSynced(c.journalPath(), 0); err != nil {
		return c.flushError("batch "+batch+" published; could not clear the pending journal", err)
	}
	return nil
}

// flushError is a Retryable flush failure.
func (c *CSV) flushError(what string, err error) *Error {
	return &Error{Carrier: c.name, Op: "flush", Class: Retryable, Reason: what + ": " + err.Error(), Err: err}
}

// encodeBatch renders shipments as batch CSV.
func encodeBatch(pending []pendingRecord) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(batchHeader); err != nil {
		return nil, err
	}
	for _, p := range pending {
		s := p.Shipment
		lines := s.ShipTo.Lines
		line := func(i int) string {
			if i < len(lines) {
				if i == 2 {
					return strings.Join(lines[2:], ", ")
				}
				return lines[i]
			}
			return ""
		}
		weight := ""
		if s.WeightG > 0 {
			weight = strconv.Itoa(s.WeightG)
		}
		items := s.Items
		if len(items) == 0 {
			items = []Item{{}}
		}
		for _, it := range items {
			qty := ""
			if it.Quantity != 0 {
				qty = strconv.Itoa(it.Quantity)
			}
			row := []string{
				s.ExternalID, p.Key, s.Reference, s.Service,
				s.ShipTo.Name, s.ShipTo.Phone, line(0), line(1), line(2),
				s.ShipTo.City, s.ShipTo.Region, s.ShipTo.PostalCode, s.ShipTo.Country,
				it.SKU, it.Title, qty, weight,
			}
			if err := w.Write(row); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// Run flushes every Interval and reads the tracking inbox, until ctx is
// done. Failures go to OnError; the next tick tries again, and pending
// shipments are durable meanwhile.
func (c *CSV) Run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			for _, err := range []error{c.Flush(ctx), c.ScanInbox(ctx)} {
				if err != nil && c.onError != nil && ctx.Err() == nil {
					c.onError(err)
				}
			}
		}
	}
}
