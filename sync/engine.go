// Package sync is shipdeck's sync engine: it polls TikTok Shop within the
// quota, routes each eligible order to a carrier, pushes it exactly once,
// retries, reads tracking back, writes it to TikTok, and serves the console
// its snapshots, pages and commands.
//
// The package name shadows the standard library's; inside it the standard
// package is imported as gosync.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/search"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/account"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/tiktok"
	"github.com/shipdeck/shipdeck/zone"
)

// Marketplace is the part of the TikTok Shop client the engine uses.
type Marketplace interface {
	SearchOrders(ctx context.Context, req tiktok.SearchRequest, pageToken string, pageSize int) (tiktok.SearchData, error)
	OrderDetail(ctx context.Context, ids []string) ([]tiktok.Order, error)
	ShippingProviders(ctx context.Context, deliveryOptionID string) ([]tiktok.ShippingProvider, error)
	ShipPackage(ctx context.Context, packageID string, req tiktok.ShipPackageRequest) (tiktok.ShipData, error)
	UpdateShippingInfo(ctx context.Context, orderID string, req tiktok.UpdateShippingInfoRequest) (tiktok.ShipData, error)
	MarkPackageShipped(ctx context.Context, orderID string, req tiktok.MarkShippedRequest) (tiktok.MarkShippedData, error)
	UpdatePackageShippingInfo(ctx context.Context, packageID string, req tiktok.UpdateShippingInfoRequest) (tiktok.ShipData, error)
	// Shops lists the shops that authorized the app (Get Authorized
	// Shops); SetShopCipher picks the one shop-scoped calls go to.
	Shops(ctx context.Context) ([]tiktok.Shop, error)
	SetShopCipher(cipher string)
	ShopCipher() string
}

// Planner is the quota planner the engine asks before every TikTok call.
type Planner interface {
	Reserve(ctx context.Context, kind store.CallKind, n int) error
	NoteRateLimited(ctx context.Context, at time.Time) error
	NextPoll(ctx context.Context, now time.Time) (time.Time, error)
	Status(ctx context.Context, now time.Time) (store.QuotaStatus, error)
	// NotePoll tells the planner how many orders a poll found, so it can
	// notice a burst and poll more while it lasts.
	NotePoll(ctx context.Context, at time.Time, found int)
}

// Carrier is a configured carrier with the limits the pipeline applies.
type Carrier struct {
	carrier.Carrier
	// MaxInFlight caps concurrent pushes to this carrier (default 8).
	MaxInFlight int
	// TransitDays is the carrier's transit time, for deliver-by checks.
	TransitDays int
	// ProviderID is the TikTok shipping_provider_id its tracking is written
	// back with.
	ProviderID string
	// Providers maps the carrier codes the 3PL reports with tracking
	// (ShipStation's stamps_com, ups_walleted, ...) to TikTok shipping
	// providers; nil takes carrier.DefaultProviders.
	Providers carrier.ProviderMap
}

// Config tunes the engine. Zero values take the defaults noted.
type Config struct {
	// Shop is the shop name shown in the header.
	Shop string
	// ShopCipher is the configured [shop] shop_cipher; empty means
	// discover it with Get Authorized Shops and keep it in the store.
	ShopCipher string
	// ShopID is [shop] shop_id: which shop to work for when several
	// authorized the app.
	ShopID string
	// Zone is the display time zone of exports (default local).
	Zone zone.Zone
	// Demo marks the console as running on the built-in simulator.
	Demo bool
	// MinInterval is the shortest gap between polls (default 1 minute); a
	// restart polls at once when the last poll is older than it.
	MinInterval time.Duration
	// Overlap is subtracted from the cursor on each incremental search
	// (default 2 minutes), so orders updated at the boundary are not missed.
	Overlap time.Duration
	// SweepEvery is how often a reconciliation sweep searches the last
	// SweepWindow again (default 6 h over 24 h); zero SweepWindow disables.
	SweepEvery  time.Duration
	SweepWindow time.Duration
	// Lease is how long a push may stay in flight before it is treated as
	// unknown (default 2 minutes; longer than any carrier timeout).
	Lease time.Duration
	// Backoff is the retry policy for failed pushes and write-backs; its zero
	// fields take backoff's defaults (8 attempts, 1 s doubling to 5 min).
	Backoff backoff.Policy
	// TrackEvery is how often pushed orders are asked for tracking
	// (default 1 minute).
	TrackEvery time.Duration
	// AutoFailover moves queued orders to the route's fallback while a
	// carrier's circuit is open.
	AutoFailover bool
	// Batch is how many orders one pipeline pass claims per stage
	// (default 200).
	Batch int
	// SnapshotEvery is the minimum gap between snapshots (default 100 ms,
	// at most 10 a second).
	SnapshotEvery time.Duration
	// Seed seeds the retry jitter (0: random).
	Seed uint64
	// RemorseWindow is how long an order that skipped ON_HOLD waits after
	// payment before it is pushed ([policy] remorse_window, default 1 hour).
	RemorseWindow time.Duration
	// Account sets the account-health windows and thresholds; HealthEvery
	// is how often the estimate is refreshed (default 5 minutes).
	Account     account.Config
	HealthEvery time.Duration
	// Costs prices the 3PLs' orders against FBT for the console, over the
	// last 30 days, each time the health estimate is refreshed.
	Costs account.CostConfig
	// ReconcileEvery is how often TikTok, the 3PLs and the store are
	// cross-checked over the last ReconcileWindow (default 7 days); the
	// first run comes one interval after the start, so a restart loop never
	// floods the 3PLs with lookups. Zero disables the periodic run.
	ReconcileEvery  time.Duration
	ReconcileWindow time.Duration
	// Speed is how much faster than real time the clock runs (default 1;
	// the demo accelerates it). Waits computed on the clock are divided by it.
	Speed float64
}

func (c *Config) defaults() {
	if c.MinInterval == 0 {
		c.MinInterval = time.Minute
	}
	if c.Overlap == 0 {
		c.Overlap = 2 * time.Minute
	}
	if c.SweepEvery == 0 {
		c.SweepEvery = 6 * time.Hour
	}
	if c.SweepWindow == 0 {
		c.SweepWindow = 24 * time.Hour
	}
	if c.Lease == 0 {
		c.Lease = 2 * time.Minute
	}
	if c.TrackEvery == 0 {
		c.TrackEvery = time.Minute
	}
	if c.Batch == 0 {
		c.Batch = 200
	}
	if c.Speed <= 0 {
		c.Speed = 1
	}
	if c.HealthEvery == 0 {
		c.HealthEvery = 5 * time.Minute
	}
	if c.ReconcileWindow == 0 {
		c.ReconcileWindow = 7 * 24 * time.Hour
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = 100 * time.Millisecond
	}
}

// Deps are the engine's collaborators. Store, Router, Planner and Carriers
// are required; Marketplace may be nil for import-only runs.
type Deps struct {
	Store       *store.Store
	Marketplace Marketplace
	Planner     Planner
	Router      *route.Router
	Carriers    []Carrier
	Health      *health.Tracker
	Breakers    *health.Breakers
	// Search is the fuzzy order index; Run fills it from the store and the
	// store's OnOrders hook keeps it current (see IndexOrders).
	Search *search.Index
	// Now is the clock (default time.Now); the demo runs it accelerated.
	Now    func() time.Time
	Logger *slog.Logger
	// Observers receive the engine's events (logs, metrics, alerts).
	Observers []Observer
}

// Engine is the sync worker. It is safe for concurrent use by several
// console sessions.
type Engine struct {
	cfg       Config
	st        *store.Store
	mp        Marketplace
	planner   Planner
	router    *route.Router
	carriers  map[string]*carrierSlot
	names     []string
	health    *health.Tracker
	breakers  *health.Breakers
	search    *search.Index
	now       func() time.Time
	log       *slog.Logger
	rules     policy.Rules
	observers []Observer

	rndMu gosync.Mutex
	rnd   *rand.Rand

	wake    chan struct{} // nudges the pipeline
	pollNow chan []string // webhook-triggered detail fetches

	mu        gosync.Mutex
	paused    bool
	worker    store.WorkerStatus
	providers map[string]string // delivery option + carrier code → provider id
	// shop is the cipher shop-scoped calls use (shop.go).
	shop shopCipher
	// limitedUntil is when TikTok's rate limit lets calls resume, and
	// limitedStreak counts consecutive 429s (ratelimit.go).
	limitedUntil  time.Time
	limitedStreak int
	// deauthorized: TikTok said the seller removed the app (notify.go).
	deauthorized bool
	// inflight holds the orders this process has claimed and not yet
	// recorded, so the lease sweep never takes one that is merely waiting.
	inflight map[string]struct{}
	snap     store.Snapshot
	// accountHealth and lastReconcile are the latest estimate and
	// cross-check, for snapshots.
	accountHealth store.AccountHealth
	lastReconcile store.ReconcileReport
	costs         store.CostReport
	subs          map[int]chan store.Snapshot
	nextSub       int
}

// carrierSlot is one carrier with its in-flight semaphore.
type carrierSlot struct {
	Carrier
	sem chan struct{}

	mu gosync.Mutex
	// readsAfter is when the 3PL's Retry-After on a status read lets the
	// tracker ask it again.
	readsAfter time.Time
}

// New builds an engine. It does not start any goroutine; Run does.
func New(cfg Config, d Deps) (*Engine, error) {
	cfg.defaults()
	if d.Store == nil || d.Router == nil || d.Planner == nil {
		return nil, errors.New("sync engine: store, router and planner are required")
	}
	if len(d.Carriers) == 0 {
		return nil, errors.New("sync engine: no carrier configured")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Health == nil {
		d.Health = health.NewTracker()
	}
	if d.Breakers == nil {
		d.Breakers = health.NewBreakers(health.BreakerConfig{})
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	e := &Engine{
		cfg: cfg, st: d.Store, mp: d.Marketplace, planner: d.Planner, router: d.Router,
		carriers: map[string]*carrierSlot{}, health: d.Health, breakers: d.Breakers,
		search: d.Search, now: d.Now, log: d.Logger, observers: d.Observers, rules: policy.Rules{RemorseWindow: cfg.RemorseWindow},
		rnd:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		wake:      make(chan struct{}, 1),
		pollNow:   make(chan []string, 64),
		providers: map[string]string{},
		inflight:  map[string]struct{}{},
		subs:      map[int]chan store.Snapshot{},
	}
	for _, c := range d.Carriers {
		if c.Carrier == nil {
			return nil, errors.New("sync engine: nil carrier adapter")
		}
		if _, dup := e.carriers[c.Name()]; dup {
			return nil, fmt.Errorf("sync engine: carrier %q configured twice", c.Name())
		}
		if c.MaxInFlight <= 0 {
			c.MaxInFlight = 8
		}
		if c.Providers == nil {
			c.Providers = carrier.DefaultProviders()
		}
		e.carriers[c.Name()] = &carrierSlot{Carrier: c, sem: make(chan struct{}, c.MaxInFlight)}
		e.names = append(e.names, c.Name())
	}
	if e.mp != nil {
		// A cipher set in config (here or on the client) is the operator's
		// choice: used as is, never replaced by discovery.
		if cfg.ShopCipher != "" {
			e.mp.SetShopCipher(cfg.ShopCipher)
		}
		if c := e.mp.ShopCipher(); c != "" {
			e.shop.configured, e.shop.cipher = true, c
		}
	}
	e.worker = store.WorkerStatus{State: store.WorkerSleeping}
	e.snap = store.Snapshot{Shop: cfg.Shop, Demo: cfg.Demo, Worker: e.worker}
	return e, nil
}

// Run runs the worker until ctx is cancelled: it resolves what a crash left
// in flight, then polls, pushes, retries, tracks and writes back, and
// publishes snapshots. It returns when every goroutine it started has
// stopped.
func (e *Engine) Run(ctx context.Context) error {
	for _, step := range []func(context.Context) error{e.Recover, e.loadControl, e.loadAuth} {
		if err := step(ctx); err != nil {
			if ctx.Err() != nil {
				// A stop that arrives while the worker is starting is a
				// clean stop: what did not run, the next start resolves.
				e.setWorker(func(w *store.WorkerStatus) { w.State = store.WorkerStopped })
				return nil
			}
			return err
		}
	}
	var wg gosync.WaitGroup
	loops := []func(context.Context){e.pollLoop, e.pipelineLoop, e.trackLoop, e.writeBackLoop, e.snapshotLoop, e.batchLoop,
		e.buildIndex, e.watchDisk, e.accountLoop, e.reconcileLoop}
	for _, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx)
		}()
	}
	wg.Wait()
	e.setWorker(func(w *store.WorkerStatus) { w.State = store.WorkerStopped })
	return nil
}

// loadControl applies what an operator set on the worker before the last
// stop: a paused worker starts paused.
func (e *Engine) loadControl(ctx context.Context) error {
	ctl, err := e.st.WorkerControl(ctx)
	if err != nil {
		return err
	}
	if ctl.Paused {
		e.mu.Lock()
		e.paused = true
		e.worker.State, e.worker.Reason = store.WorkerPaused, "paused by "+ctl.By
		e.mu.Unlock()
	}
	return nil
}

// Carriers names the configured carriers in config order.
func (e *Engine) Carriers() []string { return append([]string(nil), e.names...) }

// nudge wakes the pipeline without blocking.
func (e *Engine) nudge() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// jitter returns a retry delay from the backoff policy.
func (e *Engine) delay(attempt int, server time.Duration) time.Duration {
	e.rndMu.Lock()
	defer e.rndMu.Unlock()
	return e.cfg.Backoff.Delay(attempt, server, e.rnd)
}

func (e *Engine) setWorker(fn func(*store.WorkerStatus)) {
	e.mu.Lock()
	before := e.worker
	fn(&e.worker)
	after := e.worker
	e.mu.Unlock()
	if after.State != before.State || after.Reason != before.Reason {
		e.emit(Event{Kind: EventWorker, Worker: after, Previous: before.State})
	}
}

// Paused reports whether an operator paused the worker.
func (e *Engine) Paused() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.paused
}

// wait waits d of clock time (d/Speed of real time), or until ctx is done
// or the pipeline is nudged when wakeable; it reports whether ctx is live.
func (e *Engine) wait(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	real := time.Duration(float64(d) / e.cfg.Speed)
	if real < 5*time.Millisecond {
		real = 5 * time.Millisecond
	}
	t := time.NewTimer(real)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return ctx.Err() == nil
}

// sleep waits d of real time or until ctx is done; it reports whether ctx
// is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
