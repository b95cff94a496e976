package route

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shipdeck/shipdeck/store"
)

// Errors Reroute wraps, for errors.Is.
var (
	// ErrUnknownCarrier means the named carrier is not configured.
	ErrUnknownCarrier = errors.New("unknown carrier")
	// ErrSameCarrier means the order is already routed to that carrier; a
	// re-route would push it there again under a new generation.
	ErrSameCarrier = errors.New("already routed to that carrier")
)

// Reroute checks an operator's re-route of o to carrier before the engine
// acts on it: the carrier must be configured and differ from the current
// one. The error says which carriers exist.
func (r *Router) Reroute(o store.Order, carrier string) error {
	if !r.Known(carrier) {
		names := make([]string, len(r.carriers))
		for i, c := range r.carriers {
			names[i] = c.Name
		}
		return fmt.Errorf("re-route order %s to %q: %w (configured: %s)", clean(o.ID), clean(carrier), ErrUnknownCarrier, strings.Join(names, ", "))
	}
	if o.Carrier() == carrier {
		return fmt.Errorf("re-route order %s to %s: %w", clean(o.ID), carrier, ErrSameCarrier)
	}
	return nil
}
