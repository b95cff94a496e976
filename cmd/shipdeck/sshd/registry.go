package sshd

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Registry holds the operators file currently in force. Reload swaps in a
// new reading only when the whole file validates, so a typo made while
// editing cannot lock everybody out (or let anybody in).
type Registry struct {
	path string
	// reload serializes Reload calls; readers never wait on it.
	reload sync.Mutex
	cur    atomic.Pointer[Operators]
}

// NewRegistry reads the operators file at path. A malformed file is an
// error (serve should refuse to start); a missing one is an empty set.
func NewRegistry(path string) (*Registry, error) {
	ops, err := LoadOperators(path)
	if err != nil {
		return nil, err
	}
	r := &Registry{path: path}
	r.cur.Store(ops)
	return r, nil
}

// Reload re-reads the file. On any error the previous set stays in force
// and the error (a *FileError naming the line, for a bad file) is
// returned. Callers usually want Server.ReloadOperators, which also ends
// the sessions of operators who were removed or changed.
func (r *Registry) Reload() error {
	r.reload.Lock()
	defer r.reload.Unlock()
	ops, err := LoadOperators(r.path)
	if err != nil {
		return fmt.Errorf("reload operators (keeping the previous %d): %w", r.Current().Len(), err)
	}
	r.cur.Store(ops)
	return nil
}

// Current is the set in force. Safe for concurrent use.
func (r *Registry) Current() *Operators {
	if r == nil {
		return nil
	}
	return r.cur.Load()
}

// Path is the operators file.
func (r *Registry) Path() string { return r.path }
