package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// bulkChunk is how many orders BulkPut processes between context checks
// and hands to OnOrders at a time.
const bulkChunk = 4096

// BulkPut stores many new or replaced orders with Badger's write batch,
// keeping indexes and counters right, without per-order fsync. It is for
// imports and seeding; the batch is synced once at the end.
//
// When an id appears more than once the last one wins. If ctx ends midway,
// the orders written so far stay (with their counters) and the error says
// how many were written.
func (s *Store) BulkPut(ctx context.Context, orders []Order) error {
	_, err := s.bulk(ctx, orders, false)
	return err
}

// BulkAdd is BulkPut for orders that must be stored once: an order whose id
// is already stored is skipped, not replaced. It returns how many orders it
// stored. An import calls it batch by batch, so an interrupted import run
// again stores what is missing and nothing twice.
func (s *Store) BulkAdd(ctx context.Context, orders []Order) (int, error) {
	return s.bulk(ctx, orders, true)
}

func (s *Store) bulk(ctx context.Context, orders []Order, keepStored bool) (int, error) {
	if len(orders) == 0 {
		return 0, nil
	}
	last := make(map[string]int, len(orders))
	for i := range orders {
		if err := validateOrder(&orders[i]); err != nil {
			return 0, fmt.Errorf("bulk put: row %d: %w", i+1, err)
		}
		last[orders[i].ID] = i
	}
	var written int
	err := s.exclusive(ctx, func() error {
		var err error
		written, err = s.bulkWrite(ctx, orders, last, keepStored)
		return err
	})
	// A bulk write goes through Badger's mapped logs and tables; an
	// import of a million orders would otherwise keep all it wrote
	// resident (see releaseMapped).
	releaseMapped(s.mapped)
	return written, err
}

// bulkStamp remembers what the store set on one order, so OnOrders can get
// the stored form without keeping a second copy of every order.
type bulkStamp struct {
	idx      int
	version  uint64
	storedAt time.Time
}

// bulkWrite runs on the writer and returns how many orders it wrote. A
// marker key is synced first and removed last: if the process dies in
// between, the next Open rebuilds indexes and counters from the orders.
// With keepStored, orders already stored are skipped.
func (s *Store) bulkWrite(ctx context.Context, orders []Order, last map[string]int, keepStored bool) (int, error) {
	if err := s.setBulkMarker(true); err != nil {
		return 0, fmt.Errorf("bulk put: %w", err)
	}
	rtxn := s.db.NewTransaction(false)
	defer rtxn.Discard()
	total, err := getValue(rtxn, []byte(keyTotal))
	if err != nil {
		return 0, fmt.Errorf("bulk put: %w", err)
	}
	// An empty store needs no look-up of previous versions.
	empty := decodeInt64(total) == 0

	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	deltas := map[string]int64{}
	addDelta := func(k []byte, d int64) { deltas[string(k)] += d }
	now := s.now().UTC()
	var stamps []bulkStamp
	written := 0
	var stopErr error
	for i := range orders {
		if last[orders[i].ID] != i {
			continue
		}
		if written%bulkChunk == 0 {
			if err := ctx.Err(); err != nil {
				stopErr = err
				break
			}
		}
		o := orders[i]
		var prevp *Order
		if !empty && keepStored {
			_, err := rtxn.Get(orderKey(o.ID))
			if err == nil {
				continue
			}
			if !errors.Is(err, badger.ErrKeyNotFound) {
				stopErr = fmt.Errorf("order %s: %w", o.ID, err)
				break
			}
		} else if !empty {
			prev, err := readOrder(rtxn, o.ID)
			switch {
			case err == nil:
				prevp = &prev
			case !isNotFound(err):
				stopErr = err
			}
			if stopErr != nil {
				break
			}
		}
		stampOrder(&o, prevp, now)
		if err := s.bulkSetOrder(wb, prevp, &o); err != nil {
			stopErr = err
			break
		}
		counterDeltas(prevp, &o, addDelta)
		if s.opts.OnOrders != nil {
			stamps = append(stamps, bulkStamp{idx: i, version: o.Version, storedAt: o.StoredAt})
		}
		written++
	}
	if err := addCounters(rtxn, deltas, wb.Set); err != nil {
		return 0, fmt.Errorf("bulk put: counters: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return 0, fmt.Errorf("bulk put: write batch: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return 0, fmt.Errorf("bulk put: sync: %w", err)
	}
	if err := s.setBulkMarker(false); err != nil {
		return 0, fmt.Errorf("bulk put: %w", err)
	}
	s.notifyBulk(orders, stamps, now)
	if stopErr != nil {
		return written, fmt.Errorf("bulk put: stopped after %d of %d orders: %w", written, len(last), stopErr)
	}
	return written, nil
}

func (s *Store) bulkSetOrder(wb *badger.WriteBatch, prev, o *Order) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode order %s: %w", o.ID, err)
	}
	if err := wb.Set(orderKey(o.ID), raw); err != nil {
		return fmt.Errorf("write order %s: %w", o.ID, err)
	}
	del, add := indexChanges(prev, o)
	for _, k := range del {
		if err := wb.Delete(k); err != nil {
			return fmt.Errorf("index order %s: %w", o.ID, err)
		}
	}
	for _, k := range add {
		if err := wb.Set(k, []byte{}); err != nil {
			return fmt.Errorf("index order %s: %w", o.ID, err)
		}
	}
	return nil
}

// notifyBulk publishes the change and hands the stored orders to OnOrders
// in chunks.
func (s *Store) notifyBulk(orders []Order, stamps []bulkStamp, now time.Time) {
	for len(stamps) > 0 {
		n := min(len(stamps), bulkChunk)
		chunk := make([]Order, n)
		for j, st := range stamps[:n] {
			o := orders[st.idx].Clone()
			o.Version, o.StoredAt, o.ChangedAt = st.version, st.storedAt, now
			chunk[j] = o
		}
		s.opts.OnOrders(chunk)
		stamps = stamps[n:]
	}
	s.feed.publish(TopicOrders)
}

func (s *Store) setBulkMarker(on bool) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		if on {
			return txn.Set([]byte(keyBulkMarker), []byte(s.now().UTC().Format(time.RFC3339)))
		}
		return txn.Delete([]byte(keyBulkMarker))
	})
	if err != nil {
		return fmt.Errorf("bulk marker: %w", err)
	}
	return nil
}

// rebuildIndexes drops every index and counter and derives them again from
// the stored orders. It runs at Open after an interrupted bulk write, before
// the writer starts.
func (s *Store) rebuildIndexes() error {
	prefixes := [][]byte{[]byte(prefixQueue), []byte(prefixStatus), []byte(prefixFailed),
		[]byte(prefixDue), []byte(prefixCreated), []byte(prefixCounter), []byte(prefixHour)}
	if err := s.db.DropPrefix(prefixes...); err != nil {
		return fmt.Errorf("drop indexes: %w", err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	deltas := map[string]int64{}
	addDelta := func(k []byte, d int64) { deltas[string(k)] += d }
	err := s.db.View(func(txn *badger.Txn) error {
		return eachValue(txn, []byte(prefixOrder), func(k, v []byte) error {
			var o Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decode order %s: %w", k[len(prefixOrder):], err)
			}
			for _, ik := range orderIndexKeys(&o) {
				if err := wb.Set(ik, []byte{}); err != nil {
					return err
				}
			}
			counterDeltas(nil, &o, addDelta)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for k, d := range deltas {
		if err := wb.Set([]byte(k), encodeInt64(d)); err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("write indexes: %w", err)
	}
	return s.setBulkMarker(false)
}
