package sim

import (
	"container/heap"
	"strconv"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// orderBook holds the marketplace's orders and moves them through their
// lives. Nothing runs on its own: every reader first calls advance(now),
// which materializes the arrivals and applies the transitions due by then,
// so the same seed and the same clock always give the same orders.
type orderBook struct {
	mu           gosync.Mutex
	seed         int64
	ordersPerDay int
	zone         *time.Location

	orders    map[string]*simOrder
	byPackage map[string]*simOrder
	list      []*simOrder // creation order
	events    eventQueue
	seq       uint64

	// arrival cursor: the local day being drawn and how far into it
	dayStart time.Time
	dayTimes []time.Time
	dayIdx   int
	from     time.Time // arrivals before this are skipped
	advanced time.Time

	// onChange is told about every status change (the webhook feed).
	onChange func(o *simOrder, at time.Time)
	// onNotify is told about the other notifications TikTok sends
	// (address, package, cancellation; webhook.go).
	onNotify func(typ int, data any, at time.Time)
	// localShare is the share of orders that are a US/UK local seller's,
	// without package ids before shipment (packages.go).
	localShare float64
	// scans decides late and missing carrier scans.
	scans ScanPlan
	// clerk is what people do by hand outside shipdeck; keyByHand keys an
	// order into a 3PL for it.
	clerk     ClerkPlan
	keyByHand func(externalID string, at time.Time)
}

func newOrderBook(seed int64, ordersPerDay int, zone *time.Location, from time.Time) *orderBook {
	b := &orderBook{
		seed: seed, ordersPerDay: ordersPerDay, zone: zone,
		orders: map[string]*simOrder{}, byPackage: map[string]*simOrder{},
		from: from, advanced: from,
	}
	b.dayStart = localDayStart(from, zone)
	b.dayTimes = dayArrivals(seed, ordersPerDay, b.dayStart, zone)
	return b
}

type eventKind int

const (
	evPay eventKind = iota
	evReleaseHold
	evCancelRequest
	evCancel
	evAutoCancel
	evCollect
	evDeliver
	evComplete
	evTikTokShip
)

type event struct {
	at   time.Time
	seq  uint64
	kind eventKind
	o    *simOrder
}

// eventQueue is a min-heap by time, then by scheduling order.
type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (b *orderBook) schedule(at time.Time, kind eventKind, o *simOrder) {
	if at.IsZero() {
		return
	}
	b.seq++
	heap.Push(&b.events, event{at: at, seq: b.seq, kind: kind, o: o})
}

// advanceLocked brings the book up to now: arrivals and transitions are
// interleaved in time order so an order created at t sees its own events
// after t. The caller holds mu.
func (b *orderBook) advanceLocked(now time.Time) {
	if now.Before(b.advanced) {
		return // the clock was set back: keep what happened
	}
	for {
		arrival, hasArrival := b.peekArrival(now)
		if len(b.events) > 0 && !b.events[0].at.After(now) &&
			(!hasArrival || b.events[0].at.Before(arrival)) {
			e := heap.Pop(&b.events).(event)
			b.apply(e)
			continue
		}
		if !hasArrival {
			break
		}
		b.dayIdx++
		if arrival.Before(b.from) {
			continue
		}
		b.create(arrival)
	}
	b.advanced = now
}

// peekArrival returns the next arrival at or before now, moving to the next
// local day when the current one is used up.
func (b *orderBook) peekArrival(now time.Time) (time.Time, bool) {
	for b.dayIdx >= len(b.dayTimes) {
		next := nextLocalDay(b.dayStart, b.zone)
		if next.After(now) {
			return time.Time{}, false
		}
		b.dayStart = next
		b.dayTimes = dayArrivals(b.seed, b.ordersPerDay, next, b.zone)
		b.dayIdx = 0
	}
	t := b.dayTimes[b.dayIdx]
	if t.After(now) {
		return time.Time{}, false
	}
	return t, true
}

func (b *orderBook) create(at time.Time) {
	o := generateOrder(b.seed, at)
	for b.orders[o.full.ID] != nil { // an 18-digit collision: keep ids unique
		n, _ := strconv.ParseUint(o.full.ID, 10, 64)
		o.full.ID = strconv.FormatUint(n+1, 10)
	}
	for b.byPackage[o.packageID] != nil {
		n, _ := strconv.ParseUint(o.packageID, 10, 64)
		o.packageID = strconv.FormatUint(n+1, 10)
		for i := range o.full.LineItems {
			o.full.LineItems[i].PackageID = o.packageID
		}
	}
	o.pkgs.localSeller = hashShare(o.full.ID, b.localShare)
	b.orders[o.full.ID] = o
	b.byPackage[o.packageID] = o
	b.list = append(b.list, o)
	b.schedule(o.payAt, evPay, o)
	b.schedule(o.holdUntil, evReleaseHold, o)
	b.schedule(o.cancelReqAt, evCancelRequest, o)
	b.schedule(o.cancelAt, evCancel, o)
	b.schedule(o.tiktokShipAt, evTikTokShip, o)
	b.schedule(time.Unix(o.full.ShippingDueTime, 0), evAutoCancel, o)
	b.planClerk(o)
	b.changed(o, at) // a new order is a status change too (to UNPAID)
}

func (b *orderBook) setStatus(o *simOrder, status string, at time.Time) {
	o.full.Status = status
	b.touch(o, at)
	b.changed(o, at)
}

func (b *orderBook) touch(o *simOrder, at time.Time) {
	if u := at.Unix(); u > o.full.UpdateTime {
		o.full.UpdateTime = u
	}
}

func (b *orderBook) changed(o *simOrder, at time.Time) {
	if b.onChange != nil {
		b.onChange(o, at)
	}
}

func (b *orderBook) apply(e event) {
	o := e.o
	switch e.kind {
	case evHandKey, evSellerShip:
		b.applyClerk(e)
	case evPay:
		if o.full.Status == StatusUnpaid {
			o.full.PaidTime = e.at.Unix()
			if o.onHold {
				b.setStatus(o, StatusOnHold, e.at)
			} else {
				b.setStatus(o, StatusAwaitingShipment, e.at)
			}
		}
	case evReleaseHold:
		if o.full.Status == StatusOnHold {
			b.setStatus(o, StatusAwaitingShipment, e.at)
		}
	case evCancelRequest:
		if cancellable(o.full.Status) {
			b.requestCancel(o, e.at)
		}
	case evCancel:
		if cancellable(o.full.Status) {
			o.full.CancelReason = o.cancelReason
			o.full.CancelTime, o.full.CancellationInitiator = e.at.Unix(), "BUYER"
			b.setStatus(o, StatusCancelled, e.at)
		}
	case evAutoCancel:
		if cancellable(o.full.Status) {
			o.full.CancelReason = "Automatically cancelled: the package was not shipped before the shipping due time"
			o.full.CancelTime, o.full.CancellationInitiator = e.at.Unix(), "SYSTEM"
			b.setStatus(o, StatusCancelled, e.at)
		}
	case evTikTokShip:
		// TikTok ships its own orders: a label it bought, then the
		// carrier's pickup.
		if o.full.Status == StatusAwaitingShipment {
			o.shippedAt = e.at
			o.full.RTSTime = e.at.Unix()
			o.full.TrackingNumber = "TT" + strconv.FormatUint(uint64(e.at.UnixNano())%1e12, 10)
			o.full.IsBuyerRequestCancel = false
			b.setStatus(o, StatusAwaitingCollection, e.at)
			b.schedule(e.at.Add(o.collectIn), evCollect, o)
		}
	case evCollect:
		if o.full.Status == StatusAwaitingCollection {
			o.full.CollectionTime = e.at.Unix()
			b.setStatus(o, StatusInTransit, e.at)
			b.schedule(e.at.Add(o.transitFor), evDeliver, o)
		}
	case evDeliver:
		if o.full.Status == StatusInTransit {
			o.full.DeliveryTime = e.at.Unix()
			b.setStatus(o, StatusDelivered, e.at)
			b.schedule(e.at.Add(7*24*time.Hour), evComplete, o)
		}
	case evComplete:
		if o.full.Status == StatusDelivered {
			b.setStatus(o, StatusCompleted, e.at)
		}
	}
}

func cancellable(status string) bool {
	return status == StatusUnpaid || status == StatusOnHold || status == StatusAwaitingShipment
}

// snapshot returns every order as the API would show it now.
func (b *orderBook) snapshot(now time.Time) []tiktok.Order {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	out := make([]tiktok.Order, len(b.list))
	for i, o := range b.list {
		out[i] = o.view()
	}
	return out
}
