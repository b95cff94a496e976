package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
)

// memOrders is how many orders TestMeasureConsoleMemory stores; bench/run
// passes 100000 and 1000000.
var (
	memOrders  = flag.Int("mem.orders", 100_000, "orders in the store for TestMeasureConsoleMemory")
	memWindow  = flag.Duration("mem.window", 20*time.Second, "how long TestMeasureConsoleMemory watches the running console before it measures")
	memSpeed   = flag.Float64("mem.speed", 1, "the demo's speed in TestMeasureConsoleMemory: 1 runs the worker's periodic work (health estimate, reconciliation) on a real shop's schedule")
	memSpan    = flag.Duration("mem.span", 2*365*24*time.Hour, "how far back TestMeasureConsoleMemory's orders were created")
	memProfile = flag.String("mem.profile", "", "write TestMeasureConsoleMemory's heap profile to this file")
)

// TestMeasureConsoleMemory logs the console's resident memory with
// -mem.orders orders in the store (see measureConsoleMemory).
//
//	go test ./cmd/shipdeck -run TestMeasureConsoleMemory -mem.orders 1000000 -v
func TestMeasureConsoleMemory(t *testing.T) {
	measuring(t)
	measureConsoleMemory(t, *memOrders)
}

// BenchmarkConsoleMemory reports the console's resident memory (rss-MiB)
// at 100,000 and 1,000,000 orders. Each run builds its store (about a
// minute at a million), so run it once: -benchtime 1x -measure.
func BenchmarkConsoleMemory(b *testing.B) {
	measuring(b)
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			var m consoleMemory
			for b.Loop() {
				m = measureConsoleMemory(b, n)
			}
			b.ReportMetric(float64(m.rss)/(1<<20), "rss-MiB")
			b.ReportMetric(float64(m.peak)/(1<<20), "peak-rss-MiB")
			b.ReportMetric(float64(m.anon)/(1<<20), "anon-MiB")
			b.ReportMetric(float64(m.heap)/(1<<20), "heap-MiB")
		})
	}
}

// consoleMemory is one measurement, in bytes.
type consoleMemory struct {
	peak, rss, anon, file, heap uint64
}

// measureConsoleMemory measures the resident memory of the console with a
// store of n orders: the demo's worker running against the simulator, the
// search index built over every order, one console open over SSH at
// 120×40 whose output the client drops. It builds the store first (bulk
// writes, then closed, as after an import and a restart), returns that
// garbage to the OS, opens everything (the worker at -mem.speed, 1 by
// default), waits for the index, watches VmRSS for -mem.window (its peak
// is reported too), then reads VmRSS after a GC five times a second apart
// and reports the median reading, split into anonymous and file-backed
// memory, the file-backed part by file (executable, store). The simulator
// and the SSH client share the process and are counted. It asserts only
// that the figures were taken; the ceilings are judged from the figures.
func measureConsoleMemory(tb testing.TB, n int) consoleMemory {
	dir := tb.TempDir()
	start := time.Now()
	fillStore(tb, dir, n)
	built := time.Since(start)
	debug.FreeOSMemory()

	d := startServedDemoIn(tb, dir, *memSpeed, nil)
	// The client counts and drops the console's output: a terminal
	// emulator here would add its own screens (about 10 MB) to the figure.
	term := sshtest.OpenTerm(tb, d.dial("olga"), 120, 40, false)
	deadline := time.Now().Add(5 * time.Minute)
	for bytes, _, _ := term.Counters(); bytes < 4096; bytes, _, _ = term.Counters() {
		if time.Now().After(deadline) {
			tb.Fatalf("the console sent %d bytes in 5 minutes", bytes)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for d.a.idx.Len() < n {
		if time.Now().After(deadline) {
			tb.Fatalf("search index holds %d of %d orders after 5 minutes", d.a.idx.Len(), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	indexed := time.Since(start) - built
	if _, err := d.a.eng.Search(context.Background(), "buyer 42", 10); err != nil {
		tb.Fatal(err)
	}
	// The worker polls, pushes and refreshes its estimates meanwhile;
	// the peak over this window is reported beside the figure after GC.
	var peak uint64
	for end := time.Now().Add(*memWindow); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		peak = max(peak, procStatus(tb, "VmRSS"))
	}
	// Five readings a second apart, each right after a GC, and the one
	// with the median VmRSS: a single reading lands at a random moment
	// of the worker's periodic reads.
	var readings []consoleMemory
	for i := range 5 {
		if i > 0 {
			time.Sleep(time.Second)
		}
		runtime.GC()
		debug.FreeOSMemory()
		readings = append(readings, consoleMemory{peak: peak, rss: procStatus(tb, "VmRSS"), anon: procStatus(tb, "RssAnon"),
			file: procStatus(tb, "RssFile"), heap: readMetric("/memory/classes/heap/objects:bytes")})
	}
	slices.SortFunc(readings, func(a, b consoleMemory) int { return cmp.Compare(a.rss, b.rss) })
	m := readings[len(readings)/2]
	if *memProfile != "" {
		runtime.GC()
		writeHeapProfile(tb, *memProfile)
	}
	tb.Logf("console memory, %d orders (store built in %s, index built in %s): VmRSS after GC %d MiB (anon %d MiB, file-backed %d MiB), peak over %s running %d MiB; Go heap objects %d MiB",
		n, built.Round(time.Millisecond), indexed.Round(time.Millisecond), m.rss>>20, m.anon>>20, m.file>>20, *memWindow, m.peak>>20, m.heap>>20)
	byFile := map[string]uint64{}
	for path, rss := range mappedRSS(tb) {
		switch {
		case strings.HasPrefix(path, dir):
			byFile["store"] += rss
		case strings.HasSuffix(path, ".test") || strings.HasSuffix(path, "shipdeck"):
			byFile["executable"] += rss
		default:
			byFile["other"] += rss
		}
	}
	tb.Logf("Go runtime: heap objects %d MiB, heap unused %d MiB, heap free %d MiB, released %d MiB, stacks %d MiB, metadata %d MiB, other %d MiB",
		readMetric("/memory/classes/heap/objects:bytes")>>20, readMetric("/memory/classes/heap/unused:bytes")>>20,
		readMetric("/memory/classes/heap/free:bytes")>>20, readMetric("/memory/classes/heap/released:bytes")>>20,
		readMetric("/memory/classes/heap/stacks:bytes")>>20, readMetric("/memory/classes/metadata/other:bytes")>>20+readMetric("/memory/classes/metadata/mspan/inuse:bytes")>>20+readMetric("/memory/classes/metadata/mcache/inuse:bytes")>>20,
		readMetric("/memory/classes/other:bytes")>>20)
	tb.Logf("file-backed by file: executable %d MiB, store %d MiB, other %d MiB", byFile["executable"]>>20, byFile["store"]>>20, byFile["other"]>>20)
	if m.rss == 0 || m.heap == 0 {
		tb.Fatal("no memory figure read")
	}
	return m
}

// fillStore writes n orders of a big synthetic shop into a store in dir
// with the bulk path, as shipdeck import does, and closes it. The orders were created over the last
// *memSpan: a seller of a few thousand orders a month reaches a million
// orders over years, and the worker's periodic reads (the account-health
// estimate reads the orders of its 51-day window every 5 minutes, the
// reconciliation its 14 days) cover the recent ones, not the store.
// -mem.span 240h puts every order in those windows.
func fillStore(t testing.TB, dir string, n int) {
	t.Helper()
	st, err := store.Open(dir, store.Options{GCInterval: -1, BulkLoad: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(14, 1))
	now := time.Now()
	states := []store.State{store.StateShipped, store.StateShipped, store.StateShipped, store.StateTracking,
		store.StatePushed, store.StateFailed, store.StateDead, store.StateHeld}
	const chunk = 50_000
	for from := 0; from < n; from += chunk {
		orders := make([]store.Order, min(chunk, n-from))
		for i := range orders {
			created := now.Add(-time.Duration(r.Int64N(int64(*memSpan/time.Second))) * time.Second)
			o := store.Order{
				ID: fmt.Sprintf("5790%014d", from+i), Status: store.StatusInTransit, State: states[r.IntN(len(states))],
				Source: "tiktok", CreateTime: created, UpdateTime: created, StoredAt: created,
				RTSSLATime: created.Add(48 * time.Hour),
				Recipient: store.Address{Name: fmt.Sprintf("Buyer %d", r.IntN(100_000)), City: "Austin",
					Lines: []string{fmt.Sprintf("%d Congress Ave", r.IntN(9999))}, PostalCode: fmt.Sprintf("%05d", r.IntN(99_999)), Country: "US"},
				LineItems: []store.LineItem{{SKU: fmt.Sprintf("SKU-%04d", r.IntN(5000)), Quantity: 1, PriceCents: 1999, WeightGrams: 400}},
				Push:      &store.Push{Carrier: "swift", Generation: 1, IdempotencyKey: fmt.Sprintf("5790%014d-swift-1", from+i)},
			}
			if o.State == store.StateFailed || o.State == store.StateDead {
				o.Attempts, o.ErrorClass, o.Reason = 3, "retryable", "503 from carrier: upstream timeout"
				o.NextAttemptAt = now.Add(time.Hour)
			}
			orders[i] = o
		}
		if err := st.BulkPut(context.Background(), orders); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeHeapProfile writes the live heap's profile to path.
func writeHeapProfile(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

// procStatus reads a size field (in kB) of /proc/self/status, in bytes.
func procStatus(t testing.TB, field string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			t.Fatalf("/proc/self/status %s: %v", field, err)
		}
		return kb << 10
	}
	t.Fatalf("/proc/self/status has no %s", field)
	return 0
}

// readMetric reads one uint64 runtime metric.
func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// mappedRSS sums the resident size of this process's file mappings by
// file (from /proc/self/smaps), so a measurement says how much of VmRSS is
// the executable and how much the store's mapped files.
func mappedRSS(tb testing.TB) map[string]uint64 {
	tb.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		tb.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	path := ""
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			path = ""
			if len(fields) >= 6 {
				path = fields[5]
			}
			continue
		}
		if len(fields) == 3 && fields[0] == "Rss:" && strings.HasPrefix(path, "/") {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			out[path] += kb << 10
		}
	}
	return out
}
