package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Memory and file sizes for a small fulfillment box: Badger's defaults
// (five 64 MiB memtables, 256 MiB block cache, 1 GiB value-log files,
// tables that double in size at each level) are sized for servers and
// would dominate the process's memory. Heap profiles of the console at a
// million orders and of an import of a million rows showed what each
// costs:
//   - each memtable is an arena of the memtable's size; Badger's five
//     stay, their arenas are only touched as they fill, and with two a
//     synced write waits whenever a flush lags;
//   - every table is built in memory before it is written, in a buffer
//     Badger keeps for reuse (up to eight idle ones, Badger v4
//     db.allocPool), and a compaction builds up to eight tables at once:
//     with tables that double per level these buffers held 80 to 160 MB
//     during compactions, so every level's tables are baseTableSize;
//   - a compressed block is decompressed into memory to be read, and the
//     block cache that compression requires keeps decompressed blocks up
//     to its size: tables are written uncompressed and read straight from
//     their mapping, except by a bulk load (Options.BulkLoad), which writes
//     half the bytes compressed. zstd made a queue's first page at a
//     million orders three times slower than snappy.
//
// The pages of the mapped files are released as described at
// releaseMapped.
const (
	maxMemTableSize  = 4 << 20
	baseTableSize    = 1 << 20
	blockCacheSize   = 4 << 20 // a bulk load's; compression requires one
	valueLogFileSize = 64 << 20
	numCompactors    = 2

	defaultGCInterval = 10 * time.Minute
	writeQueueLen     = 4096
)

// Open opens (or creates) the store in dir. A directory held by another
// process gives an error wrapping ErrLocked that names the directory.
func Open(dir string, opts Options) (*Store, error) {
	if !opts.InMemory && dir == "" {
		return nil, errors.New("open store: no data directory given")
	}
	s := &Store{
		dir:        dir,
		opts:       opts,
		now:        opts.Now,
		log:        opts.Logger,
		reqs:       make(chan *writeRequest, writeQueueLen),
		writerDone: make(chan struct{}),
		stopMaint:  make(chan struct{}),
		maintDone:  make(chan struct{}),
		diskDone:   make(chan struct{}),
		prealloc:   map[string]bool{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.readsOK = sync.NewCond(&s.readMu)
	s.commitTxn = func(txn *badger.Txn) error { return txn.Commit() }
	s.feed.init()

	reserve := opts.MinFree
	if reserve == 0 {
		reserve = DefaultMinFree
	}
	if reserve < MinMinFree {
		return nil, fmt.Errorf("open store %s: the free-space reserve must be at least %s (got %s)",
			s.name(), FormatMB(MinMinFree), FormatMB(reserve))
	}
	bopts := badger.DefaultOptions("").WithInMemory(true)
	if !opts.InMemory {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
		s.disk = &diskGuard{dir: dir, reserve: reserve, free: opts.FreeSpace, now: s.now}
		if s.disk.free == nil {
			s.disk.free = freeSpace
		}
		// Badger writes while it opens (a new memtable log, flushes of the
		// logs a crash left): on a full disk that would die of SIGBUS.
		if err := s.refuseLowDisk(); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		lock, err := lockDir(dir)
		if err != nil {
			return nil, err
		}
		s.lock = lock
		if err := removeEmptyLogs(dir); err != nil {
			s.lock.release()
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
		bopts = badger.DefaultOptions(dir).WithSyncWrites(true)
		s.mapped = mappedName(dir)
	}
	bopts = bopts.
		WithMemTableSize(memTableSizeFor(reserve)).
		WithValueThreshold(valueThresholdFor(memTableSizeFor(reserve))).
		WithBlockCacheSize(0).
		WithCompression(options.None).
		WithBaseTableSize(baseTableSize).
		WithNumCompactors(numCompactors).
		WithNumVersionsToKeep(1).
		WithValueLogFileSize(valueLogFileSize).
		WithLogger(badgerLogger{s.log})
	bopts.TableSizeMultiplier = 1 // no With method in Badger v4
	if opts.BulkLoad {
		bopts = bopts.WithCompression(options.Snappy).WithBlockCacheSize(blockCacheSize)
	}

	db, err := openBadger(bopts)
	if err != nil {
		s.lock.release()
		return nil, fmt.Errorf("open store %s: %w", s.name(), err)
	}
	s.db = db
	if err := s.prepare(); err != nil {
		_ = db.Close()
		s.lock.release()
		return nil, fmt.Errorf("open store %s: %w", s.name(), err)
	}
	go s.runWriter()
	go s.runMaintenance(s.gcInterval())
	if s.disk != nil {
		s.preallocate()
		every := opts.DiskCheckEvery
		if every <= 0 {
			every = defaultDiskCheckEvery
		}
		go s.runDiskWatch(every)
	} else {
		close(s.diskDone)
	}
	return s, nil
}

// mappedName is dir as the kernel names the files mapped from it, or ""
// when that cannot be known (the pages are then left to the kernel).
func mappedName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs
}

// removeEmptyLogs deletes the zero-length memtable logs (*.mem) and value
// logs (*.vlog) a kill can leave: Badger creates such a file empty and
// only then sizes it, and deletes one by truncating it to zero before
// removing it, so a SIGKILL between the two steps leaves an empty file.
// Badger then refuses to open ("Create a new file": it only expects an
// empty file when it creates one). An empty log holds nothing: Badger
// writes a header into every log it sizes and never truncates a live one
// below it, so removing it loses no commit. The caller holds the lock.
func removeEmptyLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list database files: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".mem") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("stat database file %s: %w", name, err)
		}
		if info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove empty database file %s left by a crash: %w", name, err)
		}
	}
	return nil
}

// openBadger opens Badger, turning a panic on unreadable files into an
// error: a corrupt directory must give the operator a message, not a crash.
func openBadger(opts badger.Options) (db *badger.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("database files are corrupt or unreadable: %v", p)
		}
	}()
	db, err = badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("database files are corrupt or unreadable: %w", err)
	}
	return db, nil
}

// prepare checks the key layout version and repairs indexes and counters
// left half-written by an interrupted bulk write.
func (s *Store) prepare() error {
	var schema []byte
	var interrupted bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		schema, err = getValue(txn, []byte(keySchema))
		if err != nil {
			return err
		}
		marker, err := getValue(txn, []byte(keyBulkMarker))
		interrupted = marker != nil
		return err
	})
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	switch {
	case schema == nil:
		if err := s.writeSchema(); err != nil {
			return err
		}
	case string(schema) != schemaVersion:
		if err := s.migrate(string(schema)); err != nil {
			return err
		}
	}
	if interrupted {
		s.log.Warn("store: a bulk write was interrupted; rebuilding indexes and counters", "dir", s.dir)
		if err := s.rebuildIndexes(); err != nil {
			return fmt.Errorf("rebuild indexes after an interrupted bulk write: %w", err)
		}
	}
	return nil
}

// writeSchema records the key layout this shipdeck writes.
func (s *Store) writeSchema() error {
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(keySchema), []byte(schemaVersion))
	})
	if err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	return nil
}

func (s *Store) name() string {
	if s.opts.InMemory {
		return "(in memory)"
	}
	return s.dir
}

func (s *Store) gcInterval() time.Duration {
	switch {
	case s.opts.GCInterval < 0 || s.opts.InMemory:
		return 0
	case s.opts.GCInterval == 0:
		return defaultGCInterval
	}
	return s.opts.GCInterval
}

// Close stops the writer and the GC timer and closes Badger.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		// Maintenance first: it writes through the writer.
		close(s.stopMaint)
		<-s.maintDone
		<-s.diskDone

		// Stop accepting writes; the writer drains what is queued.
		s.sendMu.Lock()
		s.sendClosed = true
		close(s.reqs)
		s.sendMu.Unlock()
		<-s.writerDone

		s.readMu.Lock()
		s.closed = true
		for s.readers > 0 {
			s.readsOK.Wait()
		}
		s.readMu.Unlock()

		s.feed.closeAll()
		if err := s.closeBadger(); err != nil {
			s.closeErr = fmt.Errorf("close store %s: %w", s.name(), err)
		}
		s.lock.release()
	})
	return s.closeErr
}

// closeBadger closes Badger, unless the disk has no room for the table
// Badger writes on close (it flushes the memtable through a memory
// mapping, which on a full disk dies of SIGBUS). Then the store is left as
// a crash would leave it: every commit is already synced in the
// write-ahead log, and the next open replays it.
func (s *Store) closeBadger() error {
	if s.disk != nil {
		d, changed := s.disk.check()
		s.noteDisk(d, changed)
		if d.Err == "" && d.Free < uint64(memTableSizeFor(d.Reserve))+4<<20 {
			s.log.Warn("store: "+d.Reason()+"; closing without flushing (every commit is in the synced log; the next start replays it)",
				"dir", d.Dir, "free_mb", d.Free>>20)
			return nil
		}
	}
	return s.db.Close()
}

// beginRead registers a read so Close waits for it; it fails after Close.
func (s *Store) beginRead() error {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.readers++
	return nil
}

func (s *Store) endRead() {
	s.readMu.Lock()
	s.readers--
	if s.readers == 0 {
		s.readsOK.Broadcast()
	}
	s.readMu.Unlock()
}

// view runs fn in a read-only Badger transaction.
func (s *Store) view(ctx context.Context, fn func(txn *badger.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.beginRead(); err != nil {
		return err
	}
	defer s.endRead()
	return s.db.View(fn)
}

// badgerLogger routes Badger's log into the application's slog logger,
// dropping its chatty info and debug lines.
type badgerLogger struct{ l *slog.Logger }

// Errorf logs a Badger error.
func (b badgerLogger) Errorf(format string, args ...any) {
	b.l.Error(trimLog(fmt.Sprintf(format, args...)), "component", "badger")
}

// Warningf logs a Badger warning.
func (b badgerLogger) Warningf(format string, args ...any) {
	b.l.Warn(trimLog(fmt.Sprintf(format, args...)), "component", "badger")
}

// Infof drops Badger's progress chatter.
func (badgerLogger) Infof(string, ...any) {}

// Debugf drops Badger's debug lines.
func (badgerLogger) Debugf(string, ...any) {}

// trimLog drops the line break Badger ends its messages with.
func trimLog(s string) string { return strings.TrimRight(s, "\n ") }
