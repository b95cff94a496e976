package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopIsBounded: the first SIGINT/SIGTERM asks the command to stop; a
// second one, or the 15 s bound passing, exits at once with code 1 and a
// line saying why; a command that stops by itself exits normally.
func TestStopIsBounded(t *testing.T) {
	cases := []struct {
		name     string
		second   bool // a second signal arrives
		bound    bool // the bound passes
		finishes bool // the command returns by itself after the first
		wantExit bool
		wantText string
	}{
		{name: "second signal exits at once", second: true, wantExit: true, wantText: "terminated again: exiting now"},
		{name: "bound passes", bound: true, wantExit: true, wantText: "still stopping after 15s: exiting now"},
		{name: "clean stop", finishes: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sigs := make(chan os.Signal, 2)
			timer := make(chan time.Time, 1)
			var boundAsked time.Duration
			exited := make(chan int, 1)
			var stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			returned := make(chan struct{})
			s := stopper{signals: sigs, bound: shutdownBound, stderr: &stderr,
				after: func(d time.Duration) <-chan time.Time { boundAsked = d; return timer },
				exit:  func(code int) { exited <- code }}
			go func() { s.run(cancel, done); close(returned) }()

			sigs <- syscall.SIGTERM
			<-ctx.Done() // the first signal cancels the command
			switch {
			case tc.second:
				sigs <- syscall.SIGTERM
			case tc.bound:
				for len(timer) == 0 {
					timer <- time.Now()
				}
			case tc.finishes:
				close(done)
			}
			<-returned
			select {
			case code := <-exited:
				if !tc.wantExit {
					t.Fatalf("exited with %d after a clean stop", code)
				}
				if code != exitError {
					t.Errorf("exit code %d, want %d", code, exitError)
				}
			default:
				if tc.wantExit {
					t.Fatal("did not exit")
				}
			}
			if !strings.Contains(stderr.String(), tc.wantText) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.wantText)
			}
			if tc.bound && boundAsked != 15*time.Second {
				t.Errorf("bound %v, want 15s", boundAsked)
			}
		})
	}
}
