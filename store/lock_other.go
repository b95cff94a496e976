//go:build !unix

package store

// dirLock is a no-op where flock is unavailable; Badger's own directory
// lock still refuses a second writer there.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}
