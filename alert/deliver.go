package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Channel delivers notices somewhere an operator looks.
type Channel interface {
	// Name keys the channel's notices in the store.
	Name() string
	// Send delivers one message. A *PermanentError means retrying cannot
	// help (the receiver refused the request itself).
	Send(ctx context.Context, msg Message) error
}

// PermanentError is a delivery the receiver refused for good.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Message is what a channel sends: one pass's transitions or the daily
// summary. ID is stable across re-deliveries, so receivers can dedupe.
type Message struct {
	ID       string        `json:"id"`
	Shop     string        `json:"shop"`
	At       time.Time     `json:"at"`
	Fired    []store.Alert `json:"fired,omitempty"`
	Resolved []store.Alert `json:"resolved,omitempty"`
	Summary  string        `json:"summary,omitempty"`
}

// maxListed bounds the alerts a text message lists; the rest are counted.
const maxListed = 20

// Title is the message's one-line subject.
func (m Message) Title() string {
	if m.Summary != "" {
		return fmt.Sprintf("shipdeck %s: daily summary", m.Shop)
	}
	parts := []string{}
	if n := len(m.Fired); n > 0 {
		parts = append(parts, fmt.Sprintf("%d firing", n))
	}
	if n := len(m.Resolved); n > 0 {
		parts = append(parts, fmt.Sprintf("%d resolved", n))
	}
	return fmt.Sprintf("shipdeck %s: %s", m.Shop, strings.Join(parts, ", "))
}

// Text is the message as plain text, for Slack and email.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Title())
	b.WriteString("\n")
	if m.Summary != "" {
		b.WriteString(m.Summary)
		b.WriteString("\n")
	}
	list := func(head string, alerts []store.Alert) {
		if len(alerts) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", head)
		for i, a := range alerts {
			if i == maxListed {
				fmt.Fprintf(&b, "  ... and %d more\n", len(alerts)-maxListed)
				break
			}
			fmt.Fprintf(&b, "  [%s] %s\n", a.Severity, a.Summary)
		}
	}
	list("FIRING", m.Fired)
	list("RESOLVED", m.Resolved)
	return b.String()
}

// Deliver sends the notices that are due, each to its channel, and returns
// how many went out. A delivered notice is deleted; a refused one is tried
// again with backoff.
func (m *Monitor) Deliver(ctx context.Context) (int, error) {
	notices, err := m.st.Notices(ctx, 200)
	if err != nil {
		return 0, err
	}
	byName := map[string]Channel{}
	for _, ch := range m.cfg.Channels {
		byName[ch.Name()] = ch
	}
	sent := 0
	for _, n := range notices {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		now := m.cfg.Now()
		if n.NextAt.After(now) {
			continue
		}
		ch, ok := byName[n.Channel]
		if !ok {
			// The channel was removed from the config since: nothing to send to.
			if err := m.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteNotice(n.ID) }); err != nil {
				return sent, err
			}
			continue
		}
		msg := Message{ID: fmt.Sprintf("%d-%s", n.ID, n.Channel), Shop: m.cfg.Shop, At: n.Created, Fired: n.Fired, Resolved: n.Resolved, Summary: n.Summary}
		serr := ch.Send(ctx, msg)
		if serr == nil {
			sent++
			if err := m.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteNotice(n.ID) }); err != nil {
				return sent, err
			}
			continue
		}
		n.Attempts++
		n.LastErr = serr.Error()
		var perm *PermanentError
		if errors.As(serr, &perm) || m.cfg.Backoff.Exhausted(n.Attempts) {
			m.cfg.Log.Error("alert notice dropped", "channel", n.Channel, "notice", n.ID, "attempts", n.Attempts, "err", serr)
			if err := m.st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteNotice(n.ID) }); err != nil {
				return sent, err
			}
			continue
		}
		n.NextAt = now.Add(m.cfg.Backoff.Delay(n.Attempts, 0, m.rnd))
		m.cfg.Log.Warn("alert delivery failed", "channel", n.Channel, "notice", n.ID, "attempts", n.Attempts, "next", n.NextAt.UTC().Format(time.RFC3339), "err", serr)
		if err := m.st.Update(ctx, func(tx *store.Tx) error { return tx.PutNotice(n) }); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// summary queues the daily summary once a day at SummaryHour.
func (m *Monitor) summary(ctx context.Context) error {
	if m.cfg.SummaryHour < 0 || len(m.cfg.Channels) == 0 {
		return nil
	}
	now := m.cfg.Now().In(m.cfg.SummaryZone)
	if now.Hour() < m.cfg.SummaryHour {
		return nil
	}
	day := now.Format(time.DateOnly)
	last, err := m.st.Mark(ctx, "alert-summary-day")
	if err != nil || last == day {
		return err
	}
	counts, err := m.st.Counts(ctx)
	if err != nil {
		return err
	}
	snap := m.src.Snapshot()
	alerts, err := m.st.Alerts(ctx)
	if err != nil {
		return err
	}
	late := 0
	for _, a := range alerts {
		if a.Rule == RuleLate {
			late++
		}
	}
	m.mu.Lock()
	t := m.mu.tally
	m.mu.tally = tally{}
	m.mu.Unlock()
	text := fmt.Sprintf("since the last summary: orders in %d, pushed %d, shipped %d, newly dead %d\n"+
		"now: late %d, dead %d, failed %d, waiting to push %d\nTikTok quota: %d of %d used today",
		t.in, t.pushed, t.shipped, t.dead, late, counts.ByState[store.StateDead], counts.ByState[store.StateFailed],
		counts.ByState[store.StateReady]+counts.ByState[store.StateQueued], snap.Quota.Used, snap.Quota.Limit)
	return m.st.Update(ctx, func(tx *store.Tx) error {
		for _, ch := range m.cfg.Channels {
			if _, err := tx.AddNotice(store.Notice{Channel: ch.Name(), Created: m.cfg.Now(), Summary: text}); err != nil {
				return err
			}
		}
		return tx.SetMark("alert-summary-day", day)
	})
}
