package quota

import (
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// ExhaustedError says a call was refused because the part of the day's
// budget its kind may use is spent. It wraps store.ErrQuotaExhausted, so
// callers test it with errors.Is or read the details with errors.As.
type ExhaustedError struct {
	Day  string
	Kind store.CallKind
	// Requested is the number of calls asked for; Used the day's total
	// before the request; Allowed the total this kind may reach; Limit the
	// day's budget.
	Requested, Used, Allowed, Limit int
	// ResetAt is when the next quota day starts.
	ResetAt time.Time
}

// Error describes the refusal without any secret.
func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("tiktok quota for %s: %d %s call(s) refused, %d of %d used (%s calls may use %d), resets %s",
		e.Day, e.Requested, e.Kind, e.Used, e.Limit, e.Kind, e.Allowed, e.ResetAt.Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, store.ErrQuotaExhausted) true.
func (e *ExhaustedError) Unwrap() error { return store.ErrQuotaExhausted }
