package sync

import (
	"context"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// pushActivity is the activity entry for a push that did not land: failed
// (retried later), in doubt, or dead. A push that landed is not news.
func pushActivity(o *store.Order, carrierName string) (store.Activity, bool) {
	a := store.Activity{Kind: store.ActivityPush, Carrier: carrierName, OrderID: o.ID}
	switch o.State {
	case store.StateFailed:
		a.Level, a.Text = "warn", "push failed ("+o.ErrorClass+"), retry scheduled: "+o.Reason
	case store.StateUnknown:
		a.Level, a.Text = "warn", "push in doubt: "+o.Reason
	case store.StateDead:
		a.Level, a.Text = "error", "push dead ("+o.ErrorClass+"): "+o.Reason
	default:
		return store.Activity{}, false
	}
	return a, true
}

// circuitActivity is the activity entry for a carrier's circuit changing.
func circuitActivity(name string, before, after store.CircuitState, at time.Time) store.Activity {
	level := "info"
	if after == store.CircuitOpen {
		level = "error"
	}
	return store.Activity{At: at, Kind: store.ActivityCircuit, Carrier: name, Level: level,
		Text: "circuit " + string(before) + " → " + string(after)}
}

// Activity returns a page of the activity log, newest first: at most n
// entries older than before (0: the newest) whose kind, text, carrier,
// order or operator contains query, ignoring case ("" keeps all).
func (e *Engine) Activity(ctx context.Context, before uint64, n int, query string) ([]store.Activity, error) {
	return e.st.Activity(ctx, before, n, ActivityMatcher(query))
}

// ActivityMatcher selects the activity entries that mention query, ignoring
// case; nil (keep all) for an empty query.
func ActivityMatcher(query string) func(*store.Activity) bool {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil
	}
	return func(a *store.Activity) bool {
		for _, s := range []string{string(a.Kind), a.Text, a.Carrier, a.OrderID, a.Who} {
			if strings.Contains(strings.ToLower(s), q) {
				return true
			}
		}
		return false
	}
}

// CarrierHistory returns a carrier's last n calls, newest first, with
// their latency, order and error, and its last n circuit changes.
func (e *Engine) CarrierHistory(ctx context.Context, name string, n int) (store.CarrierHistory, error) {
	var h store.CarrierHistory
	now := e.now()
	samples, err := e.st.Samples(ctx, name, now.Add(-24*time.Hour), now.Add(time.Second))
	if err != nil {
		return h, err
	}
	for i := len(samples) - 1; i >= 0 && len(h.Calls) < n; i-- {
		h.Calls = append(h.Calls, samples[i])
	}
	h.Circuit, err = e.st.Activity(ctx, 0, n, func(a *store.Activity) bool {
		return a.Kind == store.ActivityCircuit && a.Carrier == name
	})
	return h, err
}
