package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// shutdownBound is how long shipdeck may take to stop after SIGINT or
// SIGTERM before it exits anyway. Every commit is synced when it returns,
// so an exit at any point leaves what a crash leaves: the next start
// replays the store's log and settles pushes that were in flight.
const shutdownBound = 15 * time.Second

// stopper turns signals into a cancelled context, and makes sure a stop
// ends: a second signal, or the bound passing, exits at once.
type stopper struct {
	signals <-chan os.Signal
	bound   time.Duration
	after   func(time.Duration) <-chan time.Time
	exit    func(code int)
	stderr  io.Writer
}

// run cancels cancel on the first signal, then waits for a second signal
// or the bound, and exits. It returns when done is closed (the command
// finished by itself) or after exit.
func (s stopper) run(cancel context.CancelFunc, done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-s.signals:
	}
	cancel()
	select {
	case <-done:
		return
	case sig := <-s.signals:
		fmt.Fprintf(s.stderr, "shipdeck: %v again: exiting now; the next start resumes from the synced store\n", sig)
	case <-s.after(s.bound):
		fmt.Fprintf(s.stderr, "shipdeck: still stopping after %v: exiting now; the next start resumes from the synced store\n", s.bound)
	}
	s.exit(exitError)
}
