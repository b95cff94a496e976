package carrier

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// trackingColumns is the header a tracking file must have (any order,
// extra columns ignored).
var trackingColumns = []string{"external_id", "tracking_number", "carrier_code", "shipped_at"}

// trackingRow is one line of a tracking file.
type trackingRow struct {
	ExternalID     string
	TrackingNumber string
	CarrierCode    string
	ShippedAt      time.Time
}

// badInboxFile remembers a file that failed to parse, so it is not parsed
// again until it changes.
type badInboxFile struct {
	size int64
	mod  time.Time
	err  error
}

// Status reports an order by its id (the idempotency key): accepted once
// pushed, shipped with tracking once a tracking file named its external
// id. The inbox is read first. A bad tracking file is reported (Permanent,
// naming file:line) while the order has no tracking yet, since its
// tracking may be in that file.
func (c *CSV) Status(ctx context.Context, id string) (Remote, error) {
	if err := validateID(c.name, "status", id); err != nil {
		return Remote{}, err
	}
	scanErr := c.scanInbox(ctx, "status")
	c.mu.Lock()
	r, ok := c.remoteLocked(id)
	c.mu.Unlock()
	if !ok {
		return Remote{}, &Error{Carrier: c.name, Op: "status", Class: Permanent, Code: "not_found",
			Reason: "no order was pushed with id " + id}
	}
	if r.Status != StatusShipped && scanErr != nil {
		return Remote{}, scanErr
	}
	return r, nil
}

// Lookup returns the orders pushed with externalID, with tracking when
// known. It answers from the journal, so a bad tracking file does not stop
// reconciliation.
func (c *CSV) Lookup(ctx context.Context, externalID string) ([]Remote, error) {
	if err := validateID(c.name, "lookup", externalID); err != nil {
		return nil, err
	}
	_ = c.scanInbox(ctx, "lookup") // Status reports bad files
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Remote
	for _, key := range c.keysByExternal[externalID] {
		if r, ok := c.remoteLocked(key); ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// remoteLocked is the order pushed under key. c.mu must be held.
func (c *CSV) remoteLocked(key string) (Remote, bool) {
	var ext string
	if i, ok := c.pendingIdx[key]; ok {
		ext = c.pending[i].Shipment.ExternalID
	} else if s, ok := c.sent[key]; ok {
		ext = s.ExternalID
	} else {
		return Remote{}, false
	}
	r := Remote{ID: key, ExternalID: ext, Status: StatusAccepted}
	if t, ok := c.tracking[ext]; ok {
		r.Status, r.TrackingNumber, r.CarrierCode, r.ShippedAt = StatusShipped, t.TrackingNumber, t.CarrierCode, t.ShippedAt
	}
	return r, true
}

// ScanInbox reads the tracking files in Dir/inbox and moves each good one
// to Dir/inbox/done. A bad file stays where it is and is reported as a
// Permanent error naming file:line until it is fixed or removed.
func (c *CSV) ScanInbox(ctx context.Context) error { return c.scanInbox(ctx, "inbox") }

func (c *CSV) scanInbox(ctx context.Context, op string) error {
	c.inboxMu.Lock()
	defer c.inboxMu.Unlock()
	entries, err := os.ReadDir(c.inboxDir())
	if err != nil {
		return &Error{Carrier: c.name, Op: op, Class: Retryable, Reason: "could not list the inbox: " + err.Error(), Err: err}
	}
	var bad []error
	seen := map[string]bool{}
	moved := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".csv") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return &Error{Carrier: c.name, Op: op, Class: Retryable, Reason: "inbox scan stopped: " + err.Error(), Err: err}
		}
		seen[name] = true
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		if b, ok := c.badFiles[name]; ok && b.size == info.Size() && b.mod.Equal(info.ModTime()) {
			bad = append(bad, b.err)
			continue
		}
		path := filepath.Join(c.inboxDir(), name)
		rows, err := c.readTrackingFile(path)
		if err != nil {
			c.badFiles[name] = badInboxFile{size: info.Size(), mod: info.ModTime(), err: err}
			bad = append(bad, err)
			continue
		}
		delete(c.badFiles, name)
		c.mu.Lock()
		c.mergeTracking(rows)
		c.mu.Unlock()
		if err := c.moveToDone(name); err != nil {
			bad = append(bad, fmt.Errorf("%s: read, but could not move it to done: %w", path, err))
			continue
		}
		moved = true
	}
	for name := range c.badFiles {
		if !seen[name] {
			delete(c.badFiles, name)
		}
	}
	if moved {
		if err := errors.Join(syncDir(c.doneDir()), syncDir(c.inboxDir())); err != nil {
			bad = append(bad, err)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	reason := bad[0].Error()
	if len(bad) > 1 {
		reason += fmt.Sprintf(" (and %d more bad inbox files)", len(bad)-1)
	}
	return &Error{Carrier: c.name, Op: op, Class: Permanent, Code: "bad_tracking_file", Reason: reason, Err: errors.Join(bad...)}
}

// moveToDone moves a read inbox file into done without replacing one.
func (c *CSV) moveToDone(name string) error {
	dest, err := freeName(c.doneDir(), name, func(string) bool { return false })
	if err != nil {
		return err
	}
	return os.Rename(filepath.Join(c.inboxDir(), name), filepath.Join(c.doneDir(), dest))
}

// loadDone reloads the tracking already read back (the files in done).
func (c *CSV) loadDone() error {
	entries, err := os.ReadDir(c.doneDir())
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		rows, err := c.readTrackingFile(filepath.Join(c.doneDir(), name))
		if err != nil {
			return err
		}
		c.mergeTracking(rows)
	}
	return nil
}

// mergeTracking keeps the latest tracking per external id (a later file
// wins a tie). c.mu must be held.
func (c *CSV) mergeTracking(rows []trackingRow) {
	for _, r := range rows {
		if old, ok := c.tracking[r.ExternalID]; ok && r.ShippedAt.Before(old.ShippedAt) {
			continue
		}
		c.tracking[r.ExternalID] = r
	}
}

// readTrackingFile reads one tracking file, refusing one over the size
// limit.
func (c *CSV) readTrackingFile(path string) ([]trackingRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	data, err := readLimited(f, c.maxInbox)
	if errors.Is(err, errBodyTooLarge) {
		return nil, fmt.Errorf("%s: over the %d-byte limit for a tracking file", path, c.maxInbox)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return parseTrackingCSV(path, data)
}

// parseTrackingCSV reads a tracking file. Every error names the file and
// line: "inbox/x.csv:3: ...".
func parseTrackingCSV(name string, data []byte) ([]trackingRow, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's BOM
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1: empty file; want the header %s", name, strings.Join(trackingColumns, ","))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, want := range trackingColumns {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("%s:1: header has no %s column; want %s", name, want, strings.Join(trackingColumns, ","))
		}
	}
	var rows []trackingRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		field := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		row := trackingRow{ExternalID: field("external_id"), TrackingNumber: field("tracking_number"), CarrierCode: field("carrier_code")}
		switch {
		case row.ExternalID == "":
			return nil, fmt.Errorf("%s:%d: empty external_id", name, line)
		case row.TrackingNumber == "":
			return nil, fmt.Errorf("%s:%d: empty tracking_number for external_id %s", name, line, truncate(row.ExternalID, 60))
		}
		if row.ShippedAt, err = parseTimestamp(field("shipped_at")); err != nil {
			return nil, fmt.Errorf("%s:%d: shipped_at: %w", name, line, err)
		}
		rows = append(rows, row)
	}
}

// csvError names the file and line of a CSV syntax error.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
