package sync

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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

func (e RowError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("%s:%d: order %s: %s", e.File, e.Line, e.ID, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrBadFile is returned (wrapped, naming the file and line) when an import
// file cannot be read as a whole; nothing from it is stored.
var ErrBadFile = errors.New("unreadable import file")

// maxImportRows bounds one import file.
const maxImportRows = 1_000_000

// ParseImport reads an import CSV. It returns the valid orders (state
// ready), the rejected rows with their line numbers, and an error only when
// the file as a whole is unusable. An order with any bad row is rejected
// whole, so no partial order is stored.
func ParseImport(r io.Reader, file string, now time.Time) ([]store.Order, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s:1: no header row: %v", ErrBadFile, file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, req := range []string{"order_id", "name", "address1", "city", "postal_code", "country", "sku"} {
		if _, ok := col[req]; !ok {
			return nil, nil, fmt.Errorf("%w: %s:1: header lacks column %q (columns: %s)", ErrBadFile, file, req, strings.Join(ImportColumns(), ","))
		}
	}
	var rejected []RowError
	orders := map[string]*store.Order{}
	var order []string
	bad := map[string]bool{}
	for rows := 0; ; rows++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				rejected = append(rejected, RowError{File: file, Line: line, Msg: err.Error()})
				continue
			}
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrBadFile, file, err)
		}
		if rows >= maxImportRows {
			return nil, nil, fmt.Errorf("%w: %s: more than %d rows; split it", ErrBadFile, file, maxImportRows)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get("order_id")
		li, o, msg := parseRow(get, now)
		if msg != "" {
			rejected = append(rejected, RowError{File: file, Line: line, ID: id, Msg: msg})
			if id != "" {
				bad[id] = true
			}
			continue
		}
		if cur, ok := orders[id]; ok {
			cur.LineItems = append(cur.LineItems, li)
			continue
		}
		o.LineItems = []store.LineItem{li}
		orders[id] = &o
		order = append(order, id)
	}
	out := make([]store.Order, 0, len(order))
	for _, id := range order {
		if bad[id] {
			continue
		}
		out = append(out, *orders[id])
	}
	return out, rejected, nil
}

// parseRow validates one row; msg says what is wrong.
func parseRow(get func(string) string, now time.Time) (store.LineItem, store.Order, string) {
	var li store.LineItem
	var o store.Order
	id := get("order_id")
	switch {
	case id == "":
		return li, o, "order_id is empty"
	case len(id) > 64 || strings.ContainsAny(id, " /\\\x00"):
		return li, o, "order_id must be up to 64 characters without spaces or slashes"
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
		ID: id, Status: store.StatusAwaitingShipment, Source: "import", CreateTime: now, UpdateTime: now,
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
	Stored  int `json:"stored"`
	Skipped int `json:"skipped"`
}

// Import stores parsed orders that are not stored yet, in one write batch,
// into the same pipeline as polled orders. Orders already stored are
// skipped (importing a file twice stores it once). progress, if set, is
// called as orders are checked.
func (e *Engine) Import(ctx context.Context, orders []store.Order, progress func(done, total int)) (ImportResult, error) {
	var res ImportResult
	fresh := make([]store.Order, 0, len(orders))
	for i, o := range orders {
		if _, err := e.st.Order(ctx, o.ID); err == nil {
			res.Skipped++
		} else if !errors.Is(err, store.ErrNotFound) {
			return res, fmt.Errorf("import: check order %s: %w", o.ID, err)
		} else {
			fresh = append(fresh, o)
		}
		if progress != nil && (i%500 == 0 || i == len(orders)-1) {
			progress(i+1, len(orders))
		}
	}
	if err := e.st.BulkPut(ctx, fresh); err != nil {
		return res, fmt.Errorf("import %d orders: %w", len(fresh), err)
	}
	res.Stored = len(fresh)
	e.nudge()
	return res, nil
}
