package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
)

// Measurements log figures and assert nothing about speed. They run only
// when asked for: go test -run TestMeasure ./cmd/shipdeck, or -measure.
var measureFlag = flag.Bool("measure", false, "run the TestMeasure* measurements")

// measuring skips a measurement unless -run names it or -measure is set.
func measuring(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("measurement skipped in -short mode")
	}
	if *measureFlag {
		return
	}
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), "Measure") {
		return
	}
	t.Skip("measurement: run with -run TestMeasure (or -measure)")
}

// manySessions lifts the session caps and the connection rate, so one test
// can open tens of consoles from one address.
func manySessions(a *app) {
	a.cfg.SSH.MaxSessions, a.cfg.SSH.MaxSessionsPerKey, a.cfg.SSH.ConnectionsPerMin = -1, -1, -1
}

// TestMeasureSSHIdleConsole measures what an idle console (no keys typed,
// the worker running, panes live) receives over SSH at 120×40: bytes per
// minute and frames per second, at the demo's speed and in real time.
func TestMeasureSSHIdleConsole(t *testing.T) {
	measuring(t)
	const window = 10 * time.Second
	for _, speed := range []float64{60, 1} {
		t.Run(fmt.Sprintf("speed=%g", speed), func(t *testing.T) {
			d := startServedDemo(t, speed, nil)
			term := sshtest.OpenTerm(t, d.dial("vic"), 120, 40, true)
			term.WaitFor(t, "DEMO", "vic (viewer)")
			time.Sleep(2 * time.Second) // past the first poll's burst
			b0, r0, f0 := term.Counters()
			start := time.Now()
			time.Sleep(window)
			b1, r1, f1 := term.Counters()
			el := time.Since(start)
			perMin := float64(b1-b0) * float64(time.Minute) / float64(el)
			t.Logf("idle console over SSH at 120×40, demo speed %g: %d bytes in %s = %.0f bytes/min (%.1f KiB/min); %d reads = %.1f/s; %d frames (bursts) = %.1f frames/s",
				speed, b1-b0, el.Round(time.Millisecond), perMin, perMin/1024, r1-r0, float64(r1-r0)/el.Seconds(),
				f1-f0, float64(f1-f0)/el.Seconds())
		})
	}
}

// TestMeasureSSHMemoryPerSession measures the heap each extra console
// session costs: HeapInuse after a GC, before and after opening 10 more
// consoles (each on its own connection) that have drawn their first frame.
// The clients run in this process too, so their side of the connection is
// included (their output is only counted, not emulated).
func TestMeasureSSHMemoryPerSession(t *testing.T) {
	measuring(t)
	const extra = 10
	d := startServedDemo(t, 60, manySessions)
	// A first session pays for what every session shares.
	warm := sshtest.OpenTerm(t, d.dial("olga"), 120, 40, true)
	warm.WaitFor(t, "DEMO")
	time.Sleep(time.Second)
	heap := func() (uint64, int) {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse, runtime.NumGoroutine()
	}
	before, gBefore := heap()
	terms := make([]*sshtest.Term, extra)
	for i := range terms {
		terms[i] = sshtest.OpenTerm(t, d.dial("olga"), 120, 40, false)
	}
	deadline := time.Now().Add(serveWait)
	for _, term := range terms {
		for {
			if b, _, _ := term.Counters(); b >= 4096 { // a full 120×40 frame
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a console never drew its first frame")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(time.Second)
	after, gAfter := heap()
	per := (int64(after) - int64(before)) / extra
	t.Logf("heap in use: %d KiB before, %d KiB after %d more consoles: %d KiB per session (%d goroutines per session)",
		before>>10, after>>10, extra, per>>10, (gAfter-gBefore)/extra)
}

// TestMeasureSSHFanoutLatency opens 20 consoles over SSH with the worker
// running, holds orders one at a time and measures, for each change, the
// time from the store commit to each console's screen showing the new held
// count.
func TestMeasureSSHFanoutLatency(t *testing.T) {
	measuring(t)
	const (
		sessions = 20
		changes  = 10
	)
	d := startServedDemo(t, 60, manySessions)
	terms := make([]*sshtest.Term, sessions)
	for i := range terms {
		terms[i] = sshtest.OpenTerm(t, d.dial(servedOperators[i%len(servedOperators)].name), 120, 40, true)
	}
	for _, term := range terms {
		term.WaitFor(t, "DEMO", "held 0")
	}
	d.waitCounts("orders waiting to be routed", func(c store.Counts) bool {
		return c.ByState[store.StateNew]+c.ByState[store.StateReady]+c.ByState[store.StateQueued] >= changes
	})
	olga := store.Actor{Name: "olga", Role: store.RoleOperator}
	ctx := context.Background()
	used := map[string]bool{}
	var each, all []time.Duration
	for k := int64(1); k <= changes; k++ {
		seen := make([]<-chan time.Time, sessions)
		for i, term := range terms {
			seen[i] = term.Watch(heldChip(k))
		}
		var committed time.Time
		for attempt := 0; ; attempt++ {
			id := d.pick(used, store.StateNew, store.StateReady, store.StateQueued)
			err := d.a.eng.Hold(ctx, olga, id)
			committed = time.Now()
			if err == nil {
				break
			}
			if attempt > 20 {
				t.Fatalf("hold: %v", err)
			}
		}
		var slowest time.Duration
		for i, ch := range seen {
			select {
			case at := <-ch:
				lat := at.Sub(committed)
				each = append(each, lat)
				slowest = max(slowest, lat)
			case <-time.After(serveWait):
				t.Fatalf("console %d never showed held %d:\n%s", i, k, terms[i].Screen())
			}
		}
		all = append(all, slowest)
		time.Sleep(300 * time.Millisecond)
	}
	q := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		i := int(float64(len(s)-1)*p + 0.5)
		return s[i].Round(time.Millisecond)
	}
	t.Logf("%d consoles, %d changes: per console p50 %s p90 %s p99 %s max %s; every console p50 %s p99 %s max %s",
		sessions, changes, q(each, 0.5), q(each, 0.9), q(each, 0.99), q(each, 1),
		q(all, 0.5), q(all, 0.99), q(all, 1))
}
