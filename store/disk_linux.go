package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// freeSpace is the space on dir's filesystem available to an unprivileged
// writer (statfs f_bavail), which is what Badger's files may grow into.
func freeSpace(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// preallocate gives Badger's memory-mapped files (the memtables' write-ahead
// logs and the discard stats) real blocks. Badger creates them sparse and
// writes through the mapping, so on a filesystem that fills up later a
// write to a page without a block kills the process with SIGBUS; a write
// into a preallocated page cannot fail. (Badger v4: memtable.go openMemTable
// maps 2×MemTableSize; ristretto z.OpenMmapFile only ftruncates.)
func (s *Store) preallocate() {
	if s.disk == nil {
		return
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	s.preMu.Lock()
	defer s.preMu.Unlock()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".mem") && name != "DISCARD" {
			continue
		}
		if s.prealloc[name] {
			continue
		}
		err := fallocate(filepath.Join(s.dir, name))
		switch {
		case err == nil, errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, os.ErrNotExist):
			// Done, or the filesystem allocates on write anyway, or Badger
			// already flushed and removed it.
			s.prealloc[name] = true
		case errors.Is(err, errNotSizedYet):
		default:
			s.log.Warn("store: could not preallocate a database file", "file", name, "err", err)
		}
	}
	for name := range s.prealloc {
		if _, err := os.Stat(filepath.Join(s.dir, name)); errors.Is(err, os.ErrNotExist) {
			delete(s.prealloc, name)
		}
	}
}

func fallocate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == 0 {
		// Badger has created the file but not sized it yet: not done, so
		// the next pass preallocates it once it has its size.
		return errNotSizedYet
	}
	return unix.Fallocate(int(f.Fd()), 0, 0, fi.Size())
}

// errNotSizedYet marks a file Badger has not sized yet.
var errNotSizedYet = errors.New("not sized yet")
