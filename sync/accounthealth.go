package sync

import (
	"context"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/account"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// AccountHealth estimates the shop's fulfilment metrics now from the
// orders of their windows (a by-creation index read, not a scan).
func (e *Engine) AccountHealth(ctx context.Context) (store.AccountHealth, error) {
	h, err := account.Estimate(ctx, e.st, e.cfg.Account, e.now())
	if err != nil {
		return h, err
	}
	e.mu.Lock()
	prev := e.accountHealth
	e.accountHealth = h
	e.mu.Unlock()
	e.logHealthChanges(prev, h)
	return h, nil
}

// logHealthChanges logs a metric crossing its threshold (or its projection
// doing so) once, when it happens, and the scan watch growing.
func (e *Engine) logHealthChanges(prev, cur store.AccountHealth) {
	for _, m := range cur.Metrics {
		was := prev.Metric(m.Name)
		switch {
		case m.Breached() && !was.Breached():
			e.log.Warn("account health: metric over TikTok's line", "metric", m.Name, "value", m.Value, "threshold", m.Threshold, "bad", m.Bad, "total", m.Total)
		case m.ProjectedBreach() && !was.ProjectedBreach() && !m.Breached():
			e.log.Warn("account health: metric will cross TikTok's line if the orders at risk go wrong", "metric", m.Name,
				"projected", m.Projected, "threshold", m.Threshold, "at_risk", m.AtRisk)
		}
	}
	if n := len(cur.ScanWatch); n > len(prev.ScanWatch) {
		f := cur.ScanWatch[0]
		e.log.Warn("scan watch: written back but not scanned near the dispatch deadline", "orders", n,
			"first", f.ID, "carrier", f.Carrier, "hours_left", f.HoursLeft)
	}
}

// accountLoop refreshes the health estimate and the cost comparison. It
// spends no TikTok quota: it reads the store's mirror of TikTok, kept
// current by the poller.
func (e *Engine) accountLoop(ctx context.Context) {
	for {
		if _, err := e.AccountHealth(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("account health estimate failed", "err", err)
		}
		if err := e.refreshCosts(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("cost comparison failed", "err", err)
		}
		if !e.wait(ctx, e.cfg.HealthEvery, nil) {
			return
		}
	}
}

// reconcileLoop runs the periodic reconciliation in its own loop, so a
// slow 3PL never holds the health estimate back. The first run comes one
// interval after the start.
func (e *Engine) reconcileLoop(ctx context.Context) {
	if e.cfg.ReconcileEvery <= 0 {
		return
	}
	for e.wait(ctx, e.cfg.ReconcileEvery, nil) {
		if e.Paused() {
			continue
		}
		if _, err := e.Reconcile(ctx, e.now().Add(-e.cfg.ReconcileWindow)); err != nil && ctx.Err() == nil {
			e.log.Warn("reconciliation failed", "err", err)
		}
	}
}

// preflightTracking refuses, before any TikTok call, a tracking number
// TikTok would reject (21004012, 21004015, 21011022) or count against the
// Valid Tracking Rate: the order goes to an operator with the reason
// instead of spending quota on a refusal.
func preflightTracking(o store.Order) error {
	// The TikTok provider the number is sent as, when mapped; else the
	// 3PL's carrier code.
	provider := o.Push.Provider
	if provider == "" {
		provider = o.Push.CarrierCode
	}
	if err := account.CheckTracking(o.Push.TrackingNumber, provider); err != nil {
		return &tiktok.APIError{Endpoint: "tracking pre-flight", Class: tiktok.ClassNeedsHuman,
			Reason: "not sent", Message: err.Error()}
	}
	return nil
}

// costWindow is the period the console's cost comparison covers.
const costWindow = 30 * 24 * time.Hour

// refreshCosts prices the last 30 days' orders for the snapshot, keeping
// the totals and the five SKUs with the most units; it reads the orders
// one at a time and holds none of them.
func (e *Engine) refreshCosts(ctx context.Context) error {
	r, err := account.CostTotals(ctx, e.st, e.cfg.Costs, e.now().Add(-costWindow))
	if err != nil {
		return err
	}
	r.PerSKU = r.PerSKU[:min(len(r.PerSKU), 5)]
	e.mu.Lock()
	e.costs = r
	e.mu.Unlock()
	return nil
}
