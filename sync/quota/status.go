package quota

import (
	"context"
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Status returns what the quota pane shows at now: today's use by kind,
// what is left, the reserve, the reset, the next planned poll, when the
// budget runs out at today's average spend rate (zero if it lasts until
// the reset), rate-limit replies and whether a slow window is on.
func (p *Planner) Status(ctx context.Context, now time.Time) (store.QuotaStatus, error) {
	pl, err := p.plan(ctx, now)
	if err != nil {
		return store.QuotaStatus{}, fmt.Errorf("quota status: %w", err)
	}
	q := pl.ledger
	used := q.Total()
	byKind := make(map[store.CallKind]int, len(store.CallKinds()))
	for _, k := range store.CallKinds() {
		byKind[k] = q.Used[k]
	}
	for k, v := range q.Used {
		byKind[k] = v
	}
	inSlow, _ := p.inSlowWindow(now)
	st := store.QuotaStatus{
		Day:          pl.label,
		Limit:        p.cfg.DailyLimit,
		Used:         used,
		Remaining:    max(p.cfg.DailyLimit-used, 0),
		Reserve:      p.cfg.HeldBack(now, pl.reset),
		ByKind:       byKind,
		ResetAt:      pl.reset,
		NextPoll:     pl.next,
		RateLimited:  q.RateLimited,
		LastLimited:  q.LastLimited,
		PerSecond:    p.cfg.PerSecond,
		InSlowWindow: inSlow,
	}
	st.ExhaustAt = exhaustAt(used, p.cfg.DailyLimit, pl.start, pl.reset, now)
	return st, nil
}

// exhaustAt projects when the budget runs out if calls keep coming at the
// day's average rate so far; zero when that is at or after the reset.
func exhaustAt(used, limit int, start, reset, now time.Time) time.Time {
	elapsed := now.Sub(start)
	if used <= 0 || elapsed <= 0 {
		return time.Time{}
	}
	if used >= limit {
		return now
	}
	perCall := float64(elapsed) / float64(used)
	at := now.Add(time.Duration(perCall * float64(limit-used)))
	if !at.Before(reset) {
		return time.Time{}
	}
	return at
}
