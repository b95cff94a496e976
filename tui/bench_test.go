package tui

import (
	"fmt"
	"testing"

	"charm.land/bubbles/v2/table"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// benchSizes are the shop sizes the frame benchmarks compare: the frame
// must cost the same with a thousand orders or a million.
var benchSizes = []int{1_000, 1_000_000}

// BenchmarkFrame is the cost of one full frame (root View at 120×40) once
// the panes hold their pages.
func BenchmarkFrame(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			h := newHarness(b, tuitest.NewSynthetic(n, testNow), operator, 120, 40)
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.View()
			}
		})
	}
}

// BenchmarkFrameScroll is a keypress that scrolls the queue past its page
// (so a page is fetched) followed by a frame.
func BenchmarkFrameScroll(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			h := newHarness(b, tuitest.NewSynthetic(n, testNow), operator, 120, 40)
			b.ReportAllocs()
			for b.Loop() {
				h.press("pgdown")
				_ = h.m.View()
			}
		})
	}
}

// BenchmarkFrameAllRows is the naive baseline: the queues pane's list fed
// every row of the queue through a bubbles table, as a pane that fetched
// all orders would do on each refresh (the rows are built outside the
// timer, which flatters it).
func BenchmarkFrameAllRows(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			syn := tuitest.NewSynthetic(n, testNow)
			orders := syn.All(store.StateQueued)
			rows := make([]table.Row, len(orders))
			for i := range orders {
				o := &orders[i]
				rows[i] = table.Row{draw.Clean(o.ID), draw.Clean(o.Buyer()), draw.Clean(o.LineItems[0].SKU),
					draw.Clean(o.Carrier()), draw.Countdown(o.ShipBy(), testNow)}
			}
			orders = nil
			cols := []table.Column{{Title: "ORDER", Width: 18}, {Title: "BUYER", Width: 6}, {Title: "SKU", Width: 6},
				{Title: "CARRIER", Width: 12}, {Title: "SHIP BY", Width: 11}}
			t := table.New(table.WithColumns(cols), table.WithWidth(58), table.WithHeight(12), table.WithFocused(true))
			b.ReportAllocs()
			for b.Loop() {
				t.SetRows(rows)
				_ = t.View()
			}
		})
	}
}

// BenchmarkQueuesPane is our queues pane alone, for comparison with
// BenchmarkFrameAllRows at the same size.
func BenchmarkQueuesPane(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			h := newHarness(b, tuitest.NewSynthetic(n, testNow), operator, 120, 40)
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.queues.View()
			}
		})
	}
}
