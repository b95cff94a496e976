package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
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
	memProfile = flag.String("mem.profile", "", "write TestMeasureConsoleMemory's heap profile to this file")
)

// TestMeasureConsoleMemory measures the resident memory of the console with
// a big store: the demo's worker running against the simulator, the search
// index built over every order, one console open over SSH at 120×40. It
// builds the store first (bulk writes, then closed, as after an import and
// a restart), returns that garbage to the OS, opens everything, waits for
// the index, then reads VmRSS after two GCs. It asserts only that the
// figures were taken; the ceiling is judged from the logged line.
//
//	go test ./cmd/shipdeck -run TestMeasureConsoleMemory -mem.orders 1000000 -v
func TestMeasureConsoleMemory(t *testing.T) {
	measuring(t)
	dir := t.TempDir()
	start := time.Now()
	fillStore(t, dir, *memOrders)
	built := time.Since(start)
	debug.FreeOSMemory()

	d := startServedDemoIn(t, dir, 60, nil)
	term := sshtest.OpenTerm(t, d.dial("olga"), 120, 40, true)
	term.WaitFor(t, "DEMO")
	deadline := time.Now().Add(5 * time.Minute)
	for d.a.idx.Len() < *memOrders {
		if time.Now().After(deadline) {
			t.Fatalf("search index holds %d of %d orders after 5 minutes", d.a.idx.Len(), *memOrders)
		}
		time.Sleep(100 * time.Millisecond)
	}
	indexed := time.Since(start) - built
	if _, err := d.a.eng.Search(context.Background(), "buyer 42", 10); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // the worker polls and pushes meanwhile
	runtime.GC()
	debug.FreeOSMemory()
	if *memProfile != "" {
		writeHeapProfile(t, *memProfile)
	}
	rss := procStatus(t, "VmRSS")
	anon, file := procStatus(t, "RssAnon"), procStatus(t, "RssFile")
	heap := readMetric("/memory/classes/heap/objects:bytes")
	total := readMetric("/memory/classes/total:bytes")
	t.Logf("console memory, %d orders (store built in %s, index built in %s): VmRSS %d MiB (anon %d MiB, file-backed %d MiB); Go heap objects %d MiB, Go runtime total %d MiB",
		*memOrders, built.Round(time.Millisecond), indexed.Round(time.Millisecond), rss>>20, anon>>20, file>>20, heap>>20, total>>20)
	fmt.Printf("MEASURE console_rss_mb orders=%d %.1f\n", *memOrders, float64(rss)/(1<<20))
	if rss == 0 || heap == 0 {
		t.Fatal("no memory figure read")
	}
}

// fillStore writes n orders of a big synthetic shop into a store in dir
// with the bulk path and closes it.
func fillStore(t testing.TB, dir string, n int) {
	t.Helper()
	st, err := store.Open(dir, store.Options{GCInterval: -1})
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
			created := now.Add(-time.Duration(r.IntN(10*24*3600)) * time.Second)
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
