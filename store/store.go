package store

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
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
	// TopicDisk: the data directory's disk went low or recovered.
	TopicDisk
	TopicAlerts
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

// ErrClosed is returned by every call made after Close.
var ErrClosed = errors.New("store is closed")

// ErrConflict is returned (wrapped) by Update when Badger kept reporting a
// write conflict after several retries. With one writer it means something
// else wrote to the database at the same time; the caller may retry later.
var ErrConflict = errors.New("write conflict persisted after retries")

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
	// BulkLoad opens the store for a bulk load (shipdeck import): the
	// tables it writes are snappy-compressed, half the bytes to write, which
	// keeps an import of a million rows at 30,000 rows/s instead of 26,000.
	// Otherwise tables are written uncompressed and read straight from their
	// mapping: reading a compressed block means decompressing it into
	// memory (and compression needs a block cache of decompressed blocks),
	// which a long-running console pays for on every read. A store holds
	// both kinds; Badger records each table's compression in its manifest,
	// reads each by its own, and compactions rewrite them the current way.
	BulkLoad bool
	// OnOrders, if set, is called by the writer after every commit with the
	// orders that commit stored (their stored form, each once). It runs on
	// the writer goroutine, so it must return quickly and must not call
	// Update; it exists to keep in-memory indexes (search) current without
	// rescanning the store.
	OnOrders func(changed []Order)
	// MinFree is the free space kept in reserve on the data directory's
	// filesystem (default DefaultMinFree, at least MinMinFree): below it
	// Open and every write are refused with a *DiskFullError. Badger's
	// memtable is sized from it (a quarter, 4 to 16 MiB).
	MinFree uint64
	// FreeSpace reports the bytes available on dir's filesystem (default
	// statfs); tests replace it to simulate a full disk.
	FreeSpace func(dir string) (uint64, error)
	// DiskCheckEvery is how often free space is read while nothing writes
	// (default 1 s); every commit reads it too.
	DiskCheckEvery time.Duration
}

// Store is shipdeck's embedded database. All writes go through one writer
// goroutine that group-commits concurrent transactions into one synced
// Badger commit, so callers never see ErrConflict between their own writes.
type Store struct {
	db  *badger.DB
	dir string
	// mapped is dir as /proc/self/maps names it (absolute, links
	// resolved), or empty for an in-memory store; see releaseMapped.
	mapped string
	// longReads counts the long reads in progress (see longRead).
	longReads atomic.Int32
	opts      Options
	now       func() time.Time
	log       *slog.Logger
	lock      *dirLock

	// sendMu guards closing reqs against concurrent sends.
	sendMu     sync.RWMutex
	sendClosed bool
	reqs       chan *writeRequest
	writerDone chan struct{}

	// readers counts reads in progress so Close can wait for them before
	// closing Badger.
	readMu  sync.Mutex
	readers int
	closed  bool
	readsOK *sync.Cond

	stopMaint chan struct{}
	maintDone chan struct{}

	// disk is nil for an in-memory store.
	disk     *diskGuard
	diskDone chan struct{}
	// prealloc names the Badger files already given real blocks.
	preMu    sync.Mutex
	prealloc map[string]bool

	feed feed

	// commitTxn commits one group's Badger transaction; tests replace it
	// to inject conflicts.
	commitTxn func(*badger.Txn) error

	closeOnce sync.Once
	closeErr  error
}
