package sync

import (
	"context"

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

// accountLoop refreshes the health estimate and runs the periodic
// reconciliation. Neither spends TikTok quota: both read the store's mirror
// of TikTok, kept current by the poller.
func (e *Engine) accountLoop(ctx context.Context) {
	lastReconcile := e.now()
	for {
		if _, err := e.AccountHealth(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("account health estimate failed", "err", err)
		}
		now := e.now()
		if e.cfg.ReconcileEvery > 0 && !e.Paused() && now.Sub(lastReconcile) >= e.cfg.ReconcileEvery {
			lastReconcile = now
			if _, err := e.Reconcile(ctx, now.Add(-e.cfg.ReconcileWindow)); err != nil && ctx.Err() == nil {
				e.log.Warn("reconciliation failed", "err", err)
			}
		}
		if !e.wait(ctx, e.cfg.HealthEvery, nil) {
			return
		}
	}
}

// preflightTracking refuses, before any TikTok call, a tracking number
// TikTok would reject (21004012, 21004015, 21011022) or count against the
// Valid Tracking Rate: the order goes to an operator with the reason
// instead of spending quota on a refusal.
func preflightTracking(o store.Order) error {
	if err := account.CheckTracking(o.Push.TrackingNumber, o.Push.CarrierCode); err != nil {
		return &tiktok.APIError{Endpoint: "tracking pre-flight", Class: tiktok.ClassNeedsHuman,
			Reason: "not sent", Message: err.Error()}
	}
	return nil
}
