package sync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
)

// ImportColumns are the columns `shipdeck import` reads; order_id, name,
// address1, city, postal_code, country and sku are required. Rows with the
// same order_id are lines of one order.
func ImportColumns() []string {
	return []string{"order_id", "name", "phone", "address1", "address2", "city", "region", "postal_code", "country",
		"sku", "quantity", "weight_g", "price", "ship_by", "delivery_due"}
}

// RowError names a rejected import row and why.
type RowError struct {
	File string
	Line int
	ID   string
	Msg  string
}

// Error reads path:line: order ID: what is wrong. An id a terminal would
// act on is shown quoted, escapes spelled out.
func (e RowError) Error() string {
	if e.ID != "" {
		id := e.ID
		if sanitize.Line(id) != id {
			id = strconv.Quote(id)
		}
		return fmt.Sprintf("%s:%d: order %s: %s", e.File, e.Line, id, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrBadFile is returned (wrapped, naming the file and line) when an import
// file cannot be read as a whole; nothing from it is stored.
var ErrBadFile = errors.New("unreadable import file")

// maxImportRows bounds one import file.
const maxImportRows = 1_000_000

// importBatch is how many orders an import validates and stores at a time:
// memory stays the same for a file of a thousand rows or a million.
const importBatch = 5000

// importHeader reads the header row and maps column names to positions.
func importHeader(cr *csv.Reader, file string) (map[string]int, error) {
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s:1: no header row: %v", ErrBadFile, file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, req := range []string{"order_id", "name", "address1", "city", "postal_code", "country", "sku"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: %s:1: header lacks column %q (columns: %s)", ErrBadFile, file, req, strings.Join(ImportColumns(), ","))
		}
	}
	return col, nil
}

func newImportReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// importScan is what the first pass over an import file learns: how many
// rows it has, and which order ids have rows that are not next to each
// other (those orders are gathered whole before they are stored; the rest
// stream).
type importScan struct {
	rows      int
	scattered map[string]bool
}

// scanImport is the first pass: it reads the whole file, so a file that
// cannot be read as CSV is refused before anything is stored. Memory is
// fixed (a Bloom filter of the ids whose rows ended) plus the scattered ids.
func scanImport(r io.Reader, file string) (importScan, error) {
	cr := newImportReader(r)
	col, err := importHeader(cr, file)
	if err != nil {
		return importScan{}, err
	}
	sc := importScan{scattered: map[string]bool{}}
	ended := newBloom()
	prev := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				sc.rows++
				continue
			}
			return importScan{}, fmt.Errorf("%w: %s: %v", ErrBadFile, file, err)
		}
		if sc.rows++; sc.rows > maxImportRows {
			return importScan{}, fmt.Errorf("%w: %s: more than %d rows; split it", ErrBadFile, file, maxImportRows)
		}
		id := ""
		if i := col["order_id"]; i < len(rec) {
			id = strings.TrimSpace(rec[i])
		}
		if id == prev {
			continue
		}
		if prev != "" {
			ended.add(prev)
		}
		if id != "" && ended.has(id) {
			// Rarely a false positive: that order is gathered too.
			sc.scattered[id] = true
		}
		prev = id
	}
	return sc, nil
}

// pendingOrder is an order whose rows are still being read.
type pendingOrder struct {
	order store.Order
	bad   bool
	line  int // the line its recipient was read from
}

// readImport is the second pass: it validates each row and hands every
// order whose rows are all valid to emit, in file order of its last row
// (scattered orders at the end). Rejected rows go to reject; an order with
// any bad row is rejected whole, so no partial order is stored. It returns
// how many orders the file held and how many were rejected.
func readImport(r io.Reader, file string, now time.Time, sc importScan, emit func(store.Order) error, reject func(RowError)) (orders, rejected int, err error) {
	cr := newImportReader(r)
	col, err := importHeader(cr, file)
	if err != nil {
		return 0, 0, err
	}
	finish := func(p *pendingOrder) error {
		orders++
		if p.bad {
			rejected++
			return nil
		}
		return emit(p.order)
	}
	var cur *pendingOrder
	gathered := map[string]*pendingOrder{}
	var gatherOrder []string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				reject(RowError{File: file, Line: line, Msg: err.Error()})
				continue
			}
			return orders, rejected, fmt.Errorf("%w: %s: %v", ErrBadFile, file, err)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get("order_id")
		li, o, msg := parseRow(get, now)
		if id == "" {
			reject(RowError{File: file, Line: line, Msg: msg})
			continue
		}
		var p *pendingOrder
		switch {
		case sc.scattered[id]:
			if p = gathered[id]; p == nil {
				p = &pendingOrder{order: o, line: line}
				gathered[id] = p
				gatherOrder = append(gatherOrder, id)
			}
		case cur != nil && cur.order.ID == id:
			p = cur
		default:
			if cur != nil {
				if err := finish(cur); err != nil {
					return orders, rejected, err
				}
			}
			cur = &pendingOrder{order: o, line: line}
			cur.order.ID = id
			p = cur
		}
		if msg != "" {
			reject(RowError{File: file, Line: line, ID: id, Msg: msg})
			p.bad = true
			continue
		}
		if p.order.Recipient.Name == "" {
			// The order's first rows were bad; this is its first good one.
			p.order, p.line = o, line
		} else if what := RecipientConflict(p.order.Recipient, o.Recipient); what != "" {
			reject(RowError{File: file, Line: line, ID: id,
				Msg: fmt.Sprintf("same order_id as line %d with a different %s (one order has one recipient)", p.line, what)})
			p.bad = true
			continue
		}
		p.order.LineItems = append(p.order.LineItems, li)
	}
	if cur != nil {
		if err := finish(cur); err != nil {
			return orders, rejected, err
		}
	}
	for _, id := range gatherOrder {
		if err := finish(gathered[id]); err != nil {
			return orders, rejected, err
		}
	}
	return orders, rejected, nil
}

// ParseImport reads a whole import CSV into memory: the valid orders (state
// ready), the rejected rows with their line numbers, and an error only when
// the file as a whole is unusable. An order with any bad row is rejected
// whole, so no partial order is stored. Engine.ImportFile streams instead;
// this is for small files.
func ParseImport(r io.Reader, file string, now time.Time) ([]store.Order, []RowError, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrBadFile, file, err)
	}
	sc, err := scanImport(bytes.NewReader(data), file)
	if err != nil {
		return nil, nil, err
	}
	var out []store.Order
	var rejected []RowError
	_, _, err = readImport(bytes.NewReader(data), file, now, sc,
		func(o store.Order) error { out = append(out, o); return nil },
		func(e RowError) { rejected = append(rejected, e) })
	if err != nil {
		return nil, nil, err
	}
	return out, rejected, nil
}

// parseRow validates one row; msg says what is wrong.
func parseRow(get func(string) string, now time.Time) (store.LineItem, store.Order, string) {
	var li store.LineItem
	var o store.Order
	id := get("order_id")
	fieldsMsg := CheckImportFields(get)
	switch {
	case id == "":
		return li, o, "order_id is empty"
	case fieldsMsg != "":
		return li, o, fieldsMsg
	case strings.ContainsAny(id, " /\\\x00"):
		return li, o, "order_id must not hold spaces or slashes"
	case get("name") == "":
		return li, o, "name is empty"
	case get("address1") == "":
		return li, o, "address1 is empty"
	case get("city") == "":
		return li, o, "city is empty"
	case get("postal_code") == "":
		return li, o, "postal_code is empty"
	case len(get("country")) != 2:
		return li, o, fmt.Sprintf("country %q must be a two-letter code", get("country"))
	case get("sku") == "":
		return li, o, "sku is empty"
	}
	li = store.LineItem{SKU: get("sku"), Quantity: 1, WeightGrams: 400}
	if q := get("quantity"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 10000 {
			return li, o, fmt.Sprintf("quantity %q must be a whole number 1..10000", q)
		}
		li.Quantity = n
	}
	if w := get("weight_g"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 1_000_000 {
			return li, o, fmt.Sprintf("weight_g %q must be a whole number of grams", w)
		}
		li.WeightGrams = n
	}
	if p := get("price"); p != "" {
		if _, err := strconv.ParseFloat(p, 64); err != nil {
			return li, o, fmt.Sprintf("price %q is not a number", p)
		}
		li.PriceCents = cents(p)
	}
	shipBy, err := parseTime(get("ship_by"))
	if err != nil {
		return li, o, "ship_by: " + err.Error()
	}
	due, err := parseTime(get("delivery_due"))
	if err != nil {
		return li, o, "delivery_due: " + err.Error()
	}
	lines := []string{get("address1")}
	if a2 := get("address2"); a2 != "" {
		lines = append(lines, a2)
	}
	o = store.Order{
		ID: id, Status: store.StatusAwaitingShipment, Source: store.SourceImport, CreateTime: now, UpdateTime: now,
		RTSSLATime: shipBy, DeliveryDueTime: due,
		Recipient: store.Address{Name: get("name"), Phone: get("phone"), Lines: lines, City: get("city"),
			Region: get("region"), PostalCode: get("postal_code"), Country: strings.ToUpper(get("country"))},
		State: store.StateReady, StoredAt: now,
	}
	return li, o, ""
}

// parseTime accepts RFC 3339, a date, or empty.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2026-11-24T17:00:00Z or 2026-11-24)", s)
}

// ImportResult says what an import stored.
type ImportResult struct {
	// Rows is how many data rows the file had (ImportFile only).
	Rows int `json:"rows,omitempty"`
	// Orders is how many distinct orders the file held (ImportFile only).
	Orders int `json:"orders,omitempty"`
	// Stored orders are new; Skipped ones were stored already (by an
	// earlier or interrupted import of the same file).
	Stored  int `json:"stored"`
	Skipped int `json:"skipped"`
	// Rejected orders had at least one bad row (ImportFile only).
	Rejected int `json:"rejected,omitempty"`
}

// ImportProgress receives an import's progress and its rejected rows as
// they are found. Either may be nil.
type ImportProgress struct {
	Rows     func(done, total int)
	Rejected func(RowError)
}

// ImportFile imports a CSV file into the same pipeline as polled orders,
// streaming it in batches of importBatch orders: a first pass refuses a
// file that is not readable CSV (nothing stored) and finds orders whose rows
// are not together; the second validates and stores. Each batch is one
// synced bulk write that skips orders already stored, so an import that was
// interrupted, run again, stores what is missing and nothing twice.
func (e *Engine) ImportFile(ctx context.Context, f io.ReadSeeker, file string, now time.Time, prog ImportProgress) (ImportResult, error) {
	var res ImportResult
	sc, err := scanImport(bufio.NewReaderSize(f, 1<<20), file)
	if err != nil {
		return res, err
	}
	res.Rows = sc.rows
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("%w: %s: rewind for the second pass: %v", ErrBadFile, file, err)
	}
	batch := make([]store.Order, 0, importBatch)
	flush := func() error {
		n, err := e.st.BulkAdd(ctx, batch)
		res.Stored += n
		if err != nil {
			return fmt.Errorf("import %s: %w", file, err)
		}
		res.Skipped += len(batch) - n
		batch = batch[:0]
		return nil
	}
	done := 0
	emit := func(o store.Order) error {
		batch = append(batch, o)
		if len(batch) < importBatch {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		done += importBatch
		if prog.Rows != nil {
			prog.Rows(min(done, sc.rows), sc.rows)
		}
		return nil
	}
	reject := func(re RowError) {
		if prog.Rejected != nil {
			prog.Rejected(re)
		}
	}
	res.Orders, res.Rejected, err = readImport(bufio.NewReaderSize(f, 1<<20), file, now, sc, emit, reject)
	if err == nil {
		err = flush()
	}
	if prog.Rows != nil && err == nil {
		prog.Rows(sc.rows, sc.rows)
	}
	if res.Stored > 0 {
		e.nudge()
	}
	return res, err
}

// Import stores parsed orders that are not stored yet into the same
// pipeline as polled orders, in batches. Orders already stored are skipped
// (importing a file twice stores it once). progress, if set, is called
// after each batch.
func (e *Engine) Import(ctx context.Context, orders []store.Order, progress func(done, total int)) (ImportResult, error) {
	var res ImportResult
	for from := 0; from < len(orders); from += importBatch {
		batch := orders[from:min(from+importBatch, len(orders))]
		n, err := e.st.BulkAdd(ctx, batch)
		res.Stored += n
		if err != nil {
			return res, fmt.Errorf("import %d orders: %w", len(orders), err)
		}
		res.Skipped += len(batch) - n
		if progress != nil {
			progress(from+len(batch), len(orders))
		}
	}
	if res.Stored > 0 {
		e.nudge()
	}
	return res, nil
}
