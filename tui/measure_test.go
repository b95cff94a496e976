package tui

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	gosync "sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// Measurements log figures and assert nothing about speed. They run only
// when asked for: go test -run TestMeasure ./tui, or -measure.
var measureFlag = flag.Bool("measure", false, "run the TestMeasure* measurements")

// measuring skips a measurement unless it was asked for: benchmarks run
// only under -bench anyway; tests need -run naming them, or -measure.
func measuring(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("measurement skipped in -short mode")
	}
	if _, bench := t.(*testing.B); bench || *measureFlag {
		return
	}
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), "Measure") {
		return
	}
	t.Skip("measurement: run with -run TestMeasure (or -measure)")
}

// storeEngine serves the console's reads from a real store, the way the
// sync engine does (pages through the store's indexes, counts from its
// counters); commands are refused.
type storeEngine struct {
	*tuitest.Synthetic
	st   *store.Store
	snap store.Snapshot
}

// newStoreEngine reads the counts once, as the engine's first snapshot.
func newStoreEngine(ctx context.Context, st *store.Store, now time.Time) (*storeEngine, error) {
	counts, err := st.Counts(ctx)
	if err != nil {
		return nil, err
	}
	base := tuitest.NewSynthetic(0, now)
	snap := base.Snapshot()
	snap.Shop, snap.Counts = "Big Shop", counts
	return &storeEngine{Synthetic: base, st: st, snap: snap}, nil
}

func (e *storeEngine) Snapshot() store.Snapshot { return e.snap }

func (e *storeEngine) Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error) {
	return e.st.Queue(ctx, state, offset, limit)
}

func (e *storeEngine) QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error) {
	return e.st.QueueByStatus(ctx, status, offset, limit)
}

func (e *storeEngine) Failed(ctx context.Context, offset, limit int) ([]store.Order, error) {
	return e.st.Failed(ctx, offset, limit)
}

func (e *storeEngine) OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error) {
	return e.st.OrderDetail(ctx, id)
}

func (e *storeEngine) Audit(ctx context.Context, n int) ([]store.AuditEntry, error) {
	return e.st.Audit(ctx, n)
}

// measureStates spreads a big shop's orders the way a shop's history looks:
// most shipped, a working set in flight, a few stuck.
var measureStates = []struct {
	state  store.State
	status store.MarketStatus
	share  int // per mille
}{
	{store.StateShipped, store.StatusInTransit, 600}, {store.StateTracking, store.StatusAwaitingCollection, 50},
	{store.StatePushed, store.StatusAwaitingShipment, 100}, {store.StateQueued, store.StatusAwaitingShipment, 100},
	{store.StateReady, store.StatusAwaitingShipment, 50}, {store.StateNew, store.StatusOnHold, 40},
	{store.StateFailed, store.StatusAwaitingShipment, 30}, {store.StateDead, store.StatusAwaitingShipment, 10},
	{store.StateHeld, store.StatusAwaitingShipment, 10}, {store.StateCancelled, store.StatusCancelled, 10},
}

// bigShopOrder makes order i of a big synthetic shop.
func bigShopOrder(r *rand.Rand, i int, now time.Time) store.Order {
	pick := r.IntN(1000)
	st := measureStates[0]
	for _, s := range measureStates {
		if pick < s.share {
			st = s
			break
		}
		pick -= s.share
	}
	created := now.Add(-time.Duration(r.IntN(10*24*3600)) * time.Second)
	o := store.Order{
		ID: fmt.Sprintf("5770%014d", i), Status: st.status, State: st.state, Source: "tiktok",
		CreateTime: created, RTSSLATime: created.Add(time.Duration(24+r.IntN(48)) * time.Hour),
		Recipient: store.Address{Name: fmt.Sprintf("Buyer %d", r.IntN(100000)), City: "Austin",
			PostalCode: fmt.Sprintf("%05d", r.IntN(99999)), Country: "US"},
		LineItems: []store.LineItem{{SKU: fmt.Sprintf("SKU-%04d", r.IntN(5000)), Quantity: 1 + r.IntN(3),
			PriceCents: int64(500 + r.IntN(10000)), WeightGrams: 100 + r.IntN(2000)}},
	}
	if st.state != store.StateNew && st.state != store.StateReady {
		o.Push = &store.Push{Carrier: []string{"swift", "steady", "flaky"}[r.IntN(3)], Generation: 1, IdempotencyKey: o.ID + "-1"}
	}
	if st.state == store.StateFailed || st.state == store.StateDead {
		o.Attempts, o.ErrorClass, o.Reason = 1+r.IntN(5), "retryable", "503 from carrier: upstream timeout"
		o.NextAttemptAt = now.Add(time.Duration(r.IntN(3600)) * time.Second)
	}
	return o
}

// buildBigStore writes n orders into a store in dir with the bulk path, and
// closes it, as after an import and a restart.
func buildBigStore(b *testing.B, dir string, n int, now time.Time) {
	b.Helper()
	st, err := store.Open(dir, store.Options{GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const chunk = 100_000
	for from := 0; from < n; from += chunk {
		orders := make([]store.Order, min(chunk, n-from))
		for i := range orders {
			orders[i] = bigShopOrder(r, from+i, now)
		}
		if err := st.BulkPut(context.Background(), orders); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkColdStartFirstFrame1M is the console's cold start with a
// million orders in a real store: open the store, read the counts and the
// first pages (the panes fetch them), lay out 120×40 and render the first
// complete frame. The store is built once per benchmark run (about half a
// minute), outside the timer.
func BenchmarkColdStartFirstFrame1M(b *testing.B) {
	measuring(b)
	const n = 1_000_000
	now := time.Now()
	dir := b.TempDir()
	start := time.Now()
	buildBigStore(b, dir, n, now)
	b.Logf("built a store of %d orders in %s", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	var total, opening, counting time.Duration
	ops := 0
	for b.Loop() {
		t0 := time.Now()
		st, err := store.Open(dir, store.Options{GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		eng, err := newStoreEngine(ctx, st, now)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		opening += t1.Sub(t0)
		counting += t2.Sub(t1)
		m, err := New(eng, Options{Actor: operator, Theme: theme.New(theme.Options{Dark: true}), Now: time.Now})
		if err != nil {
			b.Fatal(err)
		}
		m.c.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
		h := &harness{t: b, m: m, eng: eng}
		h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
		h.sync()
		frame := m.View().Content
		total += time.Since(t0)
		ops++

		b.StopTimer()
		first, err := st.Failed(ctx, 0, 1)
		if err != nil || len(first) == 0 {
			b.Fatalf("no failed order to look for (%v)", err)
		}
		screen := ansi.Strip(frame)
		for _, want := range []string{fmt.Sprintf("queued %d", eng.snap.Counts.ByState[store.StateQueued]), first[0].ID} {
			if !strings.Contains(screen, want) {
				b.Fatalf("the first frame lacks %q:\n%s", want, screen)
			}
		}
		m.Close()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(ops) }
	b.ReportMetric(ms(total), "ms/first-frame")
	b.ReportMetric(ms(opening), "ms/open")
	b.ReportMetric(ms(counting), "ms/counts")
	b.ReportMetric(ms(total-opening-counting), "ms/pages+frame")
}

// countingWriter counts what a program writes to its terminal.
type countingWriter struct {
	mu     gosync.Mutex
	bytes  int64
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes += int64(len(p))
	c.writes++
	return len(p), nil
}

func (c *countingWriter) read() (int64, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.writes
}

// liveShop changes the fixture a little, as a live shop does between two
// snapshots: a call is spent, an order arrives, and now and then the most
// urgent queued order ships.
type liveShop struct {
	eng   *tuitest.Engine
	now   time.Time
	quota store.QuotaStatus
	tick  int
}

func newLiveShop(now time.Time) *liveShop {
	eng := tuitest.Fixture(now)
	q := store.QuotaStatus{Day: now.Format("2006-01-02"), Limit: 5000, Used: 312, Remaining: 4688, Reserve: 500,
		ByKind:  map[store.CallKind]int{store.CallPoll: 201, store.CallDetail: 77, store.CallWriteBack: 31, store.CallOperator: 3},
		ResetAt: now.Add(5*time.Hour + 12*time.Minute), NextPoll: now.Add(42 * time.Second), PerSecond: 50}
	eng.SetQuota(q)
	return &liveShop{eng: eng, now: now, quota: q}
}

func (s *liveShop) step() {
	s.tick++
	s.quota.Used++
	s.quota.Remaining--
	s.quota.ByKind[store.CallDetail]++
	q := s.quota
	q.ByKind = map[store.CallKind]int{}
	for k, v := range s.quota.ByKind {
		q.ByKind[k] = v
	}
	s.eng.SetQuota(q)
	id := fmt.Sprintf("ORD-LIVE-%05d", s.tick)
	s.eng.Add(store.Order{ID: id, Status: store.StatusAwaitingShipment, State: store.StateQueued,
		CreateTime: s.now, RTSSLATime: s.now.Add(time.Duration(100+s.tick) * time.Hour),
		Recipient: store.Address{Name: "New Buyer", City: "Austin", Country: "US"},
		LineItems: []store.LineItem{{SKU: "SKU-MUG-07", Quantity: 1}},
		Push:      &store.Push{Carrier: "fastship", Generation: 1}})
	if s.tick%5 == 0 {
		if top, _ := s.eng.Queue(context.Background(), store.StateQueued, 0, 1); len(top) == 1 {
			o := top[0]
			o.State, o.Status = store.StateShipped, store.StatusInTransit
			s.eng.Add(o)
		}
	}
	s.eng.Publish()
}

// TestMeasureIdleConsoleBytes measures what an idle console with live
// panes writes to its terminal at 120×40 while the engine publishes a
// snapshot every 100 ms, against repainting the whole screen on every
// update.
func TestMeasureIdleConsoleBytes(t *testing.T) {
	measuring(t)
	const (
		w, h     = 120, 40
		window   = 10 * time.Second
		interval = 100 * time.Millisecond
	)
	now := time.Now()
	shop := newLiveShop(now)
	m, err := New(shop.eng, Options{Actor: operator, Theme: theme.New(theme.Options{Dark: true}), Now: time.Now,
		ExportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out := &countingWriter{}
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(w, h),
		tea.WithColorProfile(colorprofile.ANSI256), tea.WithoutSignalHandler(), tea.WithFPS(30))
	ran := make(chan error, 1)
	go func() {
		_, err := p.Run()
		ran <- err
	}()
	defer func() {
		p.Quit()
		if err := <-ran; err != nil {
			t.Errorf("program: %v", err)
		}
		m.Close()
	}()
	// The full repaint of the same updates, drawn by a second console
	// driven in step.
	full := newHarness(t, shop.eng, operator, w, h)

	// Let the first frame (a full paint) go out, then count from there.
	time.Sleep(time.Second)
	firstBytes, firstWrites := out.read()
	updates, fullBytes := 0, int64(0)
	start := time.Now()
	for time.Since(start) < window {
		time.Sleep(interval)
		shop.step()
		full.sync()
		fullBytes += int64(len(full.m.View().Content))
		updates++
	}
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond) // the last frame
	b, writes := out.read()
	diffBytes, frames := b-firstBytes, writes-firstWrites
	perMin := func(n int64) float64 { return float64(n) * float64(time.Minute) / float64(elapsed) }
	t.Logf("first frame: %d bytes in %d writes", firstBytes, firstWrites)
	t.Logf("live console (diff renderer, 30 fps cap): %d bytes in %d writes over %s with %d updates: %.0f bytes/min, %.1f writes/s",
		diffBytes, frames, elapsed.Round(time.Millisecond), updates, perMin(diffBytes), float64(frames)/elapsed.Seconds())
	t.Logf("full repaint per update: %d updates × %d bytes avg = %.0f bytes/min",
		updates, fullBytes/int64(max(updates, 1)), perMin(fullBytes))
	t.Logf("ratio live/full = %.1f%% (target ≤ 10%%); against the renderer's own full paint (%d bytes) per update: %.1f%%",
		100*float64(diffBytes)/float64(max(fullBytes, 1)), firstBytes, 100*float64(diffBytes)/float64(max(firstBytes*int64(updates), 1)))
}
