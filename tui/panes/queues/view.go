package queues

import (
	"strconv"
	"strings"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/common"
)

// shortStatus spells marketplace statuses compactly; ON_HOLD keeps its
// name so it stands out as its own bucket.
var shortStatus = map[store.MarketStatus]string{
	store.StatusUnpaid:             "UNPAID",
	store.StatusOnHold:             "ON_HOLD",
	store.StatusAwaitingShipment:   "AWAIT_SHIP",
	store.StatusPartiallyShipping:  "PART_SHIP",
	store.StatusAwaitingCollection: "AWAIT_COLL",
	store.StatusInTransit:          "IN_TRANSIT",
	store.StatusDelivered:          "DELIVERED",
	store.StatusCompleted:          "COMPLETED",
	store.StatusCancelled:          "CANCELLED",
	store.StatusUnknown:            "UNKNOWN",
}

// chipLines lays the buckets out as "name count" chips wrapped to the
// pane's width: local states first, then marketplace statuses.
func (m *Model) chipLines() []string {
	if m.width <= 0 {
		return nil
	}
	th := m.c.Theme
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		if curW > 0 {
			lines = append(lines, cur.String())
		}
		cur.Reset()
		curW = 0
	}
	add := func(text string, style func(...string) string) {
		w := common.Width(text) + 1
		if curW > 0 && curW+w > m.width {
			flush()
		}
		cur.WriteString(style(text))
		cur.WriteByte(' ')
		curW += w
	}
	group := func(label string) {
		flush()
		add(label, th.Muted.Render)
	}
	group("local")
	for i, b := range m.buckets {
		if b.state == "" && m.buckets[max(0, i-1)].state != "" {
			group("tiktok")
		}
		name := string(b.state)
		st := th.State(name)
		if b.status != "" {
			name = shortStatus[b.status]
			st = th.Text
			if b.status == store.StatusOnHold {
				st = th.State("held")
			}
		}
		text := name + " " + strconv.FormatInt(b.count(m.counts), 10)
		if i == m.sel {
			add(text, th.ChipActive.Render)
		} else {
			add(text, st.Render)
		}
	}
	flush()
	// Never let the chips take the whole pane.
	if limit := max(1, m.height/3); len(lines) > limit {
		lines = lines[:limit]
	}
	return lines
}

// View implements common.Component: the chips, then the list.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.chips...)
	lines = append(lines, strings.Split(m.list.View(), "\n")...)
	return common.Block(lines, m.width, m.height)
}
