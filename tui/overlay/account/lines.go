// Package account is the account-health view (key H): TikTok's four
// fulfilment metrics as shipdeck estimates them, each against TikTok's line
// with its projection if the orders at risk go wrong, the orders behind
// the worst one, the scan watch, and the latest reconciliation's findings.
// It draws only from the engine's snapshot.
package account

import (
	"fmt"
	"strconv"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// View is what the view draws: the estimate, the reconciliation and the
// cost comparison.
type View struct {
	Health    store.AccountHealth
	Reconcile store.ReconcileReport
	Costs     store.CostReport
}

// Lines draws the view, width cells wide.
func Lines(c *common.Common, v View, width int) []string {
	th := c.Theme
	sep := th.Muted.Render(th.Glyphs.Sep)
	h := v.Health
	if h.At.IsZero() {
		return []string{th.Muted.Render("estimating account health…")}
	}
	var out []string
	var worst *store.Metric
	for i, m := range h.Metrics {
		side := "≤"
		if m.HigherIsBetter {
			side = "≥"
		}
		style, status := th.Good, "ok"
		switch {
		case m.Total == 0:
			style, status = th.Muted, "no orders yet"
		case m.Breached():
			style, status = th.Bad, "over the line"
		case m.ProjectedBreach():
			style, status = th.Warn, "at risk"
		}
		line := th.Strong.Render(string(m.Name)) + " " + style.Render(store.FormatShare(m.Value)) + " " + th.Muted.Render(side+store.FormatShare(m.Threshold)) +
			sep + fmt.Sprintf("%d/%d", m.Bad, m.Total)
		if m.AtRisk > 0 {
			line += sep + th.Warn.Render(fmt.Sprintf("%d at risk → %s", m.AtRisk, store.FormatShare(m.Projected)))
		}
		out = append(out, line+sep+style.Render(status))
		if (m.Breached() || m.ProjectedBreach()) && (worst == nil || overBy(m) > overBy(*worst)) {
			worst = &h.Metrics[i]
		}
	}
	if worst != nil {
		out = append(out, th.Muted.Render(string(worst.Name)+" orders:"))
		for i, mo := range worst.Orders {
			if i == 3 {
				break
			}
			tag := th.Bad.Render("counts")
			if mo.AtRisk {
				tag = th.Warn.Render("at risk")
			}
			out = append(out, "  "+draw.Clean(mo.ID)+" "+tag+" "+th.Muted.Render(draw.Clean(mo.Reason)))
		}
	}
	if n := len(h.ScanWatch); n > 0 {
		f := h.ScanWatch[0]
		left := "past the deadline"
		if f.HoursLeft > 0 {
			left = strconv.FormatFloat(f.HoursLeft, 'f', 1, 64) + " h left"
		}
		out = append(out, th.Warn.Render(fmt.Sprintf("scan watch: %d written back, no carrier scan", n))+sep+
			draw.Clean(f.ID)+" at "+draw.Clean(f.Carrier)+" "+left)
	}
	r := v.Reconcile
	switch {
	case r.At.IsZero():
		out = append(out, th.Muted.Render("reconciliation: not run yet (shipdeck reconcile)"))
	case len(r.Findings) == 0:
		out = append(out, th.Good.Render(fmt.Sprintf("reconciled %d orders: TikTok, 3PLs and store agree", r.Checked))+sep+
			draw.Ago(r.At, c.Now()))
	default:
		counts := map[store.FindingKind]int{}
		var kinds []store.FindingKind
		for _, f := range r.Findings {
			if counts[f.Kind] == 0 {
				kinds = append(kinds, f.Kind)
			}
			counts[f.Kind]++
		}
		items := []string{th.Warn.Render(fmt.Sprintf("reconciliation: %d findings", len(r.Findings)))}
		for _, k := range kinds {
			items = append(items, fmt.Sprintf("%d %s", counts[k], kindLabel(k)))
		}
		out = append(out, draw.Wrap(items, sep, width)...)
	}
	if len(r.Problems) > 0 {
		out = append(out, th.Muted.Render(fmt.Sprintf("%d 3PL lookups failed; see shipdeck reconcile", len(r.Problems))))
	}
	return append(out, costLines(c, v.Costs, width)...)
}

// costLines compares what the 3PLs cost with what FBT would have.
func costLines(c *common.Common, r store.CostReport, width int) []string {
	th := c.Theme
	sep := th.Muted.Render(th.Glyphs.Sep)
	if r.Since.IsZero() {
		return nil
	}
	if r.Orders == 0 {
		return []string{th.Muted.Render("costs: no orders at 3PLs in the last 30 days")}
	}
	diff := th.Good.Render("FBT would cost " + store.FormatCents(r.DiffCents) + " more")
	if r.DiffCents < 0 {
		diff = th.Warn.Render("FBT would save " + store.FormatCents(-r.DiffCents))
	}
	out := []string{th.Strong.Render("costs, 30 days") + sep + "3PLs " + store.FormatCents(r.ThreePLCents) + sep + "FBT " + store.FormatCents(r.FBTCents) + sep + diff +
		sep + th.Muted.Render(fmt.Sprintf("%d of %d orders priced", r.Priced, r.Orders))}
	items := []string{}
	for _, s := range r.PerSKU {
		items = append(items, draw.Clean(s.SKU)+" "+store.FormatCents(s.ThreePLCents)+"/"+store.FormatCents(s.FBTCents))
	}
	if len(items) > 0 {
		out = append(out, draw.Wrap(append([]string{th.Muted.Render("3PL/FBT by SKU:")}, items...), sep, width)...)
	}
	return append(out, th.Muted.Render(fmt.Sprintf("FBT rate card of %s: %s a unit alone, %s in multi-unit orders (shipdeck costs)",
		r.FBT.Effective.Format("2006-01-02"), store.FormatCents(r.FBT.SingleUnitCents), store.FormatCents(r.FBT.MultiUnitCents))))
}

// overBy is how far a metric's projection is on the wrong side of its
// line, whichever side is good.
func overBy(m store.Metric) float64 {
	if m.HigherIsBetter {
		return m.Threshold - m.Projected
	}
	return m.Projected - m.Threshold
}

// kindLabel names a finding kind in a few words.
func kindLabel(k store.FindingKind) string {
	switch k {
	case store.FindingShippedNotWrittenBack:
		return "shipped, not written back"
	case store.FindingCancelledButLive:
		return "cancelled, live at a 3PL"
	case store.FindingShippedElsewhere:
		return "shipped outside shipdeck"
	case store.FindingAtTwo3PLs:
		return "at two 3PLs"
	case store.FindingHandKeyed:
		return "keyed by hand"
	case store.FindingTrackingMismatch:
		return "tracking differs"
	}
	return string(k)
}
