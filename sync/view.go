package sync

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/search"
	"github.com/shipdeck/shipdeck/store"
)

// Snapshot returns the latest snapshot.
func (e *Engine) Snapshot() store.Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snap
}

// Subscribe delivers new snapshots (coalesced: a slow reader gets the
// newest, never a backlog) until cancel is called.
func (e *Engine) Subscribe() (<-chan store.Snapshot, func()) {
	ch := make(chan store.Snapshot, 1)
	e.mu.Lock()
	id := e.nextSub
	e.nextSub++
	e.subs[id] = ch
	ch <- e.snap // under the lock, so a refresh cannot slip in before it
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		if _, ok := e.subs[id]; ok {
			delete(e.subs, id)
			close(ch)
		}
		e.mu.Unlock()
	}
}

// snapshotLoop rebuilds the snapshot when the store reports a change, at
// most every SnapshotEvery, and at least every second for the worker
// state and countdowns.
func (e *Engine) snapshotLoop(ctx context.Context) {
	changes, cancel := e.st.Subscribe(store.TopicAll)
	defer cancel()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Time{}
	for {
		e.Refresh(ctx)
		last = time.Now()
		select {
		case <-ctx.Done():
			e.Refresh(context.WithoutCancel(ctx))
			return
		case <-changes:
		case <-tick.C:
		}
		if gap := e.cfg.SnapshotEvery - time.Since(last); gap > 0 && !sleep(ctx, gap) {
			return
		}
	}
}

// Refresh builds a snapshot now and publishes it to every subscriber.
func (e *Engine) Refresh(ctx context.Context) {
	now := e.now()
	counts, err := e.st.Counts(ctx)
	if err != nil {
		e.log.Warn("snapshot counts", "err", err)
	}
	q, err := e.planner.Status(ctx, now)
	if err != nil {
		e.log.Warn("snapshot quota", "err", err)
	}
	alerts, err := e.st.Alerts(ctx)
	if err != nil {
		e.log.Warn("snapshot alerts", "err", err)
	}
	// critical before warning: "critical" sorts before "warning".
	slices.SortStableFunc(alerts, func(a, b store.Alert) int { return strings.Compare(a.Severity, b.Severity) })
	carriers := make([]store.CarrierStats, 0, len(e.names))
	for _, name := range e.names {
		slot := e.carriers[name]
		row := e.health.Row(name, time.Hour, now)
		row.Kind, row.InFlight, row.Circuit = slot.Kind(), len(slot.sem), e.breakers.State(name, now)
		carriers = append(carriers, row)
	}
	e.mu.Lock()
	w := e.worker
	if w.State != store.WorkerPaused && w.State != store.WorkerDegraded && !q.NextPoll.IsZero() {
		w.NextPoll = q.NextPoll
	}
	e.snap = store.Snapshot{At: now, Shop: e.cfg.Shop, Demo: e.cfg.Demo, Worker: w, Counts: counts,
		Quota: q, Carriers: carriers, Health: e.accountHealth, Reconcile: e.lastReconcile, Costs: e.costs, Alerts: alerts, Seq: e.snap.Seq + 1}
	snap := e.snap
	for _, ch := range e.subs {
		select {
		case <-ch: // drop the stale one
		default:
		}
		select {
		case ch <- snap:
		default:
		}
	}
	e.mu.Unlock()
}

// Queue returns a page of one local state's queue.
func (e *Engine) Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error) {
	return e.st.Queue(ctx, state, offset, limit)
}

// QueueByStatus returns a page of one marketplace status.
func (e *Engine) QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error) {
	return e.st.QueueByStatus(ctx, status, offset, limit)
}

// Failed returns a page of failed and dead orders.
func (e *Engine) Failed(ctx context.Context, offset, limit int) ([]store.Order, error) {
	return e.st.Failed(ctx, offset, limit)
}

// Matching returns one page of the orders a filter selects, in the order
// the bulk commands walk them (state by state, by ship-by), so the console
// can list exactly what "retry all" on that filter would touch.
func (e *Engine) Matching(ctx context.Context, f store.Filter, offset, limit int) ([]store.Order, error) {
	var page []store.Order
	skip := offset
	err := e.forMatching(ctx, f, func(o store.Order) error {
		if skip > 0 {
			skip--
			return nil
		}
		page = append(page, o)
		if len(page) >= limit {
			return errPageFull
		}
		return nil
	})
	if errors.Is(err, errPageFull) {
		err = nil
	}
	return page, err
}

// errPageFull stops a walk once a page is full.
var errPageFull = errors.New("page full")

// OrderDetail returns one order with its attempts and audit trail.
func (e *Engine) OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error) {
	return e.st.OrderDetail(ctx, id)
}

// Audit returns the last n audit entries.
func (e *Engine) Audit(ctx context.Context, n int) ([]store.AuditEntry, error) {
	return e.st.Audit(ctx, n)
}

// Search runs the fuzzy search and loads the hits' orders.
func (e *Engine) Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error) {
	if e.search == nil {
		return nil, nil
	}
	res, err := e.search.Find(ctx, pattern, limit)
	if err != nil {
		return nil, err
	}
	hits := make([]store.SearchHit, 0, len(res))
	for _, r := range res {
		o, err := e.st.Order(ctx, r.ID)
		if err != nil {
			continue // removed meanwhile
		}
		hits = append(hits, store.SearchHit{Order: o, Text: displayText(o, r.Text), Matched: r.Matched})
	}
	return hits, ctx.Err()
}

// displayText is the hit's line in its original case, which the index does
// not keep. Lower-casing maps rune to rune, so the hit's rune indexes mark
// the same letters in it; if the order changed since the index saw it, the
// indexed (lower-case) line is shown rather than marks on the wrong letters.
func displayText(o store.Order, indexed string) string {
	text := searchText(o)
	if strings.ToLower(text) != indexed {
		return indexed
	}
	return text
}

// IndexOrders puts orders into the search index; the store calls it (through
// its OnOrders hook) after every commit, so the index never goes stale.
func IndexOrders(idx *search.Index, orders []store.Order) {
	for _, o := range orders {
		idx.Upsert(o.ID, searchText(o))
	}
}

// buildIndex loads every stored order into the search index once, when the
// worker starts, off the console's first frame.
func (e *Engine) buildIndex(ctx context.Context) {
	if e.search == nil {
		return
	}
	err := e.st.ScanOrders(ctx, func(o store.Order) bool {
		e.search.Upsert(o.ID, searchText(o))
		return ctx.Err() == nil
	})
	if err != nil && ctx.Err() == nil {
		e.log.Warn("build search index", "err", err)
	}
}

// searchText is the text an order is found by: id, buyer, SKUs, carrier
// and city, stripped of control characters.
func searchText(o store.Order) string {
	parts := []string{o.ID, o.Recipient.Name}
	for _, li := range o.LineItems {
		parts = append(parts, li.SKU)
	}
	parts = append(parts, o.Carrier(), o.Recipient.City)
	return sanitize.Line(strings.Join(parts, " "))
}

// exportHeader is the header row of an export.
func exportHeader() []string {
	return []string{"order_id", "state", "status", "carrier", "attempts", "error_class", "reason", "ship_by", "next_attempt", "buyer", "city", "country", "tracking"}
}

// ErrUnknownView means an export named a view that does not exist; the
// error names the ones that do.
var ErrUnknownView = errors.New("unknown view")

// Export writes the orders of a view as CSV: "failed" (failed and dead),
// a local state name, or "all".
func (e *Engine) Export(ctx context.Context, actor store.Actor, view string, w io.Writer) (int, error) {
	if err := allow(actor, store.RoleOperator, "export"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader()); err != nil {
		return 0, err
	}
	n := 0
	write := func(o store.Order) error {
		tracking := ""
		if o.Push != nil {
			tracking = o.Push.TrackingNumber
		}
		n++
		row := []string{o.ID, string(o.State), string(o.Status), o.Carrier(), strconv.Itoa(o.Attempts), o.ErrorClass,
			o.Reason, e.cfg.Zone.Stamp(o.ShipBy()), e.cfg.Zone.Stamp(o.NextAttemptAt), o.Recipient.Name, o.Recipient.City, o.Recipient.Country, tracking}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return cw.Write(row)
	}
	var err error
	switch view {
	case "all":
		err = e.st.ScanOrders(ctx, func(o store.Order) bool { return write(o) == nil })
	case "failed", "":
		err = e.forMatching(ctx, store.Filter{}, write)
	default:
		st := store.State(view)
		if !st.Valid() {
			return 0, fmt.Errorf("export %q: %w (use failed, all or a state: %v)", view, ErrUnknownView, store.States())
		}
		err = e.forMatching(ctx, store.Filter{States: []store.State{st}}, write)
	}
	if err != nil {
		return n, fmt.Errorf("export %s: %w", view, err)
	}
	cw.Flush()
	return n, cw.Error()
}

// csvCell makes one export cell safe: text from outside (ids, names,
// cities, 3PL messages, tracking numbers) loses what a terminal would act
// on, and a cell a spreadsheet would run as a formula (leading =, +, -, @,
// tab or CR; OWASP "CSV Injection") gets a leading apostrophe. Every column
// goes through it, ours included, so no column is missed.
func csvCell(s string) string {
	s = sanitize.Line(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
