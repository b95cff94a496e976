package store

import (
	"fmt"
	"strconv"
	"time"
)

// MetricName names one of TikTok's four fulfilment metrics.
type MetricName string

// The four core fulfilment metrics TikTok judges a US seller-shipping shop
// by (seller-operations reference §1.3, from TikTok Seller University).
const (
	MetricLDR  MetricName = "LDR"  // Late Dispatch Rate
	MetricVTR  MetricName = "VTR"  // Valid Tracking Rate
	MetricSFCR MetricName = "SFCR" // Seller-Fault Cancellation Rate
	MetricOTDR MetricName = "OTDR" // On-Time Delivery Rate
)

// MetricOrder is an order that counts against a metric, or may soon.
type MetricOrder struct {
	ID      string `json:"id"`
	Carrier string `json:"carrier,omitempty"`
	// AtRisk is true for an order not yet counted that will count against
	// the metric unless something happens in time.
	AtRisk bool   `json:"at_risk,omitempty"`
	Reason string `json:"reason"`
	// Due is the deadline the order is measured against.
	Due time.Time `json:"due,omitzero"`
}

// Metric is one fulfilment metric estimated from shipdeck's own data.
type Metric struct {
	Name  MetricName `json:"name"`
	Title string     `json:"title"`
	// Bad and Total are the counted orders; Value is Bad/Total for the
	// rates TikTok caps (LDR, SFCR) and (Total-Bad)/Total for the ones it
	// floors (VTR, OTDR).
	Bad   int     `json:"bad"`
	Total int     `json:"total"`
	Value float64 `json:"value"`
	// Threshold is TikTok's line; HigherIsBetter says which side is good.
	Threshold      float64 `json:"threshold"`
	HigherIsBetter bool    `json:"higher_is_better"`
	// AtRisk orders are not counted yet; Projected is the value if every
	// one of them goes wrong.
	AtRisk    int     `json:"at_risk"`
	Projected float64 `json:"projected"`
	// Window is the period the metric is measured over.
	Window time.Duration `json:"window_ns"`
	// Orders are the counted bad orders and the at-risk ones, worst first
	// (capped; Bad and AtRisk give the full counts).
	Orders []MetricOrder `json:"orders,omitempty"`
}

// Breached reports whether the value is on the wrong side of the threshold.
func (m Metric) Breached() bool { return breached(m.Value, m.Threshold, m.HigherIsBetter, m.Total) }

// ProjectedBreach reports whether the projection crosses the threshold.
func (m Metric) ProjectedBreach() bool {
	return breached(m.Projected, m.Threshold, m.HigherIsBetter, m.Total+m.AtRisk)
}

func breached(v, threshold float64, higherIsBetter bool, n int) bool {
	if n == 0 {
		return false
	}
	if higherIsBetter {
		return v < threshold
	}
	return v > threshold
}

// ScanFlag is an order whose tracking was written back but that no carrier
// has scanned yet, close to its dispatch deadline: the warehouse needs
// chasing.
type ScanFlag struct {
	ID        string        `json:"id"`
	Carrier   string        `json:"carrier"`
	Tracking  string        `json:"tracking,omitempty"`
	ShipBy    time.Time     `json:"ship_by"`
	HoursLeft float64       `json:"hours_left"`
	Since     time.Duration `json:"since_written_back_ns"`
}

// AccountHealth is the shop's fulfilment health as shipdeck estimates it.
type AccountHealth struct {
	At        time.Time  `json:"at"`
	Metrics   []Metric   `json:"metrics"`
	ScanWatch []ScanFlag `json:"scan_watch,omitempty"`
	// Orders is how many orders the estimate read.
	Orders int `json:"orders_read"`
}

// Metric returns the named metric, or a zero one.
func (h AccountHealth) Metric(n MetricName) Metric {
	for _, m := range h.Metrics {
		if m.Name == n {
			return m
		}
	}
	return Metric{Name: n}
}

// FormatShare writes a share such as a metric's value as a percentage
// with one decimal ("4.0%"), the way every view of account health shows it.
func FormatShare(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

// FormatCents writes an amount in minor units as dollars ("$12.34").
func FormatCents(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}
