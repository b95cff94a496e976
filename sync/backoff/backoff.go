// Package backoff computes how long shipdeck waits before retrying a call
// that failed retryably: exponential growth with full jitter, so many
// orders failing at once against one 3PL do not retry in lock step, while a
// server's own Retry-After is honoured but never trusted without a cap.
package backoff

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Defaults used for any zero field of a Policy.
const (
	DefaultBase           = time.Second
	DefaultCap            = 5 * time.Minute
	DefaultMaxAttempts    = 8
	DefaultMaxServerDelay = 10 * time.Minute
)

// Policy is a retry schedule. A zero field takes its default, so the zero
// Policy is usable and a config file only names what it changes.
type Policy struct {
	// Base is the first retry's upper bound (default 1s).
	Base time.Duration `toml:"base"`
	// Cap bounds the exponential envelope (default 5m).
	Cap time.Duration `toml:"cap"`
	// MaxAttempts is how many attempts an order gets before it is dead
	// (default 8).
	MaxAttempts int `toml:"max_attempts"`
	// MaxServerDelay bounds a server-requested delay such as Retry-After,
	// so a misbehaving peer cannot park an order for a day (default 10m).
	MaxServerDelay time.Duration `toml:"max_server_delay"`
}

// Default returns the policy with every default filled in.
func Default() Policy { return Policy{}.withDefaults() }

// withDefaults fills zero fields; negative values are left for Validate to
// report and are treated as zero by Delay.
func (p Policy) withDefaults() Policy {
	if p.Base <= 0 {
		p.Base = DefaultBase
	}
	if p.Cap <= 0 {
		p.Cap = DefaultCap
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxServerDelay <= 0 {
		p.MaxServerDelay = DefaultMaxServerDelay
	}
	return p
}

// Validate reports fields a config file got wrong, naming the key, so the
// operator sees the mistake at start rather than as odd retry timing.
func (p Policy) Validate() error {
	var errs []error
	if p.Base < 0 {
		errs = append(errs, fmt.Errorf("backoff base %s is negative", p.Base))
	}
	if p.Cap < 0 {
		errs = append(errs, fmt.Errorf("backoff cap %s is negative", p.Cap))
	}
	if p.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("backoff max_attempts %d is negative", p.MaxAttempts))
	}
	if p.MaxServerDelay < 0 {
		errs = append(errs, fmt.Errorf("backoff max_server_delay %s is negative", p.MaxServerDelay))
	}
	if p.Base > 0 && p.Cap > 0 && p.Cap < p.Base {
		errs = append(errs, fmt.Errorf("backoff cap %s is below base %s", p.Cap, p.Base))
	}
	return errors.Join(errs...)
}

// Envelope is the upper bound of the jittered delay before retry number
// attempt: min(Cap, Base·2^attempt). attempt counts from 0 (the first
// retry waits up to Base); a negative attempt counts as 0.
func (p Policy) Envelope(attempt int) time.Duration {
	p = p.withDefaults()
	attempt = max(attempt, 0)
	env := p.Base
	for i := 0; i < attempt && env < p.Cap; i++ {
		if env > p.Cap/2 {
			return p.Cap // doubling would pass the cap (or overflow)
		}
		env *= 2
	}
	return min(env, p.Cap)
}

// Delay is how long to wait before retry number attempt (from 0): a
// uniform draw from [0, Envelope(attempt)] ("full jitter"), raised to the
// server's requested delay when it asked for longer, with that request
// capped at MaxServerDelay. serverDelay ≤ 0 means the server asked for
// nothing. The result depends only on the arguments and rnd's state; a nil
// rnd yields the full envelope (no jitter), which is the conservative
// choice.
func (p Policy) Delay(attempt int, serverDelay time.Duration, rnd *rand.Rand) time.Duration {
	p = p.withDefaults()
	env := p.Envelope(attempt)
	jittered := env
	if rnd != nil && env < time.Duration(1<<63-1) {
		jittered = time.Duration(rnd.Int64N(int64(env) + 1))
	}
	server := min(max(serverDelay, 0), p.MaxServerDelay)
	return max(jittered, server)
}

// Exhausted reports whether an order that has made attempts attempts has
// used up its budget and needs an operator.
func (p Policy) Exhausted(attempts int) bool {
	return attempts >= p.withDefaults().MaxAttempts
}
