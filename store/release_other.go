//go:build !linux

package store

// ReleaseMapped is a no-op outside Linux: there is no portable way to ask
// the kernel to reclaim a mapping's pages without dropping them.
func (s *Store) ReleaseMapped() (int64, error) { return 0, nil }
