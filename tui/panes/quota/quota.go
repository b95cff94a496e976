// Package quota is the quota pane: today's TikTok API budget as a gauge,
// the reserve, calls by kind, when the day resets, the next poll, when the
// budget is projected to run out and recent rate-limit replies.
package quota

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
)

// Model is the quota pane. It draws only from the snapshot.
type Model struct {
	c      *common.Common
	q      store.QuotaStatus
	have   bool
	width  int
	height int
}

// New returns the quota pane.
func New(c *common.Common) *Model { return &Model{c: c} }

// Name implements common.Pane.
func (m *Model) Name() string { return "quota" }

// Title implements common.Pane.
func (m *Model) Title() string { return "API quota" }

// SetSize implements common.Component.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update implements common.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(common.SnapshotMsg); ok {
		m.q, m.have = msg.Snapshot.Quota, true
	}
	return nil
}

// View implements common.Component.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.c.Theme
	if !m.have {
		return common.Block([]string{th.Muted.Render("waiting for the worker…")}, m.width, m.height)
	}
	q, now, sep := m.q, m.c.Now(), th.Muted.Render(th.Glyphs.Sep)
	var lines []string

	head := th.Strong.Render("today "+common.Clean(q.Day)) + sep + "budget " + strconv.Itoa(q.Limit)
	if q.PerSecond > 0 {
		head += sep + "cap " + strconv.Itoa(q.PerSecond) + "/s"
	}
	lines = append(lines, head)

	frac := 0.0
	if q.Limit > 0 {
		frac = float64(q.Used) / float64(q.Limit)
	}
	label := fmt.Sprintf(" %d/%d", q.Used, q.Limit)
	lines = append(lines, th.Gauge(frac, max(0, m.width-common.Width(label)))+label)

	left := th.Good
	if q.Remaining <= q.Reserve {
		left = th.Bad
	}
	lines = append(lines, "used "+strconv.Itoa(q.Used)+sep+left.Render("left "+strconv.Itoa(q.Remaining))+sep+
		"reserve "+strconv.Itoa(q.Reserve))

	kinds := make([]string, 0, len(store.CallKinds()))
	for _, k := range store.CallKinds() {
		kinds = append(kinds, th.Muted.Render(string(k))+" "+strconv.Itoa(q.ByKind[k]))
	}
	lines = append(lines, wrap(kinds, sep, m.width)...)

	lines = append(lines, "resets in "+common.Countdown(q.ResetAt, now)+sep+"next poll "+nextPoll(q, now))

	switch {
	case q.ExhaustAt.IsZero():
		lines = append(lines, th.Good.Render("budget lasts the day"))
	default:
		lines = append(lines, th.Warn.Render("runs out ~"+q.ExhaustAt.In(now.Location()).Format("15:04")+
			" (in "+common.Duration(q.ExhaustAt.Sub(now))+")"))
	}

	if q.RateLimited > 0 {
		lines = append(lines, th.Bad.Render(fmt.Sprintf("rate-limited %d× today", q.RateLimited))+sep+
			"last "+common.Ago(q.LastLimited, now))
	} else {
		lines = append(lines, th.Muted.Render("no rate limits today"))
	}
	if q.InSlowWindow {
		lines = append(lines, th.Warn.Render("slow window: non-urgent calls wait"))
	}
	return common.Block(lines, m.width, m.height)
}

func nextPoll(q store.QuotaStatus, now time.Time) string {
	if q.NextPoll.IsZero() {
		return "—"
	}
	if !q.NextPoll.After(now) {
		return "now"
	}
	return "in " + common.Duration(q.NextPoll.Sub(now))
}

// wrap joins items with sep into lines no wider than w.
func wrap(items []string, sep string, w int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	sw := common.Width(sep)
	for _, it := range items {
		iw := common.Width(it)
		if curW > 0 && curW+sw+iw > w {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += sw
		}
		cur.WriteString(it)
		curW += iw
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
