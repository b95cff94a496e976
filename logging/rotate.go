package logging

import (
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
)

// RotatingFile is the log file with a size cap: a write that would take it
// past MaxBytes first renames it to NAME.1 (NAME.1 to NAME.2, and so on up
// to Keep files; the oldest is removed), so the log never holds more than
// (Keep+1) × MaxBytes on disk.
type RotatingFile struct {
	path     string
	maxBytes int64
	keep     int

	mu   gosync.Mutex
	f    *os.File
	size int64
}

// OpenRotating opens (appending) or creates path. maxBytes ≤ 0 takes
// 10 MiB, keep ≤ 0 takes 3.
func OpenRotating(path string, maxBytes int64, keep int) (*RotatingFile, error) {
	if maxBytes <= 0 {
		maxBytes = 10 << 20
	}
	if keep <= 0 {
		keep = 3
	}
	r := &RotatingFile{path: path, maxBytes: maxBytes, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *RotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open log %s: %w", r.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("open log %s: %w", r.path, err)
	}
	r.f, r.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would pass the cap.
func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, os.ErrClosed
	}
	if r.size > 0 && r.size+int64(len(p)) > r.maxBytes {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate shifts NAME.i to NAME.i+1, NAME to NAME.1, and reopens NAME.
func (r *RotatingFile) rotate() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("rotate log %s: %w", r.path, err)
	}
	r.f = nil
	_ = os.Remove(r.backup(r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		if err := os.Rename(r.backup(i), r.backup(i+1)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotate log %s: %w", r.path, err)
		}
	}
	if err := os.Rename(r.path, r.backup(1)); err != nil {
		return fmt.Errorf("rotate log %s: %w", r.path, err)
	}
	return r.open()
}

func (r *RotatingFile) backup(i int) string {
	return filepath.Clean(fmt.Sprintf("%s.%d", r.path, i))
}

// Close closes the file.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
