package orderlist

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/draw"
)

// Columns shared by the order panes. Every string that comes from outside
// passes through draw.Clean here.

// IDColumn is the order id.
func IDColumn() Column {
	return Column{Title: "ORDER", Width: 18, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return draw.Clean(o.ID), th.Text
	}}
}

// BuyerColumn is the recipient's name.
func BuyerColumn() Column {
	return Column{Title: "BUYER", Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return draw.Clean(o.Buyer()), th.Text
	}}
}

// SKUColumn lists the order's SKUs.
func SKUColumn() Column {
	return Column{Title: "SKU", Drop: 3, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		skus := make([]string, 0, len(o.LineItems))
		for _, li := range o.LineItems {
			skus = append(skus, draw.Clean(li.SKU))
		}
		return strings.Join(skus, ","), th.Muted
	}}
}

// CarrierColumn is the current push's carrier.
func CarrierColumn() Column {
	return Column{Title: "CARRIER", Width: 12, Drop: 1, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		c := draw.Clean(o.Carrier())
		if c == "" {
			c = "—"
		}
		return c, th.Text
	}}
}

// StateColumn is the local state, coloured.
func StateColumn() Column {
	return Column{Title: "STATE", Width: 9, Drop: 2, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return string(o.State), th.State(string(o.State))
	}}
}

// ShipByColumn is the countdown to the ship-by deadline, coloured by
// urgency.
func ShipByColumn() Column {
	return Column{Title: "SHIP BY", Width: 11, Cell: func(o *store.Order, now time.Time, th *theme.Theme) (string, lipgloss.Style) {
		by := o.ShipBy()
		if by.IsZero() {
			return "—", th.Muted
		}
		return draw.Countdown(by, now), th.Urgency(by.Sub(now))
	}}
}

// ClassColumn is the last error's class.
func ClassColumn() Column {
	return Column{Title: "CLASS", Width: 10, Drop: 2, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		c := draw.Clean(o.ErrorClass)
		if c == "" {
			c = "—"
		}
		return c, th.State(string(o.State))
	}}
}

// AttemptsColumn counts push attempts of the current route.
func AttemptsColumn() Column {
	return Column{Title: "TRIES", Width: 5, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return strconv.Itoa(o.Attempts), th.Text
	}}
}

// NextRetryColumn is when a failed push is retried, or "dead".
func NextRetryColumn() Column {
	return Column{Title: "NEXT", Width: 8, Cell: func(o *store.Order, now time.Time, th *theme.Theme) (string, lipgloss.Style) {
		if o.State == store.StateDead {
			return "dead", th.State("dead")
		}
		return untilNext(o, now, th)
	}}
}

// untilNext is the time left until the order's next attempt: "—" when none
// is scheduled, "due" once it has come.
func untilNext(o *store.Order, now time.Time, th *theme.Theme) (string, lipgloss.Style) {
	switch {
	case o.NextAttemptAt.IsZero():
		return "—", th.Muted
	case !o.NextAttemptAt.After(now):
		return "due", th.Warn
	}
	return draw.Duration(o.NextAttemptAt.Sub(now)), th.Text
}

// MessageColumn is the reason the order is where it is (the last error).
func MessageColumn() Column {
	return Column{Title: "MESSAGE", Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return draw.Clean(o.Reason), th.Muted
	}}
}

// WaitColumn is the countdown until a waiting order becomes eligible (the
// end of its buyer-remorse window): "—" when it waits on TikTok instead,
// "due" once the time has come.
func WaitColumn() Column {
	return Column{Title: "WAIT", Width: 7, Cell: untilNext}
}

// StatusColumn is the order's status on TikTok.
func StatusColumn() Column {
	return Column{Title: "TIKTOK", Width: 19, Drop: 2, Cell: func(o *store.Order, _ time.Time, th *theme.Theme) (string, lipgloss.Style) {
		return draw.Clean(string(o.Status)), th.Text
	}}
}
