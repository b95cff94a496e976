package queues

import (
	"strconv"
	"strings"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/draw"
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

// stateLabel names local states whose name would read poorly as a chip.
var stateLabel = map[store.State]string{
	store.StateTikTokShips: "TikTok ships",
}

// chipLines lays the buckets out as "name count" chips wrapped to the
// pane's width: local states first, then marketplace statuses, each group
// on lines of its own.
func (m *Model) chipLines() []string {
	if m.width <= 0 {
		return nil
	}
	th := m.c.Theme
	local := []string{th.Muted.Render("local")}
	tiktok := []string{th.Muted.Render("tiktok")}
	for i, b := range m.buckets {
		name, st := string(b.state), th.State(string(b.state))
		if l, ok := stateLabel[b.state]; ok {
			name = l
		}
		if b.status != "" {
			name, st = shortStatus[b.status], th.Text
			if b.status == store.StatusOnHold {
				st = th.State("held")
			}
		}
		if _, filtered := m.list.Filter(); i == m.sel && !filtered {
			st = th.ChipActive
		}
		chip := st.Render(name + " " + strconv.FormatInt(b.count(m.counts), 10))
		if b.state != "" {
			local = append(local, chip)
		} else {
			tiktok = append(tiktok, chip)
		}
	}
	lines := append(draw.Wrap(local, " ", m.width), draw.Wrap(tiktok, " ", m.width)...)
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
	return draw.Block(lines, m.width, m.height)
}
