package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	badger "github.com/dgraph-io/badger/v4"
)

// Backup writes a full backup of the store to w.
//
// It is Badger's own backup stream of a consistent snapshot; writes go on
// while it runs.
func (s *Store) Backup(w io.Writer) error {
	if err := s.beginRead(); err != nil {
		return err
	}
	defer s.endRead()
	if _, err := s.db.Backup(w, 0); err != nil {
		return fmt.Errorf("backup %s: %w", s.name(), err)
	}
	return nil
}

// errNotEmpty refuses a restore that would mix two stores.
var errNotEmpty = errors.New("the store already holds data; restore needs a new, empty store")

// Restore loads a backup made by Backup into this (empty) store.
func (s *Store) Restore(r io.Reader) error {
	return s.exclusive(context.Background(), func() error {
		if err := s.checkEmpty(); err != nil {
			return fmt.Errorf("restore into %s: %w", s.name(), err)
		}
		if err := s.db.Load(r, 256); err != nil {
			return fmt.Errorf("restore into %s: %w", s.name(), err)
		}
		if err := s.db.Sync(); err != nil {
			return fmt.Errorf("restore into %s: sync: %w", s.name(), err)
		}
		if err := s.prepare(); err != nil {
			return fmt.Errorf("restore into %s: %w", s.name(), err)
		}
		s.notifyRestored()
		return nil
	})
}

// checkEmpty fails if the store holds anything but its schema key.
func (s *Store) checkEmpty() error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if string(it.Item().Key()) != keySchema {
				return errNotEmpty
			}
		}
		return nil
	})
}

// notifyRestored tells subscribers everything changed and hands every
// restored order to OnOrders.
func (s *Store) notifyRestored() {
	if s.opts.OnOrders != nil {
		chunk := make([]Order, 0, bulkChunk)
		err := s.db.View(func(txn *badger.Txn) error {
			return eachValue(txn, []byte(prefixOrder), func(_, v []byte) error {
				var o Order
				if err := json.Unmarshal(v, &o); err != nil {
					return err
				}
				chunk = append(chunk, o)
				if len(chunk) == bulkChunk {
					s.opts.OnOrders(chunk)
					chunk = make([]Order, 0, bulkChunk)
				}
				return nil
			})
		})
		if err != nil {
			s.log.Warn("store: reading restored orders for the change hook", "err", err)
		}
		if len(chunk) > 0 {
			s.opts.OnOrders(chunk)
		}
	}
	s.feed.publish(TopicAll)
}
