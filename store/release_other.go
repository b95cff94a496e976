//go:build !linux

package store

// releaseMapped does nothing outside Linux: there is no portable way to ask
// the kernel to reclaim a mapping's pages without dropping them.
func (s *Store) releaseMapped() (int64, error) { return 0, nil }

// releaseAfterScan does nothing outside Linux.
func (s *Store) releaseAfterScan(int) {}
