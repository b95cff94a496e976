package quota

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// writeBack is a pending tracking write-back in the planner run.
type writeBack struct {
	due, deadline time.Time
}

// writeBackQueue is a min-heap of write-backs by due time.
type writeBackQueue []writeBack

func (q writeBackQueue) Len() int           { return len(q) }
func (q writeBackQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q writeBackQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *writeBackQueue) Push(x any)        { *q = append(*q, x.(writeBack)) }
func (q *writeBackQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// simProfile counts stored orders per UTC hour of their creation over the
// last ProfileDays days, like the store's arrival counters.
type simProfile struct {
	created []time.Time // stored orders' creation times, in creation order
	lo      int
	counts  [24]int64
}

func (s *simProfile) add(t time.Time) {
	s.created = append(s.created, t)
	s.counts[t.UTC().Hour()]++
}

func (s *simProfile) at(now time.Time) [24]int64 {
	from := now.Add(-ProfileDays * 24 * time.Hour)
	for s.lo < len(s.created) && s.created[s.lo].Before(from) {
		s.counts[s.created[s.lo].UTC().Hour()]--
		s.lo++
	}
	return s.counts
}

// runPlanner drives a real Planner on the virtual clock, telling it what
// each poll found. The oracle's planner is also told every burst before it
// starts.
func (w *simWorld) runPlanner(oracle bool) (SimRun, error) {
	ctx := context.Background()
	orders := slices.Clone(w.orders)
	now := w.starts[0]
	clock := func() time.Time { return now }
	sleep := func(ctx context.Context, d time.Duration) error {
		now = now.Add(d)
		return ctx.Err()
	}
	prof := &simProfile{}
	ledger := NewMemLedger()
	p, err := New(w.opts.Config, ledger, clock, func(context.Context) ([24]int64, error) { return prof.at(now), nil }, WithSleep(sleep))
	if err != nil {
		return SimRun{}, fmt.Errorf("simulate planner: %w", err)
	}
	if oracle {
		for _, b := range w.bursts {
			p.ExpectSurge(b.from, b.to, b.perHour)
		}
	}
	var (
		queue     writeBackQueue
		nextPoll  = now
		next      int
		polls     int
		pollTimes []time.Time
		wbOnTime  int
		end       = w.starts[w.opts.Days]
	)
	for {
		pollFirst := queue.Len() == 0 || nextPoll.Before(queue[0].due)
		t := nextPoll
		if !pollFirst {
			t = queue[0].due
		}
		if !t.Before(w.stop) || (!t.Before(end) && next == len(orders) && queue.Len() == 0) {
			break
		}
		now = later(now, t)
		if !pollFirst {
			wb := heap.Pop(&queue).(writeBack)
			err := p.Reserve(ctx, store.CallWriteBack, 1)
			var ex *ExhaustedError
			switch {
			case errors.As(err, &ex):
				wb.due = ex.ResetAt
				heap.Push(&queue, wb)
			case err != nil:
				return SimRun{}, fmt.Errorf("simulate planner write-back: %w", err)
			default:
				if !now.After(wb.deadline) {
					wbOnTime++
				}
			}
			continue
		}
		// A poll: the first page, then one call per further page.
		found := 0
		for page := 0; ; page++ {
			err := p.Reserve(ctx, store.CallPoll, 1)
			if errors.Is(err, store.ErrQuotaExhausted) {
				break
			}
			if err != nil {
				return SimRun{}, fmt.Errorf("simulate planner poll: %w", err)
			}
			if page == 0 && now.Before(end) {
				polls++
				pollTimes = append(pollTimes, now)
			}
			n := 0
			for next < len(orders) && n < pageSize && !orders[next].placed.After(now) {
				o := &orders[next]
				o.detected = now
				prof.add(o.placed)
				ship := later(o.placed.Add(o.shipLag), now)
				heap.Push(&queue, writeBack{due: ship, deadline: ship.Add(w.opts.WriteBackWithin)})
				next++
				n++
			}
			found += n
			if n < pageSize || next == len(orders) || orders[next].placed.After(now) {
				break
			}
		}
		p.NotePoll(ctx, now, found)
		np, err := p.NextPoll(ctx, now)
		if err != nil {
			return SimRun{}, fmt.Errorf("simulate planner: %w", err)
		}
		if !np.After(now) {
			np = now.Add(time.Second)
		}
		nextPoll = np
	}
	calls := make([]int, w.opts.Days)
	for i := range calls {
		label, _, _ := quotaDay(w.starts[i], w.opts.Config.Zone, w.opts.Config.ResetHour)
		q, err := ledger.Day(ctx, label)
		if err != nil {
			return SimRun{}, fmt.Errorf("simulate planner: %w", err)
		}
		calls[i] = q.Total()
	}
	run := w.summarize(orders, calls, polls)
	run.WriteBacks = len(orders)
	run.WriteBacksOnTime = wbOnTime
	run.PollsInSlowWindows = w.countInSlow(pollTimes)
	return run, nil
}
