package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"
)

// Topic is a bit set naming what changed, for the change feed.
type Topic uint32

// Topics of the change feed.
const (
	TopicOrders Topic = 1 << iota
	TopicQuota
	TopicLatency
	TopicAudit
	TopicCursor
	// TopicAll matches every topic.
	TopicAll Topic = 1<<iota - 1
)

// ErrNotFound is returned when an order (or other record) does not exist.
var ErrNotFound = errors.New("not found")

// ErrLocked is returned (wrapped, naming the directory) when another process
// holds the data directory.
var ErrLocked = errors.New("data directory is in use by another shipdeck process")

// ErrQuotaExhausted is returned by ReserveQuota when the day's budget (or
// the part of it the caller may use) is spent.
var ErrQuotaExhausted = errors.New("quota exhausted")

// Options tunes a Store. The zero value is sensible.
type Options struct {
	// Logger receives Badger's own log (at warning level and above) and the
	// store's. nil discards it; it never goes to the terminal.
	Logger *slog.Logger
	// GCInterval is how often value-log GC runs (default 10 minutes;
	// negative disables it).
	GCInterval time.Duration
	// Now is the clock used for audit and change timestamps (default
	// time.Now).
	Now func() time.Time
	// InMemory opens a store without a directory, for short-lived tools.
	InMemory bool
}

// Store is shipdeck's embedded database. All writes go through one writer
// goroutine that group-commits concurrent transactions into one synced
// Badger commit, so callers never see ErrConflict between their own writes.
type Store struct {
	impl
}

// Open opens (or creates) the store in dir. A directory held by another
// process gives an error wrapping ErrLocked that names the directory.
func Open(dir string, opts Options) (*Store, error) { return open(dir, opts) }

// Close stops the writer and the GC timer and closes Badger.
func (s *Store) Close() error { return s.close() }

// Update runs fn in a write transaction. fn's writes are buffered and
// applied only if fn returns nil, so an error leaves nothing behind. The
// transaction is synced to disk before Update returns. Concurrent Update
// calls may share one commit.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error { return s.update(ctx, fn) }

// Subscribe returns a channel that receives the topics that changed since
// the last receive, coalesced (it never blocks the writer), and a cancel
// function that closes it.
func (s *Store) Subscribe(topics Topic) (<-chan Topic, func()) { return s.subscribe(topics) }

// Order returns one order.
func (s *Store) Order(ctx context.Context, id string) (Order, error) { return s.order(ctx, id) }

// OrderDetail returns one order with its attempts, oldest first, and the
// audit entries that name it.
func (s *Store) OrderDetail(ctx context.Context, id string) (Order, []Attempt, []AuditEntry, error) {
	return s.orderDetail(ctx, id)
}

// Counts returns the number of orders per local state and marketplace
// status from counters, in constant time.
func (s *Store) Counts(ctx context.Context) (Counts, error) { return s.counts(ctx) }

// Queue returns a page of orders in one local state sorted by ship-by
// deadline (earliest first), skipping offset orders.
func (s *Store) Queue(ctx context.Context, state State, offset, limit int) ([]Order, error) {
	return s.queue(ctx, state, offset, limit)
}

// QueueByStatus returns a page of orders with one marketplace status sorted
// by ship-by deadline.
func (s *Store) QueueByStatus(ctx context.Context, status MarketStatus, offset, limit int) ([]Order, error) {
	return s.queueByStatus(ctx, status, offset, limit)
}

// Failed returns a page of failed and dead orders sorted by next retry;
// dead orders (no next retry: they wait for an operator) come first.
func (s *Store) Failed(ctx context.Context, offset, limit int) ([]Order, error) {
	return s.failed(ctx, offset, limit)
}

// Due returns up to limit failed orders whose next attempt is at or before
// now, earliest first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]Order, error) {
	return s.due(ctx, now, limit)
}

// Audit returns the last n audit entries, newest first.
func (s *Store) Audit(ctx context.Context, n int) ([]AuditEntry, error) { return s.audit(ctx, n) }

// Samples returns one carrier's latency samples in [since, until), oldest
// first.
func (s *Store) Samples(ctx context.Context, carrier string, since, until time.Time) ([]LatencySample, error) {
	return s.samples(ctx, carrier, since, until)
}

// Quota returns the ledger of one quota day (an empty ledger if none).
func (s *Store) Quota(ctx context.Context, day string) (QuotaDay, error) { return s.quota(ctx, day) }

// Cursor returns the poller's cursor (zero if none).
func (s *Store) Cursor(ctx context.Context) (Cursor, error) { return s.cursor(ctx) }

// ArrivalProfile returns the number of orders created per hour of day (UTC
// hour index 0..23) over the last days days, from per-hour counters.
func (s *Store) ArrivalProfile(ctx context.Context, now time.Time, days int) ([24]int64, error) {
	return s.arrivalProfile(ctx, now, days)
}

// ScanOrders calls fn for every order in id order until fn returns false.
// It reads every order: use it for exports and search indexes, never on a
// per-frame path.
func (s *Store) ScanOrders(ctx context.Context, fn func(Order) bool) error {
	return s.scanOrders(ctx, fn)
}

// BulkPut stores many new or replaced orders with Badger's write batch,
// keeping indexes and counters right, without per-order fsync. It is for
// imports and seeding; the batch is synced once at the end.
func (s *Store) BulkPut(ctx context.Context, orders []Order) error { return s.bulkPut(ctx, orders) }

// Backup writes a full backup of the store to w.
func (s *Store) Backup(w io.Writer) error { return s.backup(w) }

// Restore loads a backup made by Backup into this (empty) store.
func (s *Store) Restore(r io.Reader) error { return s.restore(r) }

// Tx is a write transaction handed to Update's fn. Its writes are buffered
// until fn returns nil.
type Tx struct {
	txImpl
}

// Order returns an order as this transaction sees it (ErrNotFound if none).
func (t *Tx) Order(id string) (Order, error) { return t.order(id) }

// PutOrder stores o, bumping its Version and ChangedAt and keeping every
// index entry and counter consistent with the previously stored version.
func (t *Tx) PutOrder(o Order) error { return t.putOrder(o) }

// AddAttempt appends an attempt to an order's history (Seq is assigned).
func (t *Tx) AddAttempt(a Attempt) error { return t.addAttempt(a) }

// AddAudit appends an audit entry (Seq and, if zero, At are assigned).
func (t *Tx) AddAudit(e AuditEntry) error { return t.addAudit(e) }

// AddSample records a carrier latency sample.
func (t *Tx) AddSample(s LatencySample) error { return t.addSample(s) }

// ReserveQuota reserves n calls of kind on day against limit. It fails with
// ErrQuotaExhausted, writing nothing, when the day's total would exceed
// allowed (the part of limit the caller may spend; allowed <= limit).
func (t *Tx) ReserveQuota(day string, kind CallKind, n, limit, allowed int) (QuotaDay, error) {
	return t.reserveQuota(day, kind, n, limit, allowed)
}

// NoteRateLimited counts a rate-limit reply on day.
func (t *Tx) NoteRateLimited(day string, at time.Time) error { return t.noteRateLimited(day, at) }

// SetCursor stores the poller's cursor.
func (t *Tx) SetCursor(c Cursor) error { return t.setCursor(c) }

// SeenNotification records a webhook notification id and reports whether
// it had been seen before (for dedup).
func (t *Tx) SeenNotification(id string, at time.Time) (bool, error) {
	return t.seenNotification(id, at)
}
