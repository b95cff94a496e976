//go:build !linux

package store

import (
	"errors"
	"runtime"
)

// freeSpace is not measured on this system: the guard stays open.
func freeSpace(string) (uint64, error) {
	return 0, errors.New("free space is not measured on " + runtime.GOOS)
}

// preallocate is a no-op where fallocate is unavailable.
func (s *Store) preallocate() {}

// releaseMapped is a no-op where MADV_PAGEOUT is unavailable.
func releaseMapped(string) {}

// rssFile is not read where releaseMapped does nothing.
func rssFile() uint64 { return 0 }
