// Package account estimates a TikTok Shop's account health from what
// shipdeck already knows (TikTok's statuses and times, the 3PLs' tracking,
// its own pushes), checks tracking numbers before they are written back,
// and prices fulfilment against TikTok's FBT rate card.
//
// The definitions follow TikTok Seller University as summarised in the
// seller-operations reference (§1.3): Late Dispatch Rate on the carrier's
// first scan within the dispatch SLA, Valid Tracking Rate, Seller-Fault
// Cancellation Rate (seller cancellations plus automatic ones for missed
// deadlines) and On-Time Delivery Rate. TikTok computes them on its own
// data, so these are estimates; the README says where they can differ.
package account

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shipdeck/shipdeck/policy"
	"github.com/shipdeck/shipdeck/store"
)

// Config holds the windows and thresholds. Zero fields take the defaults.
type Config struct {
	// Window is the rolling period LDR, VTR and SFCR are measured over.
	Window time.Duration
	// DeliveryWindow is OTDR's period: TikTok measures it weekly.
	DeliveryWindow time.Duration
	// ScanWatch flags orders written back but not scanned this close to
	// their dispatch deadline.
	ScanWatch time.Duration
	// ScanGrace is how long after the write-back a first scan may take
	// before the tracking counts as invalid.
	ScanGrace time.Duration
	// AtRiskAhead is how far ahead a deadline makes an order at risk.
	AtRiskAhead time.Duration
	// Thresholds; zero takes TikTok's published line.
	LDRMax, VTRMin, SFCRMax, OTDRMin float64
	// MaxOrders caps each metric's order list.
	MaxOrders int
}

// Defaults are TikTok's published thresholds (seller-operations §1.3):
// LDR ≤ 4 %, VTR ≥ 95 %, SFCR ≤ 2.5 %, OTDR ≥ 80 % weekly.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	deff := func(f *float64, v float64) {
		if *f <= 0 {
			*f = v
		}
	}
	def(&c.Window, 30*24*time.Hour)
	def(&c.DeliveryWindow, 7*24*time.Hour)
	def(&c.ScanWatch, 12*time.Hour)
	def(&c.ScanGrace, 72*time.Hour)
	def(&c.AtRiskAhead, 24*time.Hour)
	deff(&c.LDRMax, 0.04)
	deff(&c.VTRMin, 0.95)
	deff(&c.SFCRMax, 0.025)
	deff(&c.OTDRMin, 0.80)
	if c.MaxOrders <= 0 {
		c.MaxOrders = 200
	}
	return c
}

// Lookback is how far back by creation time an estimate must read: the
// longest window plus the time an order may take from creation to its
// delivery deadline.
func (c Config) Lookback() time.Duration {
	c = c.withDefaults()
	return max(c.Window, c.DeliveryWindow) + 21*24*time.Hour
}

// OrderSource hands the orders created at or after since to fn.
type OrderSource interface {
	OrdersCreatedSince(ctx context.Context, since time.Time, fn func(store.Order) bool) error
}

// Estimate reads the orders of the window from src and computes the
// health at now.
func Estimate(ctx context.Context, src OrderSource, cfg Config, now time.Time) (store.AccountHealth, error) {
	e := newEstimator(cfg, now)
	err := src.OrdersCreatedSince(ctx, now.Add(-cfg.Lookback()), func(o store.Order) bool {
		e.add(&o)
		return true
	})
	if err != nil {
		return store.AccountHealth{}, fmt.Errorf("estimate account health: %w", err)
	}
	return e.result(), nil
}

// Compute is Estimate over orders already in memory.
func Compute(orders []store.Order, cfg Config, now time.Time) store.AccountHealth {
	e := newEstimator(cfg, now)
	for i := range orders {
		e.add(&orders[i])
	}
	return e.result()
}

type tally struct {
	m      store.Metric
	orders []store.MetricOrder
	// limit is how many orders the metric shows; orders that cannot be
	// among them are dropped as the scan goes, so an estimate over a
	// million orders holds a few hundred, not every late one.
	limit int
	// riskCounted is set when at-risk orders are already in Total (SFCR:
	// every order created in the window is), so the projection must not
	// count them twice.
	riskCounted bool
}

func (t *tally) total()                   { t.m.Total++ }
func (t *tally) bad(mo store.MetricOrder) { t.m.Total++; t.m.Bad++; t.keep(mo) }
func (t *tally) atRisk(mo store.MetricOrder) {
	mo.AtRisk = true
	t.m.AtRisk++
	t.keep(mo)
}

// keep adds mo to the orders shown, pruning to the best limit once twice
// that many are held. The sort is stable and earlier orders stay ahead of
// later ones, so pruning early keeps exactly what finish would.
func (t *tally) keep(mo store.MetricOrder) {
	t.orders = append(t.orders, mo)
	if t.limit > 0 && len(t.orders) >= 2*t.limit {
		t.sortOrders()
		t.orders = slices.Clip(t.orders[:t.limit])
	}
}

// sortOrders puts counted orders first (they already hurt), then at-risk
// ones by deadline, soonest first.
func (t *tally) sortOrders() {
	slices.SortStableFunc(t.orders, func(a, b store.MetricOrder) int {
		if a.AtRisk != b.AtRisk {
			if a.AtRisk {
				return 1
			}
			return -1
		}
		return a.Due.Compare(b.Due)
	})
}

func (t *tally) finish(limit int) store.Metric {
	m := t.m
	rate := func(bad, total int) float64 {
		if total == 0 {
			if m.HigherIsBetter {
				return 1
			}
			return 0
		}
		r := float64(bad) / float64(total)
		if m.HigherIsBetter {
			return 1 - r
		}
		return r
	}
	m.Value = rate(m.Bad, m.Total)
	if t.riskCounted {
		m.Projected = rate(m.Bad+m.AtRisk, m.Total)
	} else {
		m.Projected = rate(m.Bad+m.AtRisk, m.Total+m.AtRisk)
	}
	t.sortOrders()
	if len(t.orders) > limit {
		t.orders = t.orders[:limit]
	}
	m.Orders = t.orders
	return m
}

type estimator struct {
	cfg                  Config
	now                  time.Time
	ldr, vtr, sfcr, otdr tally
	scan                 []store.ScanFlag
	read                 int
}

func newEstimator(cfg Config, now time.Time) *estimator {
	cfg = cfg.withDefaults()
	e := &estimator{cfg: cfg, now: now}
	e.ldr.m = store.Metric{Name: store.MetricLDR, Title: "Late dispatch rate", Threshold: cfg.LDRMax, Window: cfg.Window}
	e.vtr.m = store.Metric{Name: store.MetricVTR, Title: "Valid tracking rate", Threshold: cfg.VTRMin, HigherIsBetter: true, Window: cfg.Window}
	e.sfcr.m = store.Metric{Name: store.MetricSFCR, Title: "Seller-fault cancellation rate", Threshold: cfg.SFCRMax, Window: cfg.Window}
	e.sfcr.riskCounted = true
	e.otdr.m = store.Metric{Name: store.MetricOTDR, Title: "On-time delivery rate", Threshold: cfg.OTDRMin, HigherIsBetter: true, Window: cfg.DeliveryWindow}
	for _, t := range []*tally{&e.ldr, &e.vtr, &e.sfcr, &e.otdr} {
		t.limit = cfg.MaxOrders
	}
	return e
}

// sellerShips reports whether the seller (through shipdeck) dispatches the
// order: TikTok's own shipping and FBT orders are exempt from these
// metrics (LDR counts "non-FBT late orders").
func sellerShips(o *store.Order) bool {
	return policy.WhoShips(o) == ""
}

func (e *estimator) in(t time.Time, window time.Duration) bool {
	return !t.IsZero() && !t.After(e.now) && e.now.Sub(t) <= window
}

func (e *estimator) ahead(t time.Time) bool {
	return !t.IsZero() && t.After(e.now) && t.Sub(e.now) <= e.cfg.AtRiskAhead
}

func hours(d time.Duration) string { return fmt.Sprintf("%.1f h", d.Hours()) }

func (e *estimator) add(o *store.Order) {
	e.read++
	if !sellerShips(o) {
		return
	}
	m := o.Milestones
	cancelled := o.Status == store.StatusCancelled || !m.CancelTime.IsZero()
	mo := store.MetricOrder{ID: o.ID, Carrier: o.Carrier()}

	// SFCR: seller and automatic cancellations over all orders created in
	// the window. An unshipped order near its shipping_due_time is at risk
	// of TikTok's automatic cancellation.
	if e.in(o.CreateTime, e.cfg.Window) {
		switch {
		case cancelled && (m.CancelledBy == store.CancelledBySeller || m.CancelledBy == store.CancelledBySystem):
			mo := mo
			mo.Due, mo.Reason = m.CancelTime, "cancelled by "+m.CancelledBy
			if m.CancelReason != "" {
				mo.Reason += ": " + m.CancelReason
			}
			e.sfcr.bad(mo)
		default:
			e.sfcr.total()
			if !cancelled && m.RTSTime.IsZero() && e.ahead(o.ShippingDueTime) {
				mo := mo
				mo.Due = o.ShippingDueTime
				mo.Reason = "not shipped; TikTok cancels it automatically in " + hours(o.ShippingDueTime.Sub(e.now))
				e.sfcr.atRisk(mo)
			}
		}
	}
	if cancelled {
		return
	}

	// LDR: the carrier's first scan (IN_TRANSIT) must come within the
	// dispatch SLA. Tracking uploaded without a scan still counts as late.
	shipBy := o.ShipBy()
	switch {
	case shipBy.IsZero():
	case e.in(shipBy, e.cfg.Window):
		lmo := mo
		lmo.Due = shipBy
		switch {
		case m.Scanned() && !m.CollectionTime.After(shipBy):
			e.ldr.total()
		case m.Scanned():
			lmo.Reason = "first carrier scan " + hours(m.CollectionTime.Sub(shipBy)) + " after the dispatch deadline"
			e.ldr.bad(lmo)
		case !m.RTSTime.IsZero():
			lmo.Reason = "tracking written back but no carrier scan by the dispatch deadline"
			e.ldr.bad(lmo)
		default:
			lmo.Reason = "not dispatched by the deadline (" + string(o.State) + ")"
			e.ldr.bad(lmo)
		}
	case shipBy.After(e.now) && !m.Scanned() && shipBy.Sub(e.now) <= e.cfg.AtRiskAhead:
		lmo := mo
		lmo.Due = shipBy
		lmo.Reason = "no carrier scan yet; dispatch deadline in " + hours(shipBy.Sub(e.now))
		if !m.RTSTime.IsZero() {
			lmo.Reason = "tracking written back, no carrier scan yet; deadline in " + hours(shipBy.Sub(e.now))
		}
		e.ldr.atRisk(lmo)
	}

	// Scan watch: written back, not scanned, close to (or past) the
	// deadline while it still sits in the window.
	if !m.RTSTime.IsZero() && !m.Scanned() && !shipBy.IsZero() && shipBy.Sub(e.now) <= e.cfg.ScanWatch &&
		e.now.Sub(shipBy) <= e.cfg.ScanGrace {
		f := store.ScanFlag{ID: o.ID, Carrier: o.Carrier(), ShipBy: shipBy,
			HoursLeft: shipBy.Sub(e.now).Hours(), Since: e.now.Sub(m.RTSTime)}
		if o.Push != nil {
			f.Tracking = o.Push.TrackingNumber
		}
		e.scan = append(e.scan, f)
	}

	// VTR: tracking written back in the window is valid once a carrier
	// scanned it; without a scan after the grace period it is not.
	if e.in(m.RTSTime, e.cfg.Window) {
		vmo := mo
		vmo.Due = m.RTSTime.Add(e.cfg.ScanGrace)
		switch {
		case m.Scanned():
			e.vtr.total()
		case e.now.Sub(m.RTSTime) > e.cfg.ScanGrace:
			vmo.Reason = "no carrier scan " + hours(e.now.Sub(m.RTSTime)) + " after the write-back"
			e.vtr.bad(vmo)
		case e.now.Sub(m.RTSTime) > e.cfg.ScanGrace/3:
			// Scans normally come within hours; a day without one is a
			// parcel the carrier may never have received.
			vmo.Reason = "written back " + hours(e.now.Sub(m.RTSTime)) + " ago, no carrier scan yet"
			e.vtr.atRisk(vmo)
		}
	}

	// OTDR: delivered by delivery_due_time, over the weekly window.
	due := o.DeliveryDueTime
	switch {
	case due.IsZero():
	case e.in(due, e.cfg.DeliveryWindow):
		dmo := mo
		dmo.Due = due
		switch {
		case !m.DeliveryTime.IsZero() && !m.DeliveryTime.After(due):
			e.otdr.total()
		case !m.DeliveryTime.IsZero():
			dmo.Reason = "delivered " + hours(m.DeliveryTime.Sub(due)) + " after the delivery deadline"
			e.otdr.bad(dmo)
		default:
			dmo.Reason = "not delivered by the delivery deadline (" + string(o.Status) + ")"
			e.otdr.bad(dmo)
		}
	case e.ahead(due) && m.DeliveryTime.IsZero():
		dmo := mo
		dmo.Due = due
		dmo.Reason = "not delivered yet; delivery deadline in " + hours(due.Sub(e.now))
		e.otdr.atRisk(dmo)
	}
}

func (e *estimator) result() store.AccountHealth {
	// The ones that still have time first, soonest first; then the overdue
	// ones, most recently overdue first: what chasing can still save leads.
	slices.SortFunc(e.scan, func(a, b store.ScanFlag) int {
		if (a.HoursLeft >= 0) != (b.HoursLeft >= 0) {
			if a.HoursLeft >= 0 {
				return -1
			}
			return 1
		}
		if a.HoursLeft >= 0 {
			return cmp.Compare(a.HoursLeft, b.HoursLeft)
		}
		return cmp.Compare(b.HoursLeft, a.HoursLeft)
	})
	return store.AccountHealth{
		At:        e.now,
		Orders:    e.read,
		ScanWatch: e.scan,
		Metrics: []store.Metric{
			e.ldr.finish(e.cfg.MaxOrders), e.vtr.finish(e.cfg.MaxOrders),
			e.sfcr.finish(e.cfg.MaxOrders), e.otdr.finish(e.cfg.MaxOrders),
		},
	}
}
