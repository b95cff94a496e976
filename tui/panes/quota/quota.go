// Package quota is the quota pane: today's TikTok API budget as a gauge,
// the reserve, calls by kind, when the day resets, the next poll, when the
// budget is projected to run out and recent rate-limit replies.
package quota

import (
	"fmt"
	"strconv"
	"time"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
	"github.com/shipdeck/shipdeck/tui/widget"
)

// Model is the quota pane. It draws only from the snapshot.
type Model = widget.SnapshotPane[store.QuotaStatus]

// New returns the quota pane.
func New(c *common.Common) *Model {
	return widget.NewSnapshotPane(c, "quota", "API quota",
		func(s store.Snapshot) store.QuotaStatus { return s.Quota }, lines)
}

// lines draws today's budget, its use and what comes next.
func lines(c *common.Common, q store.QuotaStatus, width int) []string {
	th := c.Theme
	now, sep := c.Now(), th.Muted.Render(th.Glyphs.Sep)
	var out []string

	head := th.Strong.Render("today "+draw.Clean(q.Day)) + sep + "budget " + strconv.Itoa(q.Limit)
	if q.PerSecond > 0 {
		head += sep + "cap " + strconv.Itoa(q.PerSecond) + "/s"
	}
	out = append(out, head)

	frac := 0.0
	if q.Limit > 0 {
		frac = float64(q.Used) / float64(q.Limit)
	}
	label := fmt.Sprintf(" %d/%d", q.Used, q.Limit)
	out = append(out, th.Gauge(frac, max(0, width-draw.Width(label)))+label)

	left := th.Good
	if q.Remaining <= q.Reserve {
		left = th.Bad
	}
	out = append(out, "used "+strconv.Itoa(q.Used)+sep+left.Render("left "+strconv.Itoa(q.Remaining))+sep+
		"reserve "+strconv.Itoa(q.Reserve))

	kinds := make([]string, 0, len(store.CallKinds()))
	for _, k := range store.CallKinds() {
		kinds = append(kinds, th.Muted.Render(string(k))+" "+strconv.Itoa(q.ByKind[k]))
	}
	out = append(out, draw.Wrap(kinds, sep, width)...)

	out = append(out, "resets in "+draw.Countdown(q.ResetAt, now)+sep+"next poll "+nextPoll(q, now))

	switch {
	case q.ExhaustAt.IsZero():
		out = append(out, th.Good.Render("budget lasts the day"))
	default:
		out = append(out, th.Warn.Render("runs out ~"+c.Zone.In(q.ExhaustAt).Format("15:04 MST")+
			" (in "+draw.Duration(q.ExhaustAt.Sub(now))+")"))
	}

	if q.RateLimited > 0 {
		out = append(out, th.Bad.Render(fmt.Sprintf("rate-limited %d× today", q.RateLimited))+sep+
			"last "+draw.Ago(q.LastLimited, now))
	} else {
		out = append(out, th.Muted.Render("no rate limits today"))
	}
	if q.InSlowWindow {
		out = append(out, th.Warn.Render("slow window: non-urgent calls wait"))
	}
	return out
}

func nextPoll(q store.QuotaStatus, now time.Time) string {
	if q.NextPoll.IsZero() {
		return "—"
	}
	if !q.NextPoll.After(now) {
		return "now"
	}
	return "in " + draw.Duration(q.NextPoll.Sub(now))
}
