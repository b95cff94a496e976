//go:build !unix

package sshd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// editLockWait bounds how long an edit waits for another one to finish.
const editLockWait = 10 * time.Second

// lockForEdit serializes edits of the file at path across processes by
// creating path + ".lock" exclusively (no flock(2) here). A lock file left
// by a crashed edit is named in the error, for the operator to delete.
func lockForEdit(path string) (unlock func(), err error) {
	lockPath := path + ".lock"
	deadline := time.Now().Add(editLockWait)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(lockPath) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is being edited by another shipdeck (or %s was left by one that crashed: delete it)", path, lockPath)
		}
		time.Sleep(wait)
	}
}
