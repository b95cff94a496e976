// Package alert raises shipdeck's built-in alerts: orders at risk or late,
// dead pushes, circuits open too long, quota projected to run out, a worker
// degraded too long, TikTok authorization expiring or revoked, and a disk
// almost full. Each alert fires once and resolves once: firing alerts live
// in the store, and each pass's transitions are grouped into one notice per
// channel, written in the same transaction, so a restart neither re-sends a
// fire nor forgets a resolve.
package alert

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Rule names, used in alert keys, payloads and the alerts_firing series.
const (
	RuleAtRisk     = "order_at_risk"
	RuleLate       = "order_late"
	RuleDead       = "push_dead"
	RuleCircuit    = "circuit_open"
	RuleQuota      = "quota_exhaustion"
	RuleDegraded   = "worker_degraded"
	RuleAuthExpiry = "tiktok_auth_expiring"
	RuleAuthLost   = "tiktok_auth_revoked"
	RuleDisk       = "disk_almost_full"
)

// Severities.
const (
	Warning  = "warning"
	Critical = "critical"
)

// Config tunes the monitor. Zero values take the defaults noted.
type Config struct {
	// Shop names the shop in every notice.
	Shop string
	// AtRisk is how long before its ship-by an order not yet pushed is at
	// risk (default 4 h).
	AtRisk time.Duration
	// CircuitOpenFor and DegradedFor are how long a circuit may stay open
	// and the worker degraded before they alert (default 15 and 10 min).
	CircuitOpenFor time.Duration
	DegradedFor    time.Duration
	// AuthExpiringWithin alerts when TikTok's refresh token (the seller's
	// authorization) expires sooner than this (default 7 days).
	AuthExpiringWithin time.Duration
	// DiskFreeMB: alert when the data directory's filesystem has less than
	// this free (default 256; negative turns it off); below the store's
	// reserve the alert turns critical.
	DiskFreeMB int64
	// Every is the time between passes (default 1 minute of real time).
	Every time.Duration
	// MaxOrders bounds the order alerts per rule in one pass (default 500),
	// so a disaster costs one bounded pass, not a scan of the store.
	MaxOrders int
	// Channels receive the notices.
	Channels []Channel
	// SummaryHour is the hour (in SummaryZone) of the daily summary;
	// negative turns it off.
	SummaryHour int
	SummaryZone *time.Location
	// Backoff paces re-deliveries of a refused notice; a notice is dropped
	// (and logged) when it is exhausted.
	Backoff backoff.Policy
	Now     func() time.Time
	Log     *slog.Logger
}

func (c *Config) defaults() {
	c.Shop = sanitize.Line(c.Shop) // it reaches subjects, Slack text and payloads
	if c.AtRisk == 0 {
		c.AtRisk = 4 * time.Hour
	}
	if c.CircuitOpenFor == 0 {
		c.CircuitOpenFor = 15 * time.Minute
	}
	if c.DegradedFor == 0 {
		c.DegradedFor = 10 * time.Minute
	}
	if c.AuthExpiringWithin == 0 {
		c.AuthExpiringWithin = 7 * 24 * time.Hour
	}
	if c.DiskFreeMB == 0 {
		c.DiskFreeMB = 256
	}
	if c.Every == 0 {
		c.Every = time.Minute
	}
	if c.MaxOrders == 0 {
		c.MaxOrders = 500
	}
	if c.SummaryZone == nil {
		c.SummaryZone = time.UTC
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Snapshotter gives the engine's latest snapshot (worker, quota, circuits).
type Snapshotter interface {
	Snapshot() store.Snapshot
}

// Monitor evaluates the rules and delivers the notices.
type Monitor struct {
	cfg  Config
	st   *store.Store
	src  Snapshotter
	rnd  *rand.Rand
	wake chan struct{}

	mu state
}

// state is the monitor's in-memory state, guarded by its mutex.
type state struct {
	gosync.Mutex
	// since is when a condition that must last (circuit open, degraded)
	// was first seen.
	since map[string]time.Time
	// authExpires is the refresh token's expiry; authLost is why TikTok
	// refused the authorization (empty while it works).
	authExpires time.Time
	authLost    string
	// tally counts what happened since the last daily summary.
	tally tally
}

type tally struct {
	in, pushed, shipped, dead int
}

// New builds a monitor; Run starts it.
func New(st *store.Store, src Snapshotter, cfg Config) *Monitor {
	cfg.defaults()
	return &Monitor{cfg: cfg, st: st, src: src, rnd: rand.New(rand.NewPCG(1, 2)), wake: make(chan struct{}, 1),
		mu: state{since: map[string]time.Time{}}}
}

// Observe is the engine observer: it notes TikTok refusing the
// authorization and tallies the day for the summary.
func (m *Monitor) Observe(ev shipsync.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Kind {
	case shipsync.EventPoll:
		switch {
		case ev.Err != nil && tiktok.ClassOf(ev.Err) == tiktok.ClassTokenExpired:
			m.mu.authLost = ev.Err.Error()
		case ev.Err == nil:
			m.mu.authLost = ""
		}
	case shipsync.EventDetected:
		m.mu.tally.in++
	case shipsync.EventPush:
		switch ev.Outcome {
		case string(store.StatePushed):
			m.mu.tally.pushed++
		case string(store.StateDead):
			m.mu.tally.dead++
		}
	case shipsync.EventWriteBack:
		if ev.Outcome == string(store.StateShipped) {
			m.mu.tally.shipped++
		}
	}
}

// SetAuthorization records when the seller's TikTok authorization (the
// refresh token) expires, from a token refresh or an authorization webhook.
func (m *Monitor) SetAuthorization(expires time.Time) {
	m.mu.Lock()
	m.mu.authExpires = expires
	m.mu.Unlock()
}

// Run evaluates and delivers every Every until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.Every)
	defer t.Stop()
	for {
		if _, _, err := m.Evaluate(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Log.Warn("alert pass failed", "err", err)
		}
		if err := m.summary(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Log.Warn("daily summary failed", "err", err)
		}
		if _, err := m.Deliver(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Log.Warn("alert delivery failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.wake:
		}
	}
}

// Evaluate runs one pass: it computes the alerts that hold now, fires the
// new ones and resolves the ones that no longer hold, in one transaction
// with one notice per channel for the pass's transitions.
func (m *Monitor) Evaluate(ctx context.Context) (fired, resolved int, err error) {
	now := m.cfg.Now()
	want, err := m.conditions(ctx, now)
	if err != nil {
		return 0, 0, err
	}
	have, err := m.st.Alerts(ctx)
	if err != nil {
		return 0, 0, err
	}
	var fire, clear []store.Alert
	held := map[string]bool{}
	for _, a := range have {
		held[a.Key] = true
		if _, ok := want[a.Key]; !ok {
			a.ResolvedAt = now
			clear = append(clear, a)
		}
	}
	for k, a := range want {
		if !held[k] {
			a.FiredAt = now
			fire = append(fire, a)
		}
	}
	if len(fire) == 0 && len(clear) == 0 {
		return 0, 0, nil
	}
	sortAlerts(fire)
	sortAlerts(clear)
	err = m.st.Update(ctx, func(tx *store.Tx) error {
		for _, a := range fire {
			if err := tx.PutAlert(a); err != nil {
				return err
			}
		}
		for _, a := range clear {
			if err := tx.DeleteAlert(a.Key); err != nil {
				return err
			}
		}
		for _, ch := range m.cfg.Channels {
			if _, err := tx.AddNotice(store.Notice{Channel: ch.Name(), Created: now, Fired: fire, Resolved: clear}); err != nil {
				return err
			}
		}
		return addActivity(tx, now, fire, clear)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("record alerts: %w", err)
	}
	for _, a := range fire {
		m.cfg.Log.Warn("alert fired", "rule", a.Rule, "subject", a.Subject, "severity", a.Severity, "summary", a.Summary)
	}
	for _, a := range clear {
		m.cfg.Log.Info("alert resolved", "rule", a.Rule, "subject", a.Subject, "summary", a.Summary)
	}
	return len(fire), len(clear), nil
}

// addActivity lists the pass's transitions in the console's activity log
// (its alerts list, key a), critical fires as errors.
func addActivity(tx *store.Tx, now time.Time, fire, clear []store.Alert) error {
	n := 0
	add := func(a store.Alert, level, verb string) error {
		n++
		if n > maxListed {
			return nil
		}
		return tx.AddActivity(store.Activity{At: now, Kind: store.ActivityAlert, Level: level, Text: verb + ": " + a.Summary,
			OrderID: orderOf(a)})
	}
	for _, a := range fire {
		level := "warn"
		if a.Severity == Critical {
			level = "error"
		}
		if err := add(a, level, "alert fired"); err != nil {
			return err
		}
	}
	for _, a := range clear {
		if err := add(a, "info", "alert resolved"); err != nil {
			return err
		}
	}
	if n > maxListed {
		return tx.AddActivity(store.Activity{At: now, Kind: store.ActivityAlert, Level: "warn",
			Text: fmt.Sprintf("and %d more alert changes: shipdeck alerts lists those firing", n-maxListed)})
	}
	return nil
}

// orderOf is the order an order alert is about ("" for the others).
func orderOf(a store.Alert) string {
	switch a.Rule {
	case RuleAtRisk, RuleLate, RuleDead:
		return a.Subject
	}
	return ""
}

func sortAlerts(a []store.Alert) {
	slices.SortFunc(a, func(x, y store.Alert) int {
		if x.Key < y.Key {
			return -1
		}
		if x.Key > y.Key {
			return 1
		}
		return 0
	})
}

// conditions returns every alert that holds at now, by key.
func (m *Monitor) conditions(ctx context.Context, now time.Time) (map[string]store.Alert, error) {
	out := map[string]store.Alert{}
	add := func(rule, subject, severity, summary string) {
		k := rule
		if subject != "" {
			k += "/" + subject
		}
		out[k] = store.Alert{Key: k, Rule: rule, Subject: sanitize.Line(subject), Severity: severity, Summary: sanitize.Line(summary)}
	}
	if err := m.orderConditions(ctx, now, add); err != nil {
		return nil, err
	}
	snap := m.src.Snapshot()
	m.mu.Lock()
	seen := map[string]bool{}
	lasting := func(key string, for_ time.Duration) (time.Duration, bool) {
		seen[key] = true
		start, ok := m.mu.since[key]
		if !ok {
			start = now
			m.mu.since[key] = now
		}
		return now.Sub(start), now.Sub(start) >= for_
	}
	for _, c := range snap.Carriers {
		if c.Circuit != store.CircuitOpen && c.Circuit != store.CircuitHalfOpen {
			continue
		}
		if d, ok := lasting("circuit/"+c.Name, m.cfg.CircuitOpenFor); ok {
			add(RuleCircuit, c.Name, Critical, fmt.Sprintf("circuit to %s open for %s: its orders wait or fail over", c.Name, d.Round(time.Minute)))
		}
	}
	if snap.Worker.State == store.WorkerDegraded {
		if d, ok := lasting("degraded", m.cfg.DegradedFor); ok {
			add(RuleDegraded, "", Critical, fmt.Sprintf("worker degraded for %s: %s", d.Round(time.Minute), snap.Worker.Reason))
		}
	}
	for k := range m.mu.since {
		if !seen[k] {
			delete(m.mu.since, k)
		}
	}
	authExpires, authLost := m.mu.authExpires, m.mu.authLost
	m.mu.Unlock()

	accountConditions(snap, add)
	q := snap.Quota
	if !q.ExhaustAt.IsZero() && !q.ResetAt.IsZero() && q.ExhaustAt.Before(q.ResetAt) {
		add(RuleQuota, q.Day, Warning, fmt.Sprintf("TikTok quota projected to run out at %s, before the reset at %s (%d of %d used)",
			q.ExhaustAt.UTC().Format("15:04 MST"), q.ResetAt.UTC().Format("15:04 MST"), q.Used, q.Limit))
	}
	// TikTok's SELLER_DEAUTHORIZATION and UPCOMING_AUTHORIZATION_EXPIRATION
	// webhooks are recorded on the shop; a refused token shows in polls.
	sh, err := m.st.Shop(ctx)
	if err != nil {
		return nil, fmt.Errorf("alerts: read the shop: %w", err)
	}
	if !sh.DeauthorizedAt.IsZero() {
		authLost = "the seller removed shipdeck's authorization at " + sh.DeauthorizedAt.UTC().Format(time.RFC3339)
		if sh.DeauthMessage != "" {
			authLost += " (TikTok: " + sh.DeauthMessage + ")"
		}
	}
	if !sh.AuthExpiresAt.IsZero() && (authExpires.IsZero() || sh.AuthExpiresAt.Before(authExpires)) {
		authExpires = sh.AuthExpiresAt
	}
	if authLost != "" {
		add(RuleAuthLost, "", Critical, "TikTok refused the shop's authorization: "+authLost+"; re-authorize the app in TikTok Shop Seller Center")
	} else if !authExpires.IsZero() && authExpires.Sub(now) < m.cfg.AuthExpiringWithin {
		add(RuleAuthExpiry, "", Warning, fmt.Sprintf("TikTok authorization expires at %s: re-authorize the app before then", authExpires.UTC().Format(time.RFC3339)))
	}
	// The store reads free space every second; below its reserve it refuses
	// writes and the worker degrades. DiskFreeMB warns before that.
	if d := m.st.DiskSpace(); !d.CheckedAt.IsZero() && d.Err == "" {
		switch {
		case d.Low:
			add(RuleDisk, "", Critical, fmt.Sprintf("disk almost full: %s free on %s; writes stopped below %s",
				store.FormatMB(d.Free), d.Dir, store.FormatMB(d.Reserve)))
		case m.cfg.DiskFreeMB > 0 && int64(d.Free>>20) < m.cfg.DiskFreeMB:
			add(RuleDisk, "", Warning, fmt.Sprintf("disk space low: %s free on %s (alert below %d MB; shipdeck stops writing below %s)",
				store.FormatMB(d.Free), d.Dir, m.cfg.DiskFreeMB, store.FormatMB(d.Reserve)))
		}
	}
	return out, nil
}

// orderConditions adds the order alerts: dead pushes, late orders and
// orders at risk, walking the ship-by ordered queues only as far as the
// deadline window reaches.
func (m *Monitor) orderConditions(ctx context.Context, now time.Time, add func(rule, subject, severity, summary string)) error {
	n := 0
	err := m.walk(ctx, store.StateDead, func(o store.Order) bool {
		add(RuleDead, o.ID, Critical, fmt.Sprintf("push of order %s is dead: %s", o.ID, o.Reason))
		n++
		return n < m.cfg.MaxOrders
	})
	if err != nil {
		return err
	}
	// Late: not yet shipped (written back) by its ship-by. At risk: not yet
	// pushed within AtRisk of it. A dead order alerts as dead only.
	horizon := now.Add(m.cfg.AtRisk)
	late, risk := 0, 0
	for _, st := range []store.State{store.StateReady, store.StateQueued, store.StatePushing, store.StateFailed, store.StateUnknown,
		store.StatePushed, store.StateTracking} {
		prePush := st != store.StatePushed && st != store.StateTracking
		err := m.walk(ctx, st, func(o store.Order) bool {
			by := o.ShipBy()
			if by.IsZero() || by.After(horizon) {
				return false // the queue is sorted by ship-by: the rest are later
			}
			switch {
			case !by.After(now) && late < m.cfg.MaxOrders:
				late++
				add(RuleLate, o.ID, Critical, fmt.Sprintf("order %s missed its ship-by %s (%s)", o.ID, by.UTC().Format(time.RFC3339), o.State))
			case by.After(now) && prePush && risk < m.cfg.MaxOrders:
				risk++
				add(RuleAtRisk, o.ID, Warning, fmt.Sprintf("order %s is not pushed yet and ships by %s (in %s; %s)",
					o.ID, by.UTC().Format(time.RFC3339), by.Sub(now).Round(time.Minute), o.State))
			}
			// Both lists full: the pass is bounded, the rest wait.
			return late < m.cfg.MaxOrders || risk < m.cfg.MaxOrders
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walk calls fn for the orders of one state in ship-by order until it
// returns false.
func (m *Monitor) walk(ctx context.Context, st store.State, fn func(store.Order) bool) error {
	var after store.Order
	for {
		page, err := m.st.QueueAfter(ctx, st, after, 200)
		if err != nil {
			return fmt.Errorf("alerts: read %s orders: %w", st, err)
		}
		for _, o := range page {
			if !fn(o) {
				return nil
			}
		}
		if len(page) < 200 {
			return nil
		}
		after = page[len(page)-1]
	}
}
