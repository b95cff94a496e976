package carrier

import "strings"

// secrets are the credentials of one adapter. Text from a 3PL or from the
// transport passes through clean before it goes into an error, so a
// server that echoes a token back cannot leak it into logs.
type secrets []string

// newSecrets keeps the non-trivial values (very short ones would redact
// ordinary words).
func newSecrets(values ...string) secrets {
	var s secrets
	for _, v := range values {
		if len(v) >= 4 {
			s = append(s, v)
		}
	}
	return s
}

// clean replaces every secret in text.
func (s secrets) clean(text string) string {
	for _, v := range s {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "[redacted]")
		}
	}
	return text
}

// wrap returns err, or an error with the same chain whose message is
// cleaned when it mentions a secret.
func (s secrets) wrap(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); s.clean(msg) != msg {
		return &redactedError{msg: s.clean(msg), err: err}
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
