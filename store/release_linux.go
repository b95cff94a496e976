package store

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// largeScan is how many orders a scan reads before the store releases the
// pages it mapped in: the search index's build at start and the account
// health estimate read every order, and a small box should not keep the
// whole store resident for them.
const largeScan = 50_000

// releaseAfterScan releases the mapped table pages after a scan of read
// orders, if it was large. A refusal is logged, never an error: the pages
// only stay resident.
func (s *Store) releaseAfterScan(read int) {
	if read < largeScan {
		return
	}
	if _, err := s.releaseMapped(); err != nil {
		s.log.Info("store: mapped pages stay resident after a large scan", "err", err)
	}
}

// releaseMapped asks the kernel to reclaim the pages of the store's table
// files that this process has read through Badger's memory maps, and
// returns how many bytes of mappings it advised. Badger maps every table
// into memory, so a one-off scan of every order (the search index's build
// at start) leaves the whole store resident and counted in the process's
// memory, though it will not be read again soon; pages read later fault
// back in from the page cache or the disk.
//
// MADV_PAGEOUT (Linux 5.4) never changes what a mapping holds, so advising
// a range that Badger has unmapped and something else has mapped since is
// harmless. On older kernels the advice is refused and nothing changes.
func (s *Store) releaseMapped() (int64, error) {
	if s.opts.InMemory {
		return 0, nil
	}
	dir, err := filepath.Abs(s.dir)
	if err != nil {
		return 0, fmt.Errorf("release mapped tables of %s: %w", s.dir, err)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // /proc/self/maps shows resolved paths
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("release mapped tables: %w", err)
	}
	defer f.Close()
	var advised int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || filepath.Dir(fields[5]) != dir || !strings.HasSuffix(fields[5], ".sst") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
		if errno != 0 {
			return advised, fmt.Errorf("release mapped tables of %s: madvise: %w", s.dir, errno)
		}
		advised += int64(end - start)
	}
	if err := sc.Err(); err != nil {
		return advised, fmt.Errorf("release mapped tables: read /proc/self/maps: %w", err)
	}
	return advised, nil
}
