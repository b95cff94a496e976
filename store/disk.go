package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMinFree is the free space the store keeps in reserve on its
// filesystem unless Options.MinFree says otherwise.
const DefaultMinFree = 64 << 20

// MinMinFree is the smallest reserve that still covers Badger's own files:
// the memtable (sized from the reserve, at least 4 MiB) needs twice its
// size for its write-ahead log and once more to flush to a table.
const MinMinFree = 16 << 20

const defaultDiskCheckEvery = time.Second

// scanReleaseEvery is how many orders a long read reads between two
// releases of the store's mapped pages (see releaseMapped). The disk watch
// also releases them whenever the process's file-backed resident memory
// has grown by more than mappedBudget since the store opened when it looks,
// every pageCheckEvery: a compaction writes and reads tables through their
// mappings at a hundred megabytes a second or more. While a long read runs
// (see longRead) the budget is longReadBudget.
const (
	scanReleaseEvery = 65_536
	mappedBudget     = 8 << 20
	longReadBudget   = 48 << 20
	pageCheckEvery   = 100 * time.Millisecond
)

// ErrDiskFull is matched (errors.Is) by every write refused, and every
// open refused, because the data directory's filesystem has less free
// space than the reserve. The error itself is a *DiskFullError.
var ErrDiskFull = errors.New("disk almost full")

// DiskFullError says how little space is left, and where.
type DiskFullError struct {
	Dir     string
	Free    uint64
	Reserve uint64
}

// Error reads "disk almost full: 3 MB free on /data (shipdeck stops
// writing below 64 MB)".
func (e *DiskFullError) Error() string {
	return fmt.Sprintf("disk almost full: %s free on %s (shipdeck stops writing below %s)",
		FormatMB(e.Free), e.Dir, FormatMB(e.Reserve))
}

// Is makes errors.Is(err, ErrDiskFull) true.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

// FormatMB prints a byte count in whole megabytes (MiB), the unit of the
// disk messages.
func FormatMB(n uint64) string { return fmt.Sprintf("%d MB", n>>20) }

// DiskSpace is the store's last reading of free space on the data
// directory's filesystem.
type DiskSpace struct {
	// Dir is the data directory.
	Dir string `json:"dir"`
	// Free is the space available to shipdeck, in bytes.
	Free uint64 `json:"free"`
	// Reserve is the configured minimum (Options.MinFree).
	Reserve uint64 `json:"reserve"`
	// Low is true while Free is below Reserve: writes are refused.
	Low bool `json:"low"`
	// CheckedAt is when the reading was taken (zero for an in-memory
	// store, which has no disk to watch).
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Err is why the reading failed, if it did; the store then keeps
	// writing (a filesystem that cannot report its space is not full).
	Err string `json:"err,omitempty"`
}

// Reason is the operator-facing sentence for a low disk ("disk almost
// full: 3 MB free on /data"), or "" when the disk is fine.
func (d DiskSpace) Reason() string {
	if !d.Low {
		return ""
	}
	return fmt.Sprintf("disk almost full: %s free on %s", FormatMB(d.Free), d.Dir)
}

// diskGuard watches free space on the store's filesystem.
type diskGuard struct {
	dir     string
	reserve uint64
	free    func(dir string) (uint64, error)
	now     func() time.Time
	last    atomic.Pointer[DiskSpace]

	// mu serializes readings so a transition is logged once.
	mu sync.Mutex
}

// check takes a fresh reading and stores it; it reports the reading and
// whether Low changed.
func (g *diskGuard) check() (DiskSpace, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := DiskSpace{Dir: g.dir, Reserve: g.reserve, CheckedAt: g.now()}
	free, err := g.free(g.dir)
	if err != nil {
		d.Err = err.Error()
	} else {
		d.Free = free
		d.Low = free < g.reserve
	}
	prev := g.last.Swap(&d)
	changed := prev == nil && d.Low || prev != nil && prev.Low != d.Low
	return d, changed
}

// refuseLowDisk takes a fresh reading and returns a *DiskFullError when
// it is below the reserve, nil otherwise (and always for an in-memory
// store).
func (s *Store) refuseLowDisk() error {
	if s.disk == nil {
		return nil
	}
	d, changed := s.disk.check()
	s.noteDisk(d, changed)
	if d.Low {
		return &DiskFullError{Dir: d.Dir, Free: d.Free, Reserve: d.Reserve}
	}
	return nil
}

// noteDisk logs a change of the disk state and tells subscribers.
func (s *Store) noteDisk(d DiskSpace, changed bool) {
	if !changed {
		return
	}
	if d.Low {
		s.log.Warn("store: "+d.Reason()+"; writes refused until space is freed",
			"dir", d.Dir, "free_mb", d.Free>>20, "reserve_mb", d.Reserve>>20)
	} else {
		s.log.Info("store: disk space is back; writes resume", "dir", d.Dir, "free_mb", d.Free>>20)
	}
	s.feed.publish(TopicDisk)
}

// DiskSpace is the last reading of free space on the data directory's
// filesystem (taken every second, and before every commit). The worker
// degrades while it is Low; status endpoints and alerts read it too.
func (s *Store) DiskSpace() DiskSpace {
	if s.disk == nil {
		return DiskSpace{Dir: s.name()}
	}
	if d := s.disk.last.Load(); d != nil {
		return *d
	}
	d, _ := s.disk.check()
	return d
}

// runDiskWatch refreshes the disk reading every interval until Close, so a
// low disk is noticed while nothing writes and its end is noticed without
// a write, and preallocates Badger's new memory-mapped files.
func (s *Store) runDiskWatch(interval time.Duration) {
	defer close(s.diskDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	pages := time.NewTicker(pageCheckEvery)
	defer pages.Stop()
	// The executable's pages count in RssFile too and are never released:
	// the budget is for what the store adds to what the process held when
	// its watch started.
	base := rssFile()
	for {
		select {
		case <-s.stopMaint:
			return
		case <-t.C:
			d, changed := s.disk.check()
			s.noteDisk(d, changed)
			if !d.Low {
				s.preallocate()
			}
		case <-pages.C:
			budget := uint64(mappedBudget)
			if s.longReads.Load() > 0 {
				budget = longReadBudget
			}
			if rss := rssFile(); rss > base+budget {
				releaseMapped(s.mapped)
			}
		}
	}
}

// memTableSizeFor sizes Badger's memtable so that what Badger may still
// write into its memory-mapped files after the store stops writing (the
// rest of a write-ahead log of twice the memtable, and a flush of one
// memtable) fits in the reserve.
func memTableSizeFor(reserve uint64) int64 {
	return min(max(int64(reserve/4), 4<<20), maxMemTableSize)
}

// valueThresholdFor keeps Badger's default value threshold (1 MiB) unless
// the memtable is too small for it: Badger refuses to open when the
// threshold exceeds its largest batch (15% of the memtable).
func valueThresholdFor(memTable int64) int64 {
	return min(1<<20, memTable*15/100/2)
}
