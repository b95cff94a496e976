package store

import (
	"bytes"
	"context"
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Retention of records that only matter for a while.
const (
	sampleRetention = 48 * time.Hour
	seenRetention   = 7 * 24 * time.Hour
	pruneChunk      = 2000
	gcDiscardRatio  = 0.5
)

// runMaintenance runs value-log GC and pruning every interval until Close.
func (s *Store) runMaintenance(interval time.Duration) {
	defer close(s.maintDone)
	if interval <= 0 {
		<-s.stopMaint
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stopMaint:
			return
		case <-t.C:
			s.maintain(context.Background())
		}
	}
}

// maintain prunes old latency samples and webhook ids and reclaims
// value-log space. Failures are logged: the next tick tries again.
func (s *Store) maintain(ctx context.Context) {
	now := s.now()
	if n, err := s.pruneSamples(ctx, now.Add(-sampleRetention)); err != nil {
		s.log.Warn("store: pruning latency samples", "err", err, "pruned", n)
	}
	if n, err := s.pruneSeen(ctx, now.Add(-seenRetention)); err != nil {
		s.log.Warn("store: pruning webhook notification ids", "err", err, "pruned", n)
	}
	s.valueLogGC()
}

// valueLogGC rewrites value-log files until Badger finds nothing worth
// rewriting. ErrNoRewrite and ErrRejected are the normal ways it ends.
func (s *Store) valueLogGC() {
	if s.DiskSpace().Low {
		return // GC writes before it frees; wait for space
	}
	for !s.stopping() {
		err := s.db.RunValueLogGC(gcDiscardRatio)
		if err == nil {
			continue
		}
		if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) &&
			!errors.Is(err, badger.ErrGCInMemoryMode) {
			s.log.Warn("store: value-log GC", "err", err)
		}
		return
	}
}

func (s *Store) stopping() bool {
	select {
	case <-s.stopMaint:
		return true
	default:
		return false
	}
}

// pruneSamples deletes latency samples taken before cutoff, in chunks.
func (s *Store) pruneSamples(ctx context.Context, cutoff time.Time) (int, error) {
	cut := timeSortKey(cutoff)
	p := []byte(prefixSample)
	return s.pruneKeys(ctx, TopicLatency, func(txn *badger.Txn) [][]byte {
		var keys [][]byte
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = p
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Seek(p)
		for it.ValidForPrefix(p) && len(keys) < pruneChunk {
			k := it.Item().KeyCopy(nil)
			end := bytes.IndexByte(k[len(p):], idEnd)
			if end < 0 {
				it.Next()
				continue
			}
			end += len(p)
			if sortKeyAt(k, end+1) < cut {
				keys = append(keys, k)
				it.Next()
				continue
			}
			// The rest of this carrier is newer: jump to the next carrier.
			it.Seek(append(k[:end:end], idEnd+1))
		}
		return keys
	})
}

// pruneSeen forgets webhook notification ids seen before cutoff.
func (s *Store) pruneSeen(ctx context.Context, cutoff time.Time) (int, error) {
	cut := timeSortKey(cutoff)
	p := []byte(prefixSeenByTime)
	return s.pruneKeys(ctx, 0, func(txn *badger.Txn) [][]byte {
		var keys [][]byte
		eachKey(txn, p, 0, func(k []byte) bool {
			if sortKeyAt(k, len(p)) >= cut {
				return false
			}
			keys = append(keys, append([]byte(nil), k...), seenKey(string(k[len(p)+8:])))
			return len(keys) < pruneChunk
		})
		return keys
	})
}

// pruneKeys deletes the keys pick returns, one synced chunk at a time,
// until pick returns fewer than a chunk.
func (s *Store) pruneKeys(ctx context.Context, topic Topic, pick func(*badger.Txn) [][]byte) (int, error) {
	total := 0
	for !s.stopping() {
		var keys [][]byte
		err := s.view(ctx, func(txn *badger.Txn) error {
			keys = pick(txn)
			return nil
		})
		if err != nil || len(keys) == 0 {
			return total, err
		}
		err = s.Update(ctx, func(tx *Tx) error {
			for _, k := range keys {
				tx.del(k)
			}
			tx.topics |= topic
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(keys)
		if len(keys) < pruneChunk {
			break
		}
	}
	return total, nil
}
