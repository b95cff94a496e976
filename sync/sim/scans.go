package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// ScanPlan decides how the carrier's first scan goes for shipped orders:
// most are scanned a few hours after the write-back, some days late, some
// never (a label printed and never handed over). TikTok measures Late
// Dispatch Rate on that scan, so the demo's account-health view needs both.
type ScanPlan struct {
	// Late is the share of shipped orders first scanned 2–4 days after the
	// write-back; Never the share never scanned at all.
	Late, Never float64
}

// scanOutcome is what happens to one order's first scan.
type scanOutcome int

const (
	scanOnTime scanOutcome = iota
	scanLate
	scanNever
)

// scanFor draws an order's scan outcome from its own stream (seed and
// order id), so the plan never shifts any other random draw of the book.
func (p ScanPlan) scanFor(seed int64, orderID string) (scanOutcome, time.Duration) {
	if p.Late <= 0 && p.Never <= 0 {
		return scanOnTime, 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(orderID))
	rng := rand.New(rand.NewPCG(uint64(seed)^0x2545f4914f6cdd1d, h.Sum64()))
	switch r := rng.Float64(); {
	case r < p.Never:
		return scanNever, 0
	case r < p.Never+p.Late:
		return scanLate, 48*time.Hour + time.Duration(rng.Int64N(int64(48*time.Hour)))
	}
	return scanOnTime, 0
}

// SetScan fixes one order's first scan for tests: after delay from the
// write-back, or never when never is true. It applies to an order not yet
// shipped.
func (s *Sim) SetScan(orderID string, delay time.Duration, never bool) bool {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	o := s.book.orders[orderID]
	if o == nil {
		return false
	}
	o.scanFixed, o.scanNever, o.collectIn = true, never, delay
	return true
}

// scheduleScan plans the carrier's first scan of an order shipped at now.
func (b *orderBook) scheduleScan(o *simOrder, now time.Time) {
	if !o.scanFixed {
		switch outcome, late := b.scans.scanFor(b.seed, o.full.ID); outcome {
		case scanNever:
			o.scanNever = true
		case scanLate:
			o.collectIn = late
		}
	}
	if o.scanNever {
		return
	}
	b.schedule(now.Add(o.collectIn), evCollect, o)
}

// KeyByHand creates an order at a simulated REST 3PL the way a warehouse
// clerk would, outside any API call from shipdeck: same external id, no
// idempotency key. Reconciliation must find it. It returns the 3PL's id.
func (s *Sim) KeyByHand(carrierName, externalID string) (string, error) {
	for _, c := range s.rest {
		if c.info.Name == carrierName {
			return c.keyByHand(externalID, s.clock.Now()), nil
		}
	}
	return "", fmt.Errorf("no simulated REST carrier %q", carrierName)
}

func (c *restCarrier) keyByHand(externalID string, now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	o := &restOrder{id: fmt.Sprintf("%s-H%05d", c.p.Prefix, c.seq), externalID: externalID, created: now,
		tracking: c.p.Tracking(c.rng), byHand: true}
	o.pickAt = now.Add(between(c.rng, c.p.PickMin, c.p.PickMax))
	o.shipAt = o.pickAt.Add(between(c.rng, c.p.ShipMin, c.p.ShipMax))
	c.orders[o.id] = o
	c.byExternal[externalID] = append(c.byExternal[externalID], o)
	c.counters.HandKeyed++
	return o.id
}
