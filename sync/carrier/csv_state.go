package carrier

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Batch temp files are hidden (a leading dot) so a 3PL picking up *.csv
// never sees a half-written batch.
const batchTempSuffix = ".tmp"

// batchTempName is the temp file a batch is written to before its rename.
func batchTempName(batch string) string { return "." + batch + batchTempSuffix }

// loadLedger reads the committed batches.
func (c *CSV) loadLedger() error {
	lines, err := readLines(c.ledgerPath())
	if err != nil {
		return err
	}
	for _, l := range lines {
		var b batchRecord
		if err := json.Unmarshal(l.data, &b); err != nil || b.Batch == "" {
			return fmt.Errorf("%s:%d: unreadable ledger line", c.ledgerPath(), l.n)
		}
		c.batches[b.Batch] = true
		for _, o := range b.Orders {
			o.Batch = b.Batch
			c.addSent(o)
		}
	}
	return nil
}

// loadJournal reads the pending shipments, dropping those a committed
// batch already holds (a crash after the commit, before the journal was
// cleared) and repeated keys; the journal is rewritten if any were dropped.
func (c *CSV) loadJournal() error {
	lines, err := readLines(c.journalPath())
	if err != nil {
		return err
	}
	dropped := false
	for _, l := range lines {
		var rec pendingRecord
		if err := json.Unmarshal(l.data, &rec); err != nil || rec.Key == "" {
			return fmt.Errorf("%s:%d: unreadable pending line", c.journalPath(), l.n)
		}
		rec.Shipment.IdempotencyKey = rec.Key
		if _, known := c.knownSum(rec.Key); known {
			dropped = true
			continue
		}
		c.addPending(rec)
	}
	if dropped {
		return c.rewriteJournal()
	}
	return nil
}

// rewriteJournal replaces the journal with the pending shipments.
func (c *CSV) rewriteJournal() error {
	var buf []byte
	for _, rec := range c.pending {
		line, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		buf = append(append(buf, line...), '\n')
	}
	return writeAtomic(c.journalPath(), buf)
}

// recoverOutbox finishes or discards batches a crash interrupted: a temp
// file whose batch the ledger committed is renamed into place; any other
// temp file never counted and is removed.
func (c *CSV) recoverOutbox() error {
	entries, err := os.ReadDir(c.outboxDir())
	if err != nil {
		return err
	}
	changed := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, ".batch-") || !strings.HasSuffix(name, batchTempSuffix) {
			continue
		}
		tmp := filepath.Join(c.outboxDir(), name)
		batch := strings.TrimSuffix(strings.TrimPrefix(name, "."), batchTempSuffix)
		final := filepath.Join(c.outboxDir(), batch)
		_, statErr := os.Lstat(final)
		if c.batches[batch] && os.IsNotExist(statErr) {
			if err := os.Rename(tmp, final); err != nil {
				return fmt.Errorf("publish batch %s: %w", batch, err)
			}
		} else if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("remove unfinished batch %s: %w", name, err)
		}
		changed = true
	}
	if changed {
		return syncDir(c.outboxDir())
	}
	return nil
}
