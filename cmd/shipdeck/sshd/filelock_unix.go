//go:build unix

package sshd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// editLockWait bounds how long an edit waits for another one to finish.
const editLockWait = 10 * time.Second

// lockForEdit takes an exclusive lock that serializes edits of the file at
// path across processes, and returns the function that releases it. The
// lock is on a companion file (path + ".lock"), because edits replace the
// file itself by renaming. flock(2) locks are released by the kernel when
// the process dies, so a crashed edit never leaves the file locked.
func lockForEdit(path string) (unlock func(), err error) {
	lockPath := path + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(editLockWait)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", lockPath, err)
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("%s is being edited by another shipdeck (lock %s held for over %s); try again", path, lockPath, editLockWait)
		}
		time.Sleep(wait)
	}
}
