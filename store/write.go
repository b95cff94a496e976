package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

const (
	// maxGroup caps how many Update calls share one commit.
	maxGroup = 512
	// conflictAttempts is how often a group is tried before ErrConflict.
	conflictAttempts = 5
)

// Request states: the writer and an impatient caller race to claim a
// pending request, so a caller whose context ends either gets its write
// done or is sure it never will be.
const (
	reqPending int32 = iota
	reqTaken
	reqAbandoned
)

// writeRequest is one Update call, or one exclusive job (bulk write,
// restore) that runs on the writer alone.
type writeRequest struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	job   func() error
	state atomic.Int32
	done  chan error
}

// Update runs fn in a write transaction. fn's writes are buffered and
// applied only if fn returns nil, so an error leaves nothing behind. The
// transaction is synced to disk before Update returns. Concurrent Update
// calls may share one commit.
//
// fn may run more than once (after a write conflict, or when a group grew
// too big for one Badger transaction), so it must not have effects outside
// tx.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if fn == nil {
		return errors.New("update: nil transaction function")
	}
	return s.submit(ctx, &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// exclusive runs job on the writer goroutine with no other write in
// progress.
func (s *Store) exclusive(ctx context.Context, job func() error) error {
	return s.submit(ctx, &writeRequest{ctx: ctx, job: job, done: make(chan error, 1)})
}

func (s *Store) submit(ctx context.Context, r *writeRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enqueue(ctx, r); err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqAbandoned) {
			return ctx.Err()
		}
		return <-r.done
	}
}

func (s *Store) enqueue(ctx context.Context, r *writeRequest) error {
	s.sendMu.RLock()
	defer s.sendMu.RUnlock()
	if s.sendClosed {
		return ErrClosed
	}
	select {
	case s.reqs <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runWriter is the single writer. While one group is being synced, new
// requests queue up; the next loop takes all of them into one commit.
func (s *Store) runWriter() {
	defer close(s.writerDone)
	for r := range s.reqs {
		if r.job != nil {
			s.runJob(r)
			continue
		}
		group := []*writeRequest{r}
		var job *writeRequest
	collect:
		for len(group) < maxGroup {
			select {
			case next, ok := <-s.reqs:
				if !ok {
					break collect
				}
				if next.job != nil {
					job = next
					break collect
				}
				group = append(group, next)
			default:
				break collect
			}
		}
		s.commitGroup(group)
		if job != nil {
			s.runJob(job)
		}
	}
}

func (s *Store) runJob(r *writeRequest) {
	if !r.state.CompareAndSwap(reqPending, reqTaken) {
		return
	}
	if err := r.ctx.Err(); err != nil {
		r.done <- err
		return
	}
	if err := s.refuseLowDisk(); err != nil {
		r.done <- err
		return
	}
	r.done <- r.job()
}

// commitGroup commits a group of Update calls in as few Badger transactions
// as fit, answering each caller.
func (s *Store) commitGroup(group []*writeRequest) {
	live := group[:0]
	for _, r := range group {
		if r.state.CompareAndSwap(reqPending, reqTaken) {
			live = append(live, r)
		}
	}
	// Below the reserve nothing is written, so Badger never has to grow
	// its memory-mapped files into a disk that has no room for them.
	if len(live) > 0 {
		if err := s.refuseLowDisk(); err != nil {
			for _, r := range live {
				r.done <- err
			}
			return
		}
	}
	for len(live) > 0 {
		n := s.commitSegment(live)
		live = live[n:]
	}
}

// segment is the part of a group that fits one Badger transaction.
type segment struct {
	txn     *badger.Txn
	results []error // per consumed request; nil means "committed with txn"
	applied []*Tx
}

// commitSegment commits as many of reqs as fit one Badger transaction,
// retrying write conflicts with jitter, answers them and returns how many
// it consumed (at least one).
func (s *Store) commitSegment(reqs []*writeRequest) int {
	for attempt := 1; ; attempt++ {
		seg := s.buildSegment(reqs)
		var err error
		if len(seg.applied) > 0 {
			err = s.commitTxn(seg.txn)
		}
		seg.txn.Discard()
		if errors.Is(err, badger.ErrConflict) && attempt < conflictAttempts {
			time.Sleep(time.Duration(attempt) * time.Millisecond * time.Duration(1+rand.IntN(5)))
			continue
		}
		if errors.Is(err, badger.ErrConflict) {
			err = fmt.Errorf("commit after %d attempts: %w", attempt, ErrConflict)
		} else if err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
		s.finishSegment(reqs, seg, err)
		return len(seg.results)
	}
}

// buildSegment runs the requests' functions into one Badger transaction
// until one does not fit; that one starts the next segment.
func (s *Store) buildSegment(reqs []*writeRequest) segment {
	seg := segment{txn: s.db.NewTransaction(true)}
	for i, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			seg.results = append(seg.results, err)
			continue
		}
		tx := newTx(s, seg.txn)
		err := s.runFn(r.fn, tx)
		tx.finished = true
		if err == nil {
			// A caller that gave up while fn ran gets nothing written.
			err = r.ctx.Err()
		}
		if err != nil {
			seg.results = append(seg.results, err)
			continue
		}
		err = tx.applyTo(seg.txn)
		if err == nil {
			seg.applied = append(seg.applied, tx)
			seg.results = append(seg.results, nil)
			continue
		}
		// The failed apply may have left part of fn's writes in the Badger
		// transaction: rebuild it from the functions that did fit.
		if rerr := s.rebuildTxn(&seg); rerr != nil {
			for j := range seg.results {
				if seg.results[j] == nil {
					seg.results[j] = rerr
				}
			}
			seg.applied = nil
			seg.results = append(seg.results, rerr)
			return seg
		}
		if errors.Is(err, badger.ErrTxnTooBig) && i > 0 && len(seg.applied) > 0 {
			return seg // r runs again at the start of the next segment
		}
		if errors.Is(err, badger.ErrTxnTooBig) {
			err = fmt.Errorf("transaction writes too much for one commit: %w", err)
		}
		seg.results = append(seg.results, err)
	}
	return seg
}

// rebuildTxn replaces the segment's Badger transaction with a fresh one
// holding only the writes of the functions already applied.
func (s *Store) rebuildTxn(seg *segment) error {
	seg.txn.Discard()
	seg.txn = s.db.NewTransaction(true)
	for _, tx := range seg.applied {
		if err := tx.applyTo(seg.txn); err != nil {
			return fmt.Errorf("rebuild transaction: %w", err)
		}
	}
	return nil
}

// runFn calls fn, turning a panic into an error so that one caller's bug
// does not take the writer (and every other caller) down.
func (s *Store) runFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("store: transaction function panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("update: transaction function panicked: %v", p)
		}
	}()
	return fn(tx)
}

// finishSegment tells subscribers and OnOrders what a commit changed, then
// answers the callers.
func (s *Store) finishSegment(reqs []*writeRequest, seg segment, commitErr error) {
	if commitErr == nil && len(seg.applied) > 0 {
		var topics Topic
		var orders []Order
		seen := map[string]int{}
		for _, tx := range seg.applied {
			topics |= tx.topics
			for _, id := range tx.written {
				o := tx.decoded[id]
				if i, ok := seen[id]; ok {
					orders[i] = o
					continue
				}
				seen[id] = len(orders)
				orders = append(orders, o)
			}
		}
		s.notify(topics, orders)
	}
	for i, res := range seg.results {
		if res == nil {
			res = commitErr
		}
		reqs[i].done <- res
	}
}

// notify publishes topics to subscribers and hands stored orders to
// OnOrders.
func (s *Store) notify(topics Topic, orders []Order) {
	if len(orders) > 0 && s.opts.OnOrders != nil {
		s.opts.OnOrders(orders)
	}
	if topics != 0 {
		s.feed.publish(topics)
	}
}
