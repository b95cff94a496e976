package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// PollResult says what one poll did.
type PollResult struct {
	Pages   int `json:"pages"`
	Seen    int `json:"seen"`
	Changed int `json:"changed"`
}

// pageSize is TikTok's maximum order search page.
const pageSize = 100

// maxPages bounds one poll so a page-token loop cannot spend the budget.
const maxPages = 200

// Poll runs one incremental search from the stored cursor (minus the
// overlap) to now, storing each page and moving the cursor only after the
// page is stored.
func (e *Engine) Poll(ctx context.Context) (res PollResult, err error) {
	if e.mp == nil {
		return PollResult{}, nil
	}
	used := e.quotaUsed(ctx)
	defer func() {
		if ctx.Err() != nil {
			return // shutting down: not a poll outcome
		}
		ev := Event{Kind: EventPoll, Poll: res, Calls: e.quotaUsed(ctx) - used, Err: err}
		ev.NextPoll, _ = e.planner.NextPoll(ctx, e.now())
		e.emit(ev)
	}()
	cur, err := e.st.Cursor(ctx)
	if err != nil {
		return PollResult{}, fmt.Errorf("poll: read cursor: %w", err)
	}
	now := e.now()
	from := cur.UpdateTimeGE.Add(-e.cfg.Overlap)
	if cur.UpdateTimeGE.IsZero() {
		// First run: look back far enough to catch every open order.
		from = now.Add(-7 * 24 * time.Hour)
	}
	res, err = e.searchWindow(ctx, store.CallPoll, from, now)
	if err != nil {
		if ctx.Err() == nil {
			_ = e.st.Update(ctx, func(tx *store.Tx) error {
				return tx.AddActivity(store.Activity{At: now, Kind: store.ActivityPoll, Level: "warn", Text: "poll failed: " + err.Error()})
			})
		}
		return res, err
	}
	err = e.st.Update(ctx, func(tx *store.Tx) error {
		c := cur
		c.UpdateTimeGE = now
		c.LastPoll = now
		if err := tx.AddActivity(store.Activity{At: now, Kind: store.ActivityPoll,
			Text: fmt.Sprintf("poll: %d orders seen, %d new or changed", res.Seen, res.Changed)}); err != nil {
			return err
		}
		return tx.SetCursor(c)
	})
	if err != nil {
		return res, fmt.Errorf("poll: store cursor: %w", err)
	}
	return res, nil
}

// Sweep searches the last SweepWindow again to catch anything a webhook or
// an earlier poll missed. It does not move the incremental cursor.
func (e *Engine) Sweep(ctx context.Context) (PollResult, error) {
	if e.mp == nil || e.cfg.SweepWindow <= 0 {
		return PollResult{}, nil
	}
	now := e.now()
	res, err := e.searchWindow(ctx, store.CallSweep, now.Add(-e.cfg.SweepWindow), now)
	if err != nil {
		return res, err
	}
	err = e.st.Update(ctx, func(tx *store.Tx) error {
		c, err := e.st.Cursor(ctx)
		if err != nil {
			return err
		}
		c.LastSweep = now
		return tx.SetCursor(c)
	})
	return res, err
}

// searchWindow pages through orders updated in [from, to) and stores each page.
func (e *Engine) searchWindow(ctx context.Context, kind store.CallKind, from, to time.Time) (PollResult, error) {
	var res PollResult
	req := tiktok.SearchRequest{UpdateTimeGE: from.Unix(), UpdateTimeLT: to.Unix()}
	token := ""
	seen := map[string]bool{}
	for res.Pages < maxPages {
		var page tiktok.SearchData
		err := e.scoped(ctx, func() (err error) {
			page, err = e.mp.SearchOrders(tiktok.WithKind(ctx, string(kind)), req, token, pageSize)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("poll orders updated %s..%s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
		}
		res.Pages++
		n, err := e.storeOrders(ctx, page.Orders)
		if err != nil {
			return res, err
		}
		res.Seen += len(page.Orders)
		res.Changed += n
		if page.NextPageToken == "" || len(page.Orders) == 0 {
			return res, nil
		}
		if seen[page.NextPageToken] {
			return res, fmt.Errorf("poll orders: TikTok returned page token %.12q twice; stopping to protect the quota", page.NextPageToken)
		}
		seen[page.NextPageToken] = true
		token = page.NextPageToken
	}
	return res, fmt.Errorf("poll orders: more than %d pages in one poll; stopping to protect the quota", maxPages)
}

// ErrBadOrder is returned (wrapped) when TikTok sent an order shipdeck
// cannot store; the page it came in is not stored.
var ErrBadOrder = errors.New("malformed order")

// storeOrders validates and upserts one page of orders in one transaction
// and returns how many changed. A malformed order refuses the whole page.
func (e *Engine) storeOrders(ctx context.Context, orders []tiktok.Order) (int, error) {
	for _, t := range orders {
		if err := tiktok.ValidateOrder(t); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrBadOrder, err)
		}
	}
	now := e.now()
	changed := 0
	var fresh []time.Time
	var moved []store.Order // address changed at a 3PL: logged once committed
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		changed, fresh, moved = 0, fresh[:0], moved[:0]
		for _, t := range orders {
			in := fromTikTok(t)
			var curp *store.Order
			cur, err := tx.Order(in.ID)
			switch {
			case err == nil:
				curp = &cur
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			o, ok := e.merge(curp, in, now)
			if !ok {
				continue
			}
			if curp != nil {
				if flagged, yes := flagAddressChange(*curp, o); yes {
					o = flagged
					moved = append(moved, o)
					if err := tx.AddAudit(store.AuditEntry{At: now, Who: "tiktok", Action: "address_changed", OrderID: o.ID,
						Before: addressLine(curp.Recipient), After: addressLine(o.Recipient), Detail: o.Reason}); err != nil {
						return err
					}
				}
			}
			if err := tx.PutOrder(o); err != nil {
				return fmt.Errorf("store order %s: %w", o.ID, err)
			}
			if curp == nil && !o.CreateTime.IsZero() {
				fresh = append(fresh, o.CreateTime)
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, o := range moved {
		e.log.Warn("address changed after the order reached its 3PL", "order", o.ID, "carrier", o.Carrier())
	}
	for _, created := range fresh {
		e.emit(Event{Kind: EventDetected, At: now, Delay: max(now.Sub(created), 0)})
	}
	if changed > 0 {
		e.nudge()
	}
	return changed, nil
}

// FetchOrders fetches specific orders by id (webhook-triggered), 50 a call.
func (e *Engine) FetchOrders(ctx context.Context, ids []string) (int, error) {
	if e.mp == nil {
		return 0, nil
	}
	total := 0
	for len(ids) > 0 {
		n := min(50, len(ids))
		batch := ids[:n]
		ids = ids[n:]
		var orders []tiktok.Order
		err := e.scoped(ctx, func() (err error) {
			orders, err = e.mp.OrderDetail(tiktok.WithKind(ctx, string(store.CallDetail)), batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("fetch orders %v: %w", batch, err)
		}
		c, err := e.storeOrders(ctx, orders)
		total += c
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Notify asks the poller to fetch these orders now (from a webhook).
func (e *Engine) Notify(ids ...string) {
	select {
	case e.pollNow <- ids:
	default:
		// The queue is full: the next poll or sweep catches them.
		e.log.Warn("webhook fetch queue full: the orders wait for the next poll", "orders", len(ids))
	}
}

// pollLoop polls when the planner says so, fetches webhook-named orders at
// once (also while it backs off after a failed poll), and sweeps
// periodically.
func (e *Engine) pollLoop(ctx context.Context) {
	// After a restart, poll at once when the last poll is older than the
	// minimum interval, rather than waiting a whole interval again.
	first := true
	failures := 0
	for ctx.Err() == nil {
		if e.idle() || e.mp == nil {
			if !e.wait(ctx, time.Second, nil) {
				return
			}
			continue
		}
		now := e.now()
		next, err := e.planner.NextPoll(ctx, now)
		if err != nil {
			e.degrade("quota planner: " + err.Error())
			next = now.Add(time.Minute)
		}
		if first {
			first = false
			if c, err := e.st.Cursor(ctx); err == nil && now.Sub(c.LastPoll) >= e.cfg.MinInterval {
				next = now
			}
		}
		if next.After(now) {
			e.setWorker(func(w *store.WorkerStatus) {
				if w.State != store.WorkerDegraded {
					w.State = store.WorkerSleeping
				}
				w.NextPoll = next
			})
			if !e.serveNotified(ctx, next.Sub(now)) {
				return
			}
		}
		if e.idle() {
			continue
		}
		e.setWorker(func(w *store.WorkerStatus) { w.State = store.WorkerPolling })
		var res PollResult
		res, err = e.Poll(ctx)
		if err == nil {
			// What the poll found is how the planner notices a burst.
			e.planner.NotePoll(ctx, e.now(), res.Changed)
			c, cerr := e.st.Cursor(ctx)
			if cerr == nil && e.now().Sub(c.LastSweep) >= e.cfg.SweepEvery {
				_, err = e.Sweep(ctx)
			}
		}
		e.afterPoll(ctx, err)
		if err == nil {
			failures = 0
			continue
		}
		// Back off: TikTok's own delay after a 429, else the backoff
		// policy's for this many failures in a row; never a fixed pause.
		failures++
		wait := e.RateLimitedFor()
		if wait <= 0 {
			wait = e.delay(failures-1, 0)
		}
		e.setWorker(func(w *store.WorkerStatus) { w.NextPoll = e.now().Add(wait) })
		if !e.serveNotified(ctx, wait) {
			return
		}
	}
}

// serveNotified waits d of clock time, fetching the orders webhooks name
// as they come (after any rate-limit wait TikTok asked for), so a
// notification is acted on within seconds whatever the poller is waiting
// for. It reports whether ctx is still live.
func (e *Engine) serveNotified(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(max(time.Duration(float64(d)/e.cfg.Speed), 5*time.Millisecond))
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return ctx.Err() == nil
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
			return ctx.Err() == nil
		case ids := <-e.pollNow:
			t.Stop()
			ids = e.gatherNotified(ctx, ids)
			if hold := e.RateLimitedFor(); hold > 0 && !e.waitClock(ctx, hold) {
				return false
			}
			if _, err := e.FetchOrders(ctx, ids); err != nil {
				e.log.Warn("webhook fetch failed", "orders", len(ids), "err", err)
			}
		}
	}
}

// gatherNotified collects the order ids webhooks name over a short window,
// without duplicates, so a burst of status changes costs one detail call
// per 50 orders rather than one per notification.
func (e *Engine) gatherNotified(ctx context.Context, first []string) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(batch []string) {
		for _, id := range batch {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	add(first)
	window := time.NewTimer(time.Second)
	defer window.Stop()
	for len(ids) < 50 {
		select {
		case more := <-e.pollNow:
			add(more)
		case <-window.C:
			return ids
		case <-ctx.Done():
			return ids
		}
	}
	return ids
}

// quotaUsed is the quota day's calls so far, for a poll's cost (0 when
// the ledger cannot be read: the poll event then shows no cost).
func (e *Engine) quotaUsed(ctx context.Context) int {
	q, err := e.planner.Status(ctx, e.now())
	if err != nil {
		return 0
	}
	return q.Used
}

// afterPoll records the poll's outcome in the worker status.
func (e *Engine) afterPoll(ctx context.Context, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		// The poll event carries the error to the log.
		e.degrade(e.pollFailureReason(ctx, err))
		return
	}
	if err == nil {
		e.authRestored(ctx)
	}
	e.setWorker(func(w *store.WorkerStatus) {
		w.State, w.Reason, w.LastPoll = store.WorkerSleeping, "", e.now()
	})
}

// degrade marks the worker degraded with a reason the header shows.
func (e *Engine) degrade(reason string) {
	e.setWorker(func(w *store.WorkerStatus) { w.State, w.Reason = store.WorkerDegraded, reason })
}
