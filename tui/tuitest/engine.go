// Package tuitest provides engines for testing and benchmarking the
// shipdeck console without a store or a worker: Engine keeps a small set of
// orders in memory and behaves like the real engine (commands change state
// and write audit entries, viewers are refused, search is fuzzy), and
// Synthetic serves any number of generated orders by index without
// materialising them.
package tuitest

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
)

// ErrForbidden is returned (wrapped) when the actor's role may not run a
// command.
var ErrForbidden = errors.New("not allowed for this role")

// ErrRefused is matched by every refusal: a command that does not apply to
// the order's state. The rules are the engine's own (package policy).
var ErrRefused = policy.ErrRefused

// Engine is an in-memory engine with real command behaviour. It is safe for
// concurrent use, because the console calls it from commands.
type Engine struct {
	mu       gosync.Mutex
	now      func() time.Time
	orders   map[string]*store.Order
	attempts map[string][]store.Attempt
	audit    []store.AuditEntry
	stats    []store.CarrierStats
	quota    store.QuotaStatus
	// health and reconcile are the account-health estimate and the latest
	// reconciliation the snapshot reports.
	health    store.AccountHealth
	reconcile store.ReconcileReport
	alerts    []store.Alert
	worker    store.WorkerStatus
	shop      string
	demo      bool
	seq       uint64
	auditSeq  uint64
	subs      map[int]chan store.Snapshot
	nextSub   int
	calls     map[string]int
	activity  []store.Activity
}

// New returns an empty engine on the given clock.
func New(now func() time.Time) *Engine {
	return &Engine{
		now:      now,
		orders:   map[string]*store.Order{},
		attempts: map[string][]store.Attempt{},
		subs:     map[int]chan store.Snapshot{},
		calls:    map[string]int{},
		shop:     "Test Shop",
		worker:   store.WorkerStatus{State: store.WorkerSleeping},
	}
}

// Add stores orders (replacing any with the same id).
func (e *Engine) Add(orders ...store.Order) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, o := range orders {
		c := o.Clone()
		e.orders[o.ID] = &c
	}
}

// AddAttempts records attempts for the detail view.
func (e *Engine) AddAttempts(as ...store.Attempt) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range as {
		e.attempts[a.OrderID] = append(e.attempts[a.OrderID], a)
	}
}

// SetCarriers sets the carriers and their stats.
func (e *Engine) SetCarriers(stats ...store.CarrierStats) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats = slices.Clone(stats)
}

// SetQuota sets the quota status the snapshot reports.
func (e *Engine) SetQuota(q store.QuotaStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.quota = q
}

// SetAccount sets the account-health estimate and reconciliation the
// snapshot reports.
func (e *Engine) SetAccount(h store.AccountHealth, r store.ReconcileReport) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.health, e.reconcile = h, r
}

// SetWorker sets the worker status the snapshot reports.
func (e *Engine) SetWorker(w store.WorkerStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.worker = w
}

// SetAlerts sets the firing alerts the snapshot reports.
func (e *Engine) SetAlerts(a ...store.Alert) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.alerts = slices.Clone(a)
}

// SetShop sets the shop name and demo flag.
func (e *Engine) SetShop(name string, demo bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.shop, e.demo = name, demo
}

// Order returns a stored order.
func (e *Engine) Order(id string) (store.Order, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		return store.Order{}, false
	}
	return o.Clone(), true
}

// AuditFor returns the audit entries of one order, oldest first.
func (e *Engine) AuditFor(id string) []store.AuditEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.auditForLocked(id)
}

func (e *Engine) auditForLocked(id string) []store.AuditEntry {
	var out []store.AuditEntry
	for _, a := range e.audit {
		if a.OrderID == id {
			out = append(out, a)
		}
	}
	return out
}

// Calls counts how often a method was called (by method name).
func (e *Engine) Calls(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method]
}

// Publish sends the current snapshot to every subscriber, dropping a stale
// one that was not read yet, like the real engine's coalescing.
func (e *Engine) Publish() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.publishLocked()
}

func (e *Engine) publishLocked() {
	snap := e.snapshotLocked()
	for _, ch := range e.subs {
		select {
		case <-ch:
		default:
		}
		ch <- snap
	}
}

// Snapshot implements the console's engine interface.
func (e *Engine) Snapshot() store.Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Snapshot"]++
	return e.snapshotLocked()
}

func (e *Engine) snapshotLocked() store.Snapshot {
	e.seq++
	c := store.Counts{ByState: map[store.State]int64{}, ByStatus: map[store.MarketStatus]int64{}}
	for _, o := range e.orders {
		c.ByState[o.State]++
		c.ByStatus[o.Status]++
		c.Total++
	}
	return store.Snapshot{
		At: e.now(), Shop: e.shop, Demo: e.demo, Worker: e.worker, Counts: c, Quota: e.quota,
		Carriers: slices.Clone(e.stats), Health: e.health, Reconcile: e.reconcile, Alerts: slices.Clone(e.alerts), Seq: e.seq,
	}
}

// Subscribe implements the console's engine interface.
func (e *Engine) Subscribe() (<-chan store.Snapshot, func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Subscribe"]++
	id := e.nextSub
	e.nextSub++
	ch := make(chan store.Snapshot, 1)
	e.subs[id] = ch
	var once gosync.Once
	return ch, func() {
		once.Do(func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			delete(e.subs, id)
		})
	}
}

// sorted returns the orders keep selects, by ship-by then id.
func (e *Engine) sorted(keep func(*store.Order) bool) []*store.Order {
	var out []*store.Order
	for _, o := range e.orders {
		if keep(o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *store.Order) int {
		if c := a.ShipBy().Compare(b.ShipBy()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func page(os []*store.Order, offset, limit int) []store.Order {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(os) || limit <= 0 {
		return nil
	}
	end := min(len(os), offset+limit)
	out := make([]store.Order, 0, end-offset)
	for _, o := range os[offset:end] {
		out = append(out, o.Clone())
	}
	return out
}

// Queue implements the console's engine interface.
func (e *Engine) Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Queue"]++
	return page(e.sorted(func(o *store.Order) bool { return o.State == state }), offset, limit), ctx.Err()
}

// QueueByStatus implements the console's engine interface.
func (e *Engine) QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["QueueByStatus"]++
	return page(e.sorted(func(o *store.Order) bool { return o.Status == status }), offset, limit), ctx.Err()
}

// Failed implements the console's engine interface: failed and dead orders
// by ship-by.
func (e *Engine) Failed(ctx context.Context, offset, limit int) ([]store.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Failed"]++
	return page(e.sorted(func(o *store.Order) bool {
		return o.State == store.StateFailed || o.State == store.StateDead
	}), offset, limit), ctx.Err()
}

// AddActivity appends entries to the activity log.
func (e *Engine) AddActivity(as ...store.Activity) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range as {
		e.addActivityLocked(a)
	}
}

func (e *Engine) addActivityLocked(a store.Activity) {
	a.Seq = uint64(len(e.activity) + 1)
	if a.Level == "" {
		a.Level = "info"
	}
	e.activity = append(e.activity, a)
}

// Activity implements the console's engine interface: newest first, the
// entries whose text, kind, carrier, order or operator mention query.
func (e *Engine) Activity(ctx context.Context, before uint64, n int, query string) ([]store.Activity, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Activity"]++
	q := strings.ToLower(query)
	var out []store.Activity
	for i := len(e.activity) - 1; i >= 0 && len(out) < n; i-- {
		a := e.activity[i]
		if before > 0 && a.Seq >= before {
			continue
		}
		text := strings.ToLower(string(a.Kind) + " " + a.Text + " " + a.Carrier + " " + a.OrderID + " " + a.Who)
		if strings.Contains(text, q) {
			out = append(out, a)
		}
	}
	return out, ctx.Err()
}

// CarrierHistory implements the console's engine interface from the
// recorded attempts and the activity log's circuit entries.
func (e *Engine) CarrierHistory(ctx context.Context, name string, n int) (store.CarrierHistory, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var h store.CarrierHistory
	var calls []store.Attempt
	for _, as := range e.attempts {
		for _, a := range as {
			if a.Carrier == name {
				calls = append(calls, a)
			}
		}
	}
	slices.SortFunc(calls, func(a, b store.Attempt) int { return b.At.Compare(a.At) })
	for _, a := range calls[:min(n, len(calls))] {
		h.Calls = append(h.Calls, store.LatencySample{Carrier: name, At: a.At, Latency: a.Latency,
			OK: a.Outcome == store.OutcomeSuccess, Kind: a.Kind, OrderID: a.OrderID, Error: a.Error})
	}
	for i := len(e.activity) - 1; i >= 0 && len(h.Circuit) < n; i-- {
		if a := e.activity[i]; a.Kind == store.ActivityCircuit && a.Carrier == name {
			h.Circuit = append(h.Circuit, a)
		}
	}
	return h, ctx.Err()
}

// Matching implements the console's engine interface.
func (e *Engine) Matching(ctx context.Context, f store.Filter, offset, limit int) ([]store.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Matching"]++
	return page(e.sorted(f.Matches), offset, limit), ctx.Err()
}

// OrderDetail implements the console's engine interface.
func (e *Engine) OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["OrderDetail"]++
	o, ok := e.orders[id]
	if !ok {
		return store.Order{}, nil, nil, fmt.Errorf("order %s: %w", id, store.ErrNotFound)
	}
	return o.Clone(), slices.Clone(e.attempts[id]), e.auditForLocked(id), nil
}

// Audit implements the console's engine interface.
func (e *Engine) Audit(ctx context.Context, n int) ([]store.AuditEntry, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.audit)
	slices.Reverse(out)
	if n < len(out) {
		out = out[:n]
	}
	return out, nil
}

// Carriers implements the console's engine interface: the carriers SetCarriers
// gave stats for.
func (e *Engine) Carriers() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.carriersLocked()
}

func (e *Engine) carriersLocked() []string {
	names := make([]string, len(e.stats))
	for i, s := range e.stats {
		names[i] = s.Name
	}
	return names
}

// Export implements the console's engine interface: id, state, carrier and
// buyer of the view's orders as CSV.
func (e *Engine) Export(ctx context.Context, actor store.Actor, view string, w io.Writer) (int, error) {
	if err := allow(actor, store.RoleOperator, "export"); err != nil {
		return 0, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls["Export"]++
	keep := func(o *store.Order) bool { return string(o.State) == view || view == "all" }
	if view == "failed" {
		keep = func(o *store.Order) bool { return o.State == store.StateFailed || o.State == store.StateDead }
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "state", "carrier", "buyer", "attempts"})
	n := 0
	for _, o := range e.sorted(keep) {
		if err := cw.Write([]string{o.ID, string(o.State), o.Carrier(), o.Buyer(), strconv.Itoa(o.Attempts)}); err != nil {
			return n, fmt.Errorf("export %s: %w", view, err)
		}
		n++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export %s: %w", view, err)
	}
	return n, nil
}

func allow(actor store.Actor, need store.Role, action string) error {
	if actor.Role < need {
		return fmt.Errorf("%s: %w (%s is %s; needs %s)", action, ErrForbidden, actor.Name, actor.Role, need)
	}
	return nil
}

func refuse(action, id, why string) error {
	return policy.Refuse(policy.Action(action), id, why)
}
