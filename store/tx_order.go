package store

import (
	"encoding/json"
	"fmt"
)

// Order returns an order as this transaction sees it (ErrNotFound if none).
func (t *Tx) Order(id string) (Order, error) {
	if err := t.usable(); err != nil {
		return Order{}, err
	}
	o, found, err := t.loadOrder(id)
	if err != nil {
		return Order{}, err
	}
	if !found {
		return Order{}, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return o, nil
}

// loadOrder returns the order as this transaction sees it, as a copy the
// caller may change.
func (t *Tx) loadOrder(id string) (Order, bool, error) {
	var o Order
	if !validID(id) {
		return o, false, nil
	}
	if o, ok := t.decoded[id]; ok {
		return o.Clone(), true, nil
	}
	found, err := t.getJSON(orderKey(id), &o)
	if err != nil {
		return Order{}, false, fmt.Errorf("order %s: %w", id, err)
	}
	if found {
		t.remember(o.Clone())
	}
	return o, found, nil
}

func (t *Tx) remember(o Order) {
	if t.decoded == nil {
		t.decoded = map[string]Order{}
	}
	t.decoded[o.ID] = o
}

// PutOrder stores o, bumping its Version and ChangedAt and keeping every
// index entry and counter consistent with the previously stored version.
func (t *Tx) PutOrder(o Order) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := validateOrder(&o); err != nil {
		return fmt.Errorf("put order: %w", err)
	}
	prev, found, err := t.loadOrder(o.ID)
	if err != nil {
		return fmt.Errorf("put order: %w", err)
	}
	var prevp *Order
	if found {
		prevp = &prev
	}
	stampOrder(&o, prevp, t.s.now().UTC())
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("put order %s: encode: %w", o.ID, err)
	}
	// OnOrders gets a copy that shares nothing with the caller's order.
	stored := o.Clone()
	t.put(orderKey(o.ID), raw)
	del, add := indexChanges(prevp, &stored)
	for _, k := range del {
		t.del(k)
	}
	for _, k := range add {
		t.put(k, nil)
	}
	counterDeltas(prevp, &stored, t.add)
	t.topics |= TopicOrders
	t.written = append(t.written, o.ID)
	t.remember(stored)
	return nil
}
