package tuitest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// ErrReadOnly is returned by Synthetic's commands.
var ErrReadOnly = errors.New("synthetic engine is read-only")

// stateCycle is how Synthetic spreads orders over states: order i is in
// stateCycle[i % len(stateCycle)].
var stateCycle = []store.State{
	store.StateQueued, store.StateQueued, store.StateQueued, store.StateReady, store.StateShipped,
	store.StateShipped, store.StatePushed, store.StateFailed, store.StateDead, store.StateTracking,
	store.StateQueued, store.StateHeld, store.StateNew, store.StatePushing, store.StateUnknown, store.StateCancelled,
}

var (
	buyers   = []string{"Ada Lovelace", "Grace Hopper", "Zoë Müller", "王芳", "Linus B.", "Margaret H.", "Ken T.", "Barbara L."}
	cities   = []string{"Austin", "Denver", "Phoenix", "Boston", "Seattle", "Miami"}
	skus     = []string{"SKU-PEN-449", "SKU-BOOK-123", "SKU-MUG-07", "SKU-TEE-XL", "SKU-CAP-02"}
	carriers = []string{"fastship", "slowpost", "flakyexpress"}
)

// Synthetic is a read-only engine over n generated orders. Order i is made
// on demand from its index, so a page costs the same with a thousand
// orders or a million, and nothing is held in memory.
type Synthetic struct {
	n    int
	base time.Time
	snap store.Snapshot
	// positions[s] are the cycle positions holding state s.
	positions map[store.State][]int
}

// NewSynthetic returns an engine over n orders whose ship-by deadlines
// start at base.
func NewSynthetic(n int, base time.Time) *Synthetic {
	s := &Synthetic{n: n, base: base, positions: map[store.State][]int{}}
	for p, st := range stateCycle {
		s.positions[st] = append(s.positions[st], p)
	}
	c := store.Counts{ByState: map[store.State]int64{}, ByStatus: map[store.MarketStatus]int64{}, Total: int64(n)}
	for st, pos := range s.positions {
		for _, p := range pos {
			k := s.countAt(p)
			c.ByState[st] += int64(k)
			c.ByStatus[statusOf(st)] += int64(k)
		}
	}
	stats := make([]store.CarrierStats, len(carriers))
	for i, name := range carriers {
		spark := make([]float64, 60)
		for j := range spark {
			spark[j] = float64(40 + (i*37+j*13)%90)
		}
		stats[i] = store.CarrierStats{Name: name, Kind: "rest", P50: time.Duration(40+i*60) * time.Millisecond,
			P95: time.Duration(120+i*200) * time.Millisecond, P99: time.Duration(300+i*500) * time.Millisecond,
			Calls: 1000 * (i + 1), ErrorRate: float64(i) * 0.04, InFlight: i, Circuit: store.CircuitClosed, Spark: spark}
	}
	s.snap = store.Snapshot{At: base, Shop: "Synthetic Shop", Demo: true, Seq: 1,
		Worker: store.WorkerStatus{State: store.WorkerSleeping, NextPoll: base.Add(42 * time.Second)},
		Counts: c, Carriers: stats,
		Quota: store.QuotaStatus{Day: base.Format("2006-01-02"), Limit: 500, Used: 312, Remaining: 188, Reserve: 40,
			ByKind:  map[store.CallKind]int{store.CallPoll: 200, store.CallDetail: 80, store.CallWriteBack: 30, store.CallOperator: 2},
			ResetAt: base.Add(5 * time.Hour), NextPoll: base.Add(42 * time.Second), PerSecond: 50}}
	return s
}

// countAt is how many of the n orders sit at cycle position p.
func (s *Synthetic) countAt(p int) int {
	l := len(stateCycle)
	k := s.n / l
	if p < s.n%l {
		k++
	}
	return k
}

func statusOf(st store.State) store.MarketStatus {
	switch st {
	case store.StateNew:
		return store.StatusOnHold
	case store.StateShipped, store.StateTracking:
		return store.StatusInTransit
	case store.StateCancelled:
		return store.StatusCancelled
	}
	return store.StatusAwaitingShipment
}

// order makes order i.
func (s *Synthetic) order(i int) store.Order {
	st := stateCycle[i%len(stateCycle)]
	o := store.Order{
		ID: fmt.Sprintf("ORD-%08d", i), Status: statusOf(st), State: st,
		CreateTime:    s.base.Add(-48 * time.Hour),
		RTSSLATime:    s.base.Add(time.Duration(i)*7*time.Second - 6*time.Hour),
		Recipient:     store.Address{Name: buyers[i%len(buyers)], City: cities[i%len(cities)]},
		LineItems:     []store.LineItem{{SKU: skus[i%len(skus)], Quantity: 1 + i%3}},
		Attempts:      i % 5,
		Push:          &store.Push{Carrier: carriers[i%len(carriers)], Generation: 1},
		ErrorClass:    "retryable",
		Reason:        "503 from carrier: upstream timeout",
		NextAttemptAt: s.base.Add(time.Duration(i%600) * time.Second),
	}
	return o
}

// pageOf returns the orders of a state-like bucket (cycle positions pos) at
// [offset, offset+limit).
func (s *Synthetic) pageOf(pos []int, offset, limit int) []store.Order {
	if len(pos) == 0 || limit <= 0 || offset < 0 {
		return nil
	}
	out := make([]store.Order, 0, limit)
	for j := offset; j < offset+limit; j++ {
		i := (j/len(pos))*len(stateCycle) + pos[j%len(pos)]
		if i >= s.n {
			break
		}
		out = append(out, s.order(i))
	}
	return out
}

// Snapshot implements the console's engine interface.
func (s *Synthetic) Snapshot() store.Snapshot { return s.snap }

// Subscribe implements the console's engine interface; nothing is ever
// published.
func (s *Synthetic) Subscribe() (<-chan store.Snapshot, func()) {
	return make(chan store.Snapshot), func() {}
}

// Queue implements the console's engine interface.
func (s *Synthetic) Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error) {
	return s.pageOf(s.positions[state], offset, limit), nil
}

// QueueByStatus implements the console's engine interface.
func (s *Synthetic) QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error) {
	var pos []int
	for p, st := range stateCycle {
		if statusOf(st) == status {
			pos = append(pos, p)
		}
	}
	return s.pageOf(pos, offset, limit), nil
}

// Failed implements the console's engine interface.
func (s *Synthetic) Failed(ctx context.Context, offset, limit int) ([]store.Order, error) {
	var pos []int
	for p, st := range stateCycle {
		if st == store.StateFailed || st == store.StateDead {
			pos = append(pos, p)
		}
	}
	return s.pageOf(pos, offset, limit), nil
}

// Matching implements the console's engine interface over the filter's
// states; synthetic orders are spread over every carrier and class, so a
// carrier or class narrows nothing here.
func (s *Synthetic) Matching(ctx context.Context, f store.Filter, offset, limit int) ([]store.Order, error) {
	var pos []int
	for p, st := range stateCycle {
		if slices.Contains(f.StatesOrDefault(), st) {
			pos = append(pos, p)
		}
	}
	return s.pageOf(pos, offset, limit), nil
}

// All returns every order in display order of the given state, for the
// naive baseline benchmark (which is exactly what the console avoids).
func (s *Synthetic) All(state store.State) []store.Order {
	pos := s.positions[state]
	n := 0
	for _, p := range pos {
		n += s.countAt(p)
	}
	return s.pageOf(pos, 0, n)
}

// OrderDetail implements the console's engine interface.
func (s *Synthetic) OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error) {
	var i int
	if _, err := fmt.Sscanf(id, "ORD-%d", &i); err != nil || i < 0 || i >= s.n {
		return store.Order{}, nil, nil, fmt.Errorf("order %s: %w", id, store.ErrNotFound)
	}
	return s.order(i), nil, nil, nil
}

// Audit implements the console's engine interface.
func (s *Synthetic) Audit(ctx context.Context, n int) ([]store.AuditEntry, error) { return nil, nil }

// Activity implements the console's engine interface; the synthetic shop
// records none.
func (s *Synthetic) Activity(ctx context.Context, before uint64, n int, query string) ([]store.Activity, error) {
	return nil, nil
}

// CarrierHistory implements the console's engine interface; the synthetic
// shop records none.
func (s *Synthetic) CarrierHistory(ctx context.Context, name string, n int) (store.CarrierHistory, error) {
	return store.CarrierHistory{}, nil
}

// Search implements the console's engine interface; it finds nothing.
func (s *Synthetic) Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error) {
	return nil, nil
}

// Carriers implements the console's engine interface.
func (s *Synthetic) Carriers() []string { return append([]string(nil), carriers...) }

// Retry implements the console's engine interface; it is refused.
func (s *Synthetic) Retry(ctx context.Context, actor store.Actor, orderID string) error {
	return ErrReadOnly
}

// CountMatching implements the console's engine interface.
func (s *Synthetic) CountMatching(ctx context.Context, f store.Filter) (int, error) {
	n := int64(0)
	for _, st := range f.StatesOrDefault() {
		n += s.snap.Counts.ByState[st]
	}
	return int(n), nil
}

// RetryMatching implements the console's engine interface; it is refused.
func (s *Synthetic) RetryMatching(ctx context.Context, actor store.Actor, f store.Filter) (int, error) {
	return 0, ErrReadOnly
}

// Reroute implements the console's engine interface; it is refused.
func (s *Synthetic) Reroute(ctx context.Context, actor store.Actor, orderID, carrier string) error {
	return ErrReadOnly
}

// Hold implements the console's engine interface; it is refused.
func (s *Synthetic) Hold(ctx context.Context, actor store.Actor, orderID string) error {
	return ErrReadOnly
}

// Release implements the console's engine interface; it is refused.
func (s *Synthetic) Release(ctx context.Context, actor store.Actor, orderID string) error {
	return ErrReadOnly
}

// Resolve implements the console's engine interface; it is refused.
func (s *Synthetic) Resolve(ctx context.Context, actor store.Actor, orderID, reason string) error {
	return ErrReadOnly
}

// SetPaused implements the console's engine interface; it is refused.
func (s *Synthetic) SetPaused(ctx context.Context, actor store.Actor, paused bool) error {
	return ErrReadOnly
}

// Export implements the console's engine interface; it is refused.
func (s *Synthetic) Export(ctx context.Context, actor store.Actor, view string, w io.Writer) (int, error) {
	return 0, ErrReadOnly
}
