package tui

import (
	"context"
	"io"

	"github.com/shipdeck/shipdeck/store"
)

// Engine is everything the console needs from the sync worker. The console
// never imports the worker; cmd wires an implementation in.
type Engine interface {
	// Snapshot returns the latest snapshot.
	Snapshot() store.Snapshot
	// Subscribe delivers new snapshots (coalesced, at most 10 a second)
	// until cancel is called.
	Subscribe() (snapshots <-chan store.Snapshot, cancel func())

	// Queue, QueueByStatus, Failed and OrderDetail read one visible page.
	Queue(ctx context.Context, state store.State, offset, limit int) ([]store.Order, error)
	QueueByStatus(ctx context.Context, status store.MarketStatus, offset, limit int) ([]store.Order, error)
	Failed(ctx context.Context, offset, limit int) ([]store.Order, error)
	// Matching reads one page of the orders a filter selects (no states:
	// failed and dead), in the order the bulk commands walk them.
	Matching(ctx context.Context, f store.Filter, offset, limit int) ([]store.Order, error)
	OrderDetail(ctx context.Context, id string) (store.Order, []store.Attempt, []store.AuditEntry, error)
	// Audit returns the last n audit entries, newest first.
	Audit(ctx context.Context, n int) ([]store.AuditEntry, error)
	// Activity returns at most n activity log entries older than before
	// (0: the newest), newest first, that mention query ("" keeps all).
	Activity(ctx context.Context, before uint64, n int, query string) ([]store.Activity, error)
	// CarrierHistory returns a carrier's last n calls and circuit changes.
	CarrierHistory(ctx context.Context, name string, n int) (store.CarrierHistory, error)
	// Search runs a fuzzy search over orders (id, buyer, SKU, carrier, city)
	// and returns at most limit hits, best first. It stops early when ctx is
	// cancelled.
	Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error)
	// Carriers names the configured carriers, for the re-route picker.
	Carriers() []string

	// Commands. Each checks actor's role, and writes an audit entry in the
	// same transaction as the change.
	Retry(ctx context.Context, actor store.Actor, orderID string) error
	// CountMatching counts the orders a bulk command would touch, over the
	// real totals in the store.
	CountMatching(ctx context.Context, f store.Filter) (int, error)
	RetryMatching(ctx context.Context, actor store.Actor, f store.Filter) (int, error)
	Reroute(ctx context.Context, actor store.Actor, orderID, carrier string) error
	Hold(ctx context.Context, actor store.Actor, orderID string) error
	Release(ctx context.Context, actor store.Actor, orderID string) error
	Resolve(ctx context.Context, actor store.Actor, orderID, reason string) error
	SetPaused(ctx context.Context, actor store.Actor, paused bool) error
	// Export writes the orders of a view ("failed", "dead", a state name or
	// "all") as CSV to w.
	Export(ctx context.Context, actor store.Actor, view string, w io.Writer) (int, error)
}
