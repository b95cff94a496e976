package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks run against real Badger directories under the default temp
// dir. The 1M-order store is built once per process and shared by the
// *1M benchmarks; TestMain removes it.

const (
	fixtureOrders = 1_000_000
	ingestChunk   = 100_000
)

var fixture struct {
	once sync.Once
	dir  string
	s    *Store
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.s != nil {
		_ = fixture.s.Close()
	}
	if fixture.dir != "" {
		_ = os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// benchStates spreads orders over local states roughly as a shop's history
// looks: most shipped, a working set in flight, a few stuck.
var benchStates = []struct {
	state State
	share int // per mille
}{
	{StateShipped, 600}, {StateTracking, 50}, {StatePushed, 100}, {StateQueued, 100},
	{StateReady, 50}, {StateNew, 40}, {StateFailed, 30}, {StateDead, 10},
	{StateHeld, 10}, {StateCancelled, 10},
}

var benchStatus = map[State]MarketStatus{
	StateShipped: StatusInTransit, StateTracking: StatusAwaitingCollection, StatePushed: StatusAwaitingShipment,
	StateQueued: StatusAwaitingShipment, StateReady: StatusAwaitingShipment, StateNew: StatusUnpaid,
	StateFailed: StatusAwaitingShipment, StateDead: StatusAwaitingShipment, StateHeld: StatusOnHold,
	StateCancelled: StatusCancelled,
}

var cities = []string{"Austin", "Miami", "Denver", "Seattle", "Columbus", "Phoenix", "Boston", "Reno"}

// benchOrder builds a realistic order (about 300 bytes of JSON) with a
// deadline somewhere in a 10-day window.
func benchOrder(r *rand.Rand, i int) Order {
	pick := r.IntN(1000)
	st := benchStates[0].state
	for _, bs := range benchStates {
		if pick < bs.share {
			st = bs.state
			break
		}
		pick -= bs.share
	}
	created := testBase.Add(-time.Duration(r.IntN(10*24*3600)) * time.Second)
	o := Order{
		ID:         fmt.Sprintf("5770%014d", i),
		Status:     benchStatus[st],
		Source:     "tiktok",
		CreateTime: created,
		RTSSLATime: created.Add(time.Duration(24+r.IntN(48)) * time.Hour),
		Recipient: Address{
			Name: fmt.Sprintf("Buyer %d", r.IntN(100000)), City: cities[r.IntN(len(cities))],
			PostalCode: fmt.Sprintf("%05d", r.IntN(99999)), Country: "US",
		},
		LineItems: []LineItem{{SKU: fmt.Sprintf("SKU-%04d", r.IntN(5000)), Quantity: 1 + r.IntN(3),
			PriceCents: int64(500 + r.IntN(10000)), WeightGrams: 100 + r.IntN(2000)}},
		State: st,
	}
	if st != StateNew && st != StateReady {
		o.Push = &Push{Carrier: cities[r.IntN(3)], Generation: 1, IdempotencyKey: o.ID + "-1"}
	}
	if st == StateFailed {
		o.NextAttemptAt = testBase.Add(time.Duration(r.IntN(3600)) * time.Second)
		o.Attempts = 1 + r.IntN(5)
	}
	return o
}

func benchOrders(r *rand.Rand, from, n int) []Order {
	out := make([]Order, n)
	for i := range out {
		out[i] = benchOrder(r, from+i)
	}
	return out
}

// ingest writes n orders in chunks, as a CSV import or seeding would.
func ingest(b *testing.B, s *Store, n int, timed bool) {
	r := rand.New(rand.NewPCG(1, 2))
	for from := 0; from < n; from += ingestChunk {
		if timed {
			b.StopTimer()
		}
		chunk := benchOrders(r, from, min(ingestChunk, n-from))
		if timed {
			b.StartTimer()
		}
		if err := s.BulkPut(context.Background(), chunk); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDir(b *testing.B, name string) string {
	dir, err := os.MkdirTemp("", "shipdeck-bench-"+name+"-")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func fixtureStore(b *testing.B) *Store {
	b.Helper()
	fixture.once.Do(func() {
		fixture.dir = benchDir(b, "1m")
		fixture.s, fixture.err = Open(fixture.dir, Options{GCInterval: -1})
		if fixture.err != nil {
			return
		}
		start := time.Now()
		ingest(b, fixture.s, fixtureOrders, false)
		// Close and reopen so the 1M benchmarks start from a cleanly closed
		// store, as after a restart.
		if fixture.err = fixture.s.Close(); fixture.err != nil {
			return
		}
		fixture.s, fixture.err = Open(fixture.dir, Options{GCInterval: -1})
		raw, _ := json.Marshal(benchOrder(rand.New(rand.NewPCG(3, 4)), 0))
		b.Logf("fixture: %d orders (sample order %d B JSON) in %s, %.0f MiB on disk",
			fixtureOrders, len(raw), time.Since(start).Round(time.Millisecond), float64(dirSize(fixture.dir))/(1<<20))
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.s
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func BenchmarkBulkIngest1M(b *testing.B) {
	for range b.N {
		b.StopTimer()
		dir := benchDir(b, "ingest")
		s, err := Open(dir, Options{GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ingest(b, s, fixtureOrders, true)
		b.StopTimer()
		_ = s.Close()
		_ = os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(fixtureOrders)*float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// transitionStore is a small store for the synced-write benchmarks, which
// do not depend on the store's size.
func transitionStore(b *testing.B, n int) (*Store, []string) {
	dir := benchDir(b, "sync")
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	orders := benchOrders(rand.New(rand.NewPCG(5, 6)), 0, n)
	idList := make([]string, n)
	for i := range orders {
		orders[i].State = StateQueued
		idList[i] = orders[i].ID
	}
	if err := s.BulkPut(context.Background(), orders); err != nil {
		b.Fatal(err)
	}
	return s, idList
}

// transitionCycle is the path an order takes; each op moves one order one
// step.
var transitionCycle = []State{StateQueued, StatePushing, StatePushed, StateTracking, StateShipped}

func transition(s *Store, id string) error {
	return s.Update(context.Background(), func(tx *Tx) error {
		o, err := tx.Order(id)
		if err != nil {
			return err
		}
		for i, st := range transitionCycle {
			if st == o.State {
				o.State = transitionCycle[(i+1)%len(transitionCycle)]
				break
			}
		}
		return tx.PutOrder(o)
	})
}

func BenchmarkSyncedTransition(b *testing.B) {
	s, idList := transitionStore(b, 1000)
	b.ResetTimer()
	for i := range b.N {
		if err := transition(s, idList[i%len(idList)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}

func BenchmarkGroupCommit(b *testing.B) {
	for _, workers := range []int{8, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", workers), func(b *testing.B) {
			s, idList := transitionStore(b, 4096)
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			b.ResetTimer()
			for w := range workers {
				wg.Go(func() {
					// Each goroutine owns its own orders, as pushers do.
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						id := idList[(int(i)*workers+w)%len(idList)]
						if err := transition(s, id); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			select {
			case err := <-errs:
				b.Fatal(err)
			default:
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
		})
	}
}

func BenchmarkOpen1M(b *testing.B) {
	s := fixtureStore(b)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var err error
		s, err = Open(fixture.dir, Options{GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	fixture.s = s
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
}

func BenchmarkCounts1M(b *testing.B) {
	s := fixtureStore(b)
	b.ResetTimer()
	var c Counts
	for range b.N {
		var err error
		if c, err = s.Counts(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if c.Total != fixtureOrders {
		b.Fatalf("counts total %d, want %d", c.Total, fixtureOrders)
	}
}

func BenchmarkFirstPage1M(b *testing.B) {
	s := fixtureStore(b)
	c, err := s.Counts(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	largest := StateNew
	for st, n := range c.ByState {
		if n > c.ByState[largest] {
			largest = st
		}
	}
	b.ResetTimer()
	for range b.N {
		page, err := s.Queue(context.Background(), largest, 0, 50)
		if err != nil || len(page) != 50 {
			b.Fatalf("page of %s: %d orders, %v", largest, len(page), err)
		}
	}
}
