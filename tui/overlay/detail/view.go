package detail

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/zone"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// width is the dialog's width on the current screen.
func (m *Model) width() int {
	w, _ := draw.DialogSize(110, 0, m.w, m.h)
	return w
}

// bodyHeight is how many lines of the detail fit.
func (m *Model) bodyHeight() int {
	_, h := draw.DialogSize(0, m.h, m.w, m.h)
	return max(0, h-2)
}

// View implements common.Component.
func (m *Model) View() string {
	w := m.width()
	th := m.c.Theme
	title := "Order " + draw.Clean(m.id)
	var lines []string
	switch {
	case !m.loaded:
		lines = []string{th.Muted.Render(" loading…")}
	case m.err != nil:
		lines = []string{th.Bad.Render(" could not load: " + draw.Clean(m.err.Error()))}
	default:
		lines = m.body(max(0, w-2))
	}
	body := min(len(lines), m.bodyHeight())
	h := body + 2
	maxScroll := max(0, len(lines)-body)
	if m.scroll > maxScroll {
		m.scroll = maxScroll
	}
	lines = lines[m.scroll:]
	if maxScroll > 0 && body > 0 && len(lines) >= body {
		lines[body-1] = th.Muted.Render(fmt.Sprintf(" ↓ j/k scroll (%d more)", maxScroll-m.scroll))
	}
	return m.c.Dialog(title, lines, w, h)
}

// body renders every section of the detail.
func (m *Model) body(w int) []string {
	th := m.c.Theme
	o := &m.order
	now := m.c.Now()
	sep := th.Muted.Render(th.Glyphs.Sep)
	label := func(s string) string { return th.Muted.Render(fmt.Sprintf(" %-13s", s)) }
	section := func(s string) string { return th.Accent.Render(" " + s) }
	var l []string

	l = append(l, label("state")+th.State(string(o.State)).Render(string(o.State))+sep+
		"TikTok "+draw.Clean(string(o.Status))+sep+"version "+strconv.FormatUint(o.Version, 10))
	if o.Reason != "" {
		l = append(l, label("reason")+draw.Clean(o.Reason))
	}
	if o.ErrorClass != "" {
		l = append(l, label("error class")+draw.Clean(o.ErrorClass))
	}
	if o.OnHold || o.BuyerRequestCancel {
		var flags []string
		if o.OnHold {
			flags = append(flags, "on hold at TikTok")
		}
		if o.BuyerRequestCancel {
			flags = append(flags, "buyer asked to cancel")
		}
		l = append(l, label("flags")+th.Warn.Render(strings.Join(flags, ", ")))
	}
	if p := o.Push; p != nil {
		l = append(l, label("carrier")+th.Strong.Render(draw.Clean(p.Carrier))+sep+"generation "+strconv.Itoa(p.Generation)+
			sep+"key "+draw.Clean(p.IdempotencyKey))
		if p.RouteRule != "" || p.RouteReason != "" {
			l = append(l, label("route")+draw.Clean(p.RouteRule)+" "+th.Muted.Render(draw.Clean(p.RouteReason)))
		}
		if len(p.PreviousCarriers) > 0 {
			prev := make([]string, len(p.PreviousCarriers))
			for i, c := range p.PreviousCarriers {
				prev[i] = draw.Clean(c)
			}
			l = append(l, label("previously")+strings.Join(prev, " → "))
		}
		if p.ExternalID != "" || p.TrackingNumber != "" {
			l = append(l, label("3PL id")+draw.Clean(p.ExternalID)+sep+"tracking "+draw.Clean(p.TrackingNumber)+
				" "+draw.Clean(p.CarrierCode))
		}
	}
	attempts := label("attempts") + strconv.Itoa(o.Attempts)
	if !o.NextAttemptAt.IsZero() {
		attempts += sep + "next retry " + draw.Countdown(o.NextAttemptAt, now)
	}
	l = append(l, attempts)

	l = append(l, "", section("Deadlines"))
	shipBy := o.ShipBy()
	l = append(l, label("ship by")+th.Urgency(shipBy.Sub(now)).Render(deadline(m.c.Zone, shipBy, now)))
	for _, d := range []struct {
		name string
		at   time.Time
	}{
		{"rts sla", o.RTSSLATime}, {"shipping due", o.ShippingDueTime}, {"tts sla", o.TTSSLATime},
		{"collection", o.CollectionDueTime}, {"delivery", o.DeliveryDueTime},
	} {
		if !d.at.IsZero() {
			l = append(l, label(d.name)+deadline(m.c.Zone, d.at, now))
		}
	}
	l = append(l, label("created")+stamp(m.c.Zone, o.CreateTime)+sep+"paid "+stamp(m.c.Zone, o.PaidTime)+sep+"stored "+stamp(m.c.Zone, o.StoredAt))

	l = append(l, "", section("Recipient"))
	a := o.Recipient
	l = append(l, label("name")+draw.Clean(a.Name)+sep+draw.Clean(a.Phone))
	for _, line := range a.Lines {
		l = append(l, label("")+draw.Clean(line))
	}
	l = append(l, label("")+strings.Join(nonEmpty(draw.Clean(a.City), draw.Clean(a.Region),
		draw.Clean(a.PostalCode), draw.Clean(a.Country)), ", "))
	if a.Masked {
		l = append(l, label("")+th.Warn.Render("address is masked by TikTok"))
	}

	l = append(l, "", section(fmt.Sprintf("Items (%d)", len(o.LineItems))))
	for _, li := range o.LineItems {
		l = append(l, fmt.Sprintf("  %-16s ×%-3d %s", draw.Clean(li.SKU), li.Quantity, draw.Clean(li.ProductName)))
	}

	l = append(l, "", section(fmt.Sprintf("Attempts (%d)", len(m.attempts))))
	for i := len(m.attempts) - 1; i >= 0; i-- {
		at := m.attempts[i]
		st := th.Good
		if at.Outcome != store.OutcomeSuccess && at.Outcome != store.OutcomeReplay {
			st = th.Bad
		}
		line := fmt.Sprintf("  %s %-9s %-12s ", stamp(m.c.Zone, at.At), at.Kind, draw.Clean(at.Carrier)) +
			st.Render(fmt.Sprintf("%-9s", at.Outcome)) + fmt.Sprintf(" %3s %7s ", httpStatus(at.HTTPStatus),
			draw.Latency(at.Latency)) + th.Muted.Render(draw.Clean(at.Error))
		l = append(l, line)
	}

	l = append(l, "", section(fmt.Sprintf("Audit (%d)", len(m.audit))))
	for i := len(m.audit) - 1; i >= 0; i-- {
		e := m.audit[i]
		change := ""
		if e.Before != "" || e.After != "" {
			change = draw.Clean(e.Before) + " → " + draw.Clean(e.After)
		}
		l = append(l, fmt.Sprintf("  %s %-14s %-8s %-18s ", stamp(m.c.Zone, e.At), draw.Cut(draw.Clean(e.Who)+" ("+draw.Clean(e.Role)+")", 14),
			draw.Clean(e.Action), change)+th.Muted.Render(draw.Clean(e.Detail)))
	}
	if len(o.Warnings) > 0 {
		l = append(l, "", section("TikTok warnings"))
		for _, wmsg := range o.Warnings {
			l = append(l, "  "+th.Warn.Render(draw.Clean(wmsg)))
		}
	}
	for i := range l {
		l[i] = draw.Cut(l[i], w)
	}
	return l
}

func deadline(z zone.Zone, t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return stamp(z, t) + " (" + draw.Countdown(t, now) + ")"
}

// stamp shows a time in the display zone, labelled ("Nov 24 15:04 CET").
func stamp(z zone.Zone, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return z.Short(t)
}

func httpStatus(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
