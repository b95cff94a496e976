package sshd

import (
	"errors"
	"fmt"
)

// Errors callers classify with errors.Is.
var (
	// ErrDuplicate means an operator name or key is already in the file.
	ErrDuplicate = errors.New("already in the operators file")
	// ErrNoOperator means no operator has that name or fingerprint.
	ErrNoOperator = errors.New("no such operator")
	// ErrBadKey means a public key line could not be used.
	ErrBadKey = errors.New("unusable public key")
	// ErrBadRole means a role is not viewer, operator or admin.
	ErrBadRole = errors.New("unknown role")
	// ErrBadName means an operator name is empty or has characters that do
	// not belong in an audit trail.
	ErrBadName = errors.New("bad operator name")
)

// FileError is a problem in the operators file, located so the person who
// edits it can go straight to the line.
type FileError struct {
	// Path is the operators file.
	Path string
	// Line is 1-based, or 0 when the problem has no single line.
	Line int
	// Msg says what is wrong and, where possible, how to fix it.
	Msg string
	// Err classifies the problem (ErrDuplicate, ErrBadKey, ...), or is nil
	// for a TOML syntax error.
	Err error
}

// Error reads like a compiler message: path:line: message.
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Unwrap exposes the classification.
func (e *FileError) Unwrap() error { return e.Err }
