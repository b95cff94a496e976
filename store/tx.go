package store

import (
	"encoding/json"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Tx is a write transaction handed to Update's fn. Its writes are buffered
// until fn returns nil.
type Tx struct {
	s   *Store
	txn *badger.Txn

	// writes is the overlay: reads see it first, then the Badger
	// transaction (which holds the writes of earlier functions in the same
	// group).
	writes map[string]overlayWrite
	keys   []string
	// deltas are counter increments, added to the stored counters when the
	// overlay is applied.
	deltas map[string]int64
	topics Topic
	// decoded caches orders this transaction read or wrote, so a
	// read-modify-write decodes the stored order once. It holds the stored
	// form of every order in written.
	decoded map[string]Order
	// written lists the ids of the orders this transaction stored, in the
	// order of their first store (an id stored again is listed again), for
	// OnOrders.
	written  []string
	finished bool
}

type overlayWrite struct {
	val []byte
	del bool
}

// errTxFinished is returned by a Tx used after its function returned.
var errTxFinished = errors.New("transaction already finished")

func newTx(s *Store, txn *badger.Txn) *Tx {
	return &Tx{s: s, txn: txn, writes: map[string]overlayWrite{}, deltas: map[string]int64{}}
}

func (t *Tx) usable() error {
	if t.finished {
		return errTxFinished
	}
	return nil
}

// get reads a key through the overlay; nil, nil means absent.
func (t *Tx) get(k []byte) ([]byte, error) {
	if w, ok := t.writes[string(k)]; ok {
		if w.del {
			return nil, nil
		}
		return w.val, nil
	}
	return getValue(t.txn, k)
}

func (t *Tx) put(k, v []byte) {
	if v == nil {
		v = []byte{}
	}
	t.record(string(k), overlayWrite{val: v})
}

func (t *Tx) del(k []byte) { t.record(string(k), overlayWrite{del: true}) }

func (t *Tx) record(k string, w overlayWrite) {
	if _, ok := t.writes[k]; !ok {
		t.keys = append(t.keys, k)
	}
	t.writes[k] = w
}

func (t *Tx) add(counter []byte, delta int64) {
	if delta != 0 {
		t.deltas[string(counter)] += delta
	}
}

// applyTo writes the overlay and counter deltas into txn.
func (t *Tx) applyTo(txn *badger.Txn) error {
	if err := addCounters(txn, t.deltas, txn.Set); err != nil {
		return err
	}
	for _, k := range t.keys {
		w := t.writes[k]
		var err error
		if w.del {
			err = txn.Delete([]byte(k))
		} else {
			err = txn.Set([]byte(k), w.val)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addCounters adds deltas to the counters as txn reads them and hands each
// sum to set.
func addCounters(txn *badger.Txn, deltas map[string]int64, set func(k, v []byte) error) error {
	for k, d := range deltas {
		if d == 0 {
			continue
		}
		cur, err := getValue(txn, []byte(k))
		if err != nil {
			return err
		}
		if err := set([]byte(k), encodeInt64(decodeInt64(cur)+d)); err != nil {
			return err
		}
	}
	return nil
}

// nextSeq returns the next value of a named sequence. Sequences live in the
// same transaction as the records they number, so they never skip or
// repeat.
func (t *Tx) nextSeq(name string) (uint64, error) {
	k := seqKey(name)
	cur, err := t.get(k)
	if err != nil {
		return 0, err
	}
	n := uint64(decodeInt64(cur)) + 1
	t.put(k, u64(n))
	return n, nil
}

func (t *Tx) getJSON(k []byte, v any) (bool, error) {
	raw, err := t.get(k)
	if err != nil || raw == nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %q: %w", k, err)
	}
	return true, nil
}

func (t *Tx) putJSON(k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", k, err)
	}
	t.put(k, raw)
	return nil
}

// getValue reads a key from a Badger transaction; nil, nil means absent.
func getValue(txn *badger.Txn, k []byte) ([]byte, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", k, err)
	}
	return item.ValueCopy(nil)
}
