package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Order returns one order.
func (s *Store) Order(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		o, err = readOrder(txn, id)
		return err
	})
	return o, err
}

func readOrder(txn *badger.Txn, id string) (Order, error) {
	var o Order
	if !validID(id) {
		return o, fmt.Errorf("order %q: %w", id, ErrNotFound)
	}
	raw, err := getValue(txn, orderKey(id))
	if err != nil {
		return o, fmt.Errorf("order %s: %w", id, err)
	}
	if raw == nil {
		return o, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("order %s: decode: %w", id, err)
	}
	return o, nil
}

// OrderDetail returns one order with its attempts, oldest first, and the
// audit entries that name it.
func (s *Store) OrderDetail(ctx context.Context, id string) (Order, []Attempt, []AuditEntry, error) {
	var (
		o        Order
		attempts []Attempt
		audit    []AuditEntry
	)
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		if o, err = readOrder(txn, id); err != nil {
			return err
		}
		err = eachValue(txn, idPrefix(prefixAttempt, id), func(_, v []byte) error {
			var a Attempt
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("attempt of %s: decode: %w", id, err)
			}
			attempts = append(attempts, a)
			return nil
		})
		if err != nil {
			return err
		}
		var seqs [][]byte
		p := idPrefix(prefixAuditByOrder, id)
		eachKey(txn, p, 0, func(k []byte) bool {
			seqs = append(seqs, append([]byte(nil), k[len(p):]...))
			return true
		})
		for _, seq := range seqs {
			raw, err := getValue(txn, key(prefixAudit, string(seq)))
			if err != nil || raw == nil {
				continue // index entry without its record: skip rather than fail the view
			}
			var e AuditEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("audit of %s: decode: %w", id, err)
			}
			audit = append(audit, e)
		}
		return nil
	})
	if err != nil {
		return Order{}, nil, nil, err
	}
	return o, attempts, audit, nil
}

// Queue returns a page of orders in one local state sorted by ship-by
// deadline (earliest first), skipping offset orders.
func (s *Store) Queue(ctx context.Context, state State, offset, limit int) ([]Order, error) {
	p := queuePrefix(state)
	page, err := s.indexPage(ctx, p, p, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("queue %s: %w", state, err)
	}
	return page, nil
}

// QueueAfter returns up to limit orders in one local state sorted by
// ship-by deadline, starting right after the order after, which is the last
// order of the previous page as that page returned it (the zero Order starts
// at the beginning). Unlike an offset, the position holds while orders join
// and leave the queue between pages, and reading page n costs the same as
// reading page 1, so loops that work through a whole queue page by page use
// it.
func (s *Store) QueueAfter(ctx context.Context, state State, after Order, limit int) ([]Order, error) {
	p := queuePrefix(state)
	seek := p
	if after.ID != "" {
		// The smallest key after after's own entry.
		seek = append(queueKey(state, shipBySortKey(&after), after.ID), 0)
	}
	page, err := s.indexPage(ctx, p, seek, 0, limit)
	if err != nil {
		return nil, fmt.Errorf("queue %s after %s: %w", state, after.ID, err)
	}
	return page, nil
}

// QueueByStatus returns a page of orders with one marketplace status sorted
// by ship-by deadline.
func (s *Store) QueueByStatus(ctx context.Context, status MarketStatus, offset, limit int) ([]Order, error) {
	p := statusPrefix(NormalizeStatus(string(status)))
	page, err := s.indexPage(ctx, p, p, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("status queue %s: %w", status, err)
	}
	return page, nil
}

// Failed returns a page of failed and dead orders sorted by next retry;
// dead orders (no next retry: they wait for an operator) come first.
func (s *Store) Failed(ctx context.Context, offset, limit int) ([]Order, error) {
	p := []byte(prefixFailed)
	page, err := s.indexPage(ctx, p, p, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("failed orders: %w", err)
	}
	return page, nil
}

// Due returns up to limit orders whose next attempt is at or before now,
// earliest first: failed orders to retry, and new orders whose
// buyer-remorse window has ended.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]Order, error) {
	if limit <= 0 {
		return nil, nil
	}
	p := []byte(prefixDue)
	cutoff := timeSortKey(now)
	var out []Order
	err := s.view(ctx, func(txn *badger.Txn) error {
		var ids []string
		eachKey(txn, p, 0, func(k []byte) bool {
			if sortKeyAt(k, len(p)) > cutoff {
				return false
			}
			ids = append(ids, idAfterSortKey(k, len(p)))
			return len(ids) < limit
		})
		var err error
		out, err = readOrders(txn, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due orders: %w", err)
	}
	return out, nil
}

// indexPage reads one page of an index whose keys are <prefix><8B>/<id>: a
// key-only walk from seek skips offset entries, then the page's orders are
// read by id.
func (s *Store) indexPage(ctx context.Context, prefix, seek []byte, offset, limit int) ([]Order, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []Order
	err := s.view(ctx, func(txn *badger.Txn) error {
		ids := make([]string, 0, limit)
		eachKeyFrom(txn, prefix, seek, max(offset, 0), func(k []byte) bool {
			ids = append(ids, idAfterSortKey(k, len(prefix)))
			return len(ids) < limit
		})
		var err error
		out, err = readOrders(txn, ids)
		return err
	})
	return out, err
}

// readOrders reads orders by id, skipping any whose record is missing (an
// index entry never outlives its order, but a page must not fail on one).
func readOrders(txn *badger.Txn, ids []string) ([]Order, error) {
	out := make([]Order, 0, len(ids))
	for _, id := range ids {
		o, err := readOrder(txn, id)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// ScanOrders calls fn for every order in id order until fn returns false.
// It reads every order: use it for exports and search indexes, never on a
// per-frame path.
func (s *Store) ScanOrders(ctx context.Context, fn func(Order) bool) error {
	pages := s.longRead()
	defer pages.done()
	return s.view(ctx, func(txn *badger.Txn) error {
		err := eachValue(txn, []byte(prefixOrder), func(k, v []byte) error {
			var o Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("scan orders: decode %s: %w", k[len(prefixOrder):], err)
			}
			pages.read()
			if !fn(o) {
				return errStopScan
			}
			return ctx.Err()
		})
		if errors.Is(err, errStopScan) {
			return nil
		}
		return err
	})
}

// eachKey walks the keys under prefix with a key-only iterator, skipping
// the first skip keys, until fn returns false.
func eachKey(txn *badger.Txn, prefix []byte, skip int, fn func(k []byte) bool) {
	eachKeyFrom(txn, prefix, prefix, skip, fn)
}

// eachKeyFrom is eachKey starting at the first key at or after seek.
func eachKeyFrom(txn *badger.Txn, prefix, seek []byte, skip int, fn func(k []byte) bool) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		if skip > 0 {
			skip--
			continue
		}
		if !fn(it.Item().Key()) {
			return
		}
	}
}

// eachValue walks the keys and values under prefix until fn returns an
// error. The slices are only valid during the call.
func eachValue(txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		err := item.Value(func(v []byte) error { return fn(item.Key(), v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// eachValueFrom walks keys and values from seek while they start with
// prefix, until fn returns false or an error.
func eachValueFrom(txn *badger.Txn, prefix, seek []byte, reverse bool, fn func(k, v []byte) (bool, error)) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	opts.Reverse = reverse
	opts.PrefetchSize = 16
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		var more bool
		err := item.Value(func(v []byte) error {
			var err error
			more, err = fn(item.Key(), v)
			return err
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// errStopScan ends a scan early when the caller's function says so.
var errStopScan = errors.New("scan stopped")

// OrdersCreatedSince calls fn for every order created at or after since,
// oldest first, until fn returns false. It reads the by-creation index, so
// its cost follows the window, not the store's size.
func (s *Store) OrdersCreatedSince(ctx context.Context, since time.Time, fn func(Order) bool) error {
	prefix := []byte(prefixCreated)
	seek := key(prefixCreated, string(u64(timeSortKey(since))))
	pages := s.longRead()
	defer pages.done()
	return s.view(ctx, func(txn *badger.Txn) error {
		var ids []string
		const batch = 256
		flush := func() (bool, error) {
			orders, err := readOrders(txn, ids)
			ids = ids[:0]
			if err != nil {
				return false, err
			}
			for _, o := range orders {
				pages.read()
				if !fn(o) {
					return false, nil
				}
			}
			return true, ctx.Err()
		}
		more := true
		var ferr error
		eachKeyFrom(txn, prefix, seek, 0, func(k []byte) bool {
			ids = append(ids, idAfterSortKey(k, len(prefix)))
			if len(ids) < batch {
				return true
			}
			more, ferr = flush()
			return more && ferr == nil
		})
		if ferr != nil || !more {
			return ferr
		}
		_, ferr = flush()
		return ferr
	})
}

// longRead counts the orders a read that may cover much of the store has
// read, and lets go of the store's mapped pages every scanReleaseEvery
// orders and at its end (see releaseMapped), so one pass over a million
// orders does not leave the whole store resident. While one runs the disk
// watch allows more (longReadBudget): releasing at the usual budget it
// dropped pages the read had only just read ahead, and the table indexes
// every lookup needs, and a full scan of a million orders took three
// times as long. A short read leaves the pages it touched: they are the
// ones the next read wants.
type longRead struct {
	s *Store
	n int
}

func (s *Store) longRead() *longRead {
	s.longReads.Add(1)
	return &longRead{s: s}
}

// read counts one order read.
func (r *longRead) read() {
	if r.n++; r.n%scanReleaseEvery == 0 {
		releaseMapped(r.s.mapped)
	}
}

// done ends the read.
func (r *longRead) done() {
	r.s.longReads.Add(-1)
	if r.n >= scanReleaseEvery/4 {
		releaseMapped(r.s.mapped)
	}
}
