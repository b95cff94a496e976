package carrier

import (
	"strings"

	"github.com/shipdeck/shipdeck/sanitize"
)

// minSecretRun is the shortest run of a secret that is redacted on its
// own: a 3PL that echoes part of a token, or splits it with characters a
// terminal never shows, must not show any useful piece of it.
const minSecretRun = 8

// secrets are the credentials of one adapter. Text from a 3PL or from the
// transport passes through clean before it goes into an error, so a
// server that echoes a token back cannot leak it into logs or screens.
type secrets []string

// newSecrets keeps the non-trivial values (very short ones would redact
// ordinary words).
func newSecrets(values ...string) secrets {
	var s secrets
	for _, v := range values {
		if v = sanitize.Line(v); len(v) >= 4 {
			s = append(s, v)
		}
	}
	return s
}

// clean returns text as a screen would show it (sanitize.Text: escape
// sequences, zero-width and other invisible characters removed) with every
// secret, and every run of minSecretRun or more bytes of one, replaced by
// "[redacted]". Cleaning first is what makes it hold: a token split by a
// zero-width space or an escape sequence is whole again by then.
func (s secrets) clean(text string) string {
	text = sanitize.Text(text)
	if len(s) == 0 {
		return text
	}
	hidden := make([]bool, len(text))
	found := false
	for _, v := range s {
		if len(v) < minSecretRun {
			for i := 0; ; {
				j := strings.Index(text[i:], v)
				if j < 0 {
					break
				}
				markRun(hidden, i+j, len(v))
				found = true
				i += j + len(v)
			}
			continue
		}
		runs := make(map[string]struct{}, len(v)-minSecretRun+1)
		for i := 0; i+minSecretRun <= len(v); i++ {
			runs[v[i:i+minSecretRun]] = struct{}{}
		}
		for i := 0; i+minSecretRun <= len(text); i++ {
			if _, ok := runs[text[i:i+minSecretRun]]; ok {
				markRun(hidden, i, minSecretRun)
				found = true
			}
		}
	}
	if !found {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if !hidden[i] {
			b.WriteByte(text[i])
			i++
			continue
		}
		b.WriteString("[redacted]")
		for i < len(text) && hidden[i] {
			i++
		}
	}
	return b.String()
}

func markRun(hidden []bool, from, n int) {
	for i := from; i < from+n; i++ {
		hidden[i] = true
	}
}

// wrap returns err, or an error with the same chain whose message is
// cleaned when it mentions a secret.
func (s secrets) wrap(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if c := s.clean(msg); c != sanitize.Text(msg) {
		return &redactedError{msg: c, err: err}
	}
	return err
}

// redactedError hides secrets in a wrapped error's message while keeping
// errors.Is/As working on the chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
