package main

import (
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/account"
)

// HealthConfig is the [health] table: the windows and thresholds of the
// account-health estimate, the scan watch and the periodic reconciliation.
// Zero values take TikTok's published figures (README, "Account health").
type HealthConfig struct {
	Window         duration `toml:"window"`
	DeliveryWindow duration `toml:"delivery_window"`
	ScanWatch      duration `toml:"scan_watch"`
	ScanGrace      duration `toml:"scan_grace"`
	LDRMax         float64  `toml:"ldr_max"`
	VTRMin         float64  `toml:"vtr_min"`
	SFCRMax        float64  `toml:"sfcr_max"`
	OTDRMin        float64  `toml:"otdr_min"`
	// PeriodicReconcile (default true) cross-checks TikTok, the 3PLs and
	// the store every ReconcileEvery over the last ReconcileWindow.
	PeriodicReconcile *bool    `toml:"periodic_reconcile"`
	ReconcileEvery    duration `toml:"reconcile_every"`
	ReconcileWindow   duration `toml:"reconcile_window"`
}

// CostsConfig is the [costs] table: TikTok FBT's rate card to compare the
// 3PLs with. It changes, so it is dated; the default is the card effective
// 16 Jan 2025.
type CostsConfig struct {
	FBT FBTRateCardConfig `toml:"fbt"`
}

// FBTRateCardConfig is [costs.fbt].
type FBTRateCardConfig struct {
	Effective       string `toml:"effective"`
	SingleUnitCents int64  `toml:"single_unit_cents"`
	MultiUnitCents  int64  `toml:"multi_unit_cents"`
	Source          string `toml:"source"`
}

// RateCardConfig is a carrier's `rates`: what the 3PL charges when it does
// not report a cost itself.
type RateCardConfig struct {
	PerOrderCents int64              `toml:"per_order_cents"`
	PerUnitCents  int64              `toml:"per_unit_cents"`
	WeightBands   []WeightBandConfig `toml:"weight_bands"`
}

// WeightBandConfig is one band of a rate card.
type WeightBandConfig struct {
	MaxGrams int   `toml:"max_g"`
	Cents    int64 `toml:"cents"`
}

// validateAccount checks [health], [costs] and each carrier's rates.
func (c *Config) validateAccount() error {
	h := c.Health
	for _, f := range []struct {
		key string
		v   float64
	}{{"health.ldr_max", h.LDRMax}, {"health.vtr_min", h.VTRMin}, {"health.sfcr_max", h.SFCRMax}, {"health.otdr_min", h.OTDRMin}} {
		if f.v < 0 || f.v > 1 {
			return c.errAt(f.key, fmt.Sprintf("%v is not a share between 0 and 1 (4%% is 0.04)", f.v))
		}
	}
	fbt := c.Costs.FBT
	if fbt.Effective != "" {
		if _, err := time.Parse(time.DateOnly, fbt.Effective); err != nil {
			return c.errAt("costs.fbt.effective", fmt.Sprintf("%q is not a date (use 2025-01-16)", fbt.Effective))
		}
	}
	if fbt.SingleUnitCents < 0 || fbt.MultiUnitCents < 0 {
		return c.errAt("costs.fbt.single_unit_cents", "rates must not be negative")
	}
	for i, cc := range c.Carriers {
		r := cc.Rates
		if r.PerOrderCents < 0 || r.PerUnitCents < 0 {
			return c.errAtN("carrier", i, "rates", "rates must not be negative")
		}
		for _, b := range r.WeightBands {
			if b.MaxGrams <= 0 || b.Cents < 0 {
				return c.errAtN("carrier", i, "rates", fmt.Sprintf("weight band %+v: max_g must be positive and cents not negative", b))
			}
		}
	}
	return nil
}

// accountConfig is the engine's view of [health].
func (c *Config) accountConfig() account.Config {
	h := c.Health
	return account.Config{Window: h.Window.Duration, DeliveryWindow: h.DeliveryWindow.Duration,
		ScanWatch: h.ScanWatch.Duration, ScanGrace: h.ScanGrace.Duration,
		LDRMax: h.LDRMax, VTRMin: h.VTRMin, SFCRMax: h.SFCRMax, OTDRMin: h.OTDRMin}
}

// reconcileSchedule is how often and over what window the engine
// reconciles (every 6 h over 7 days by default; 0 when turned off).
func (c *Config) reconcileSchedule() (every, window time.Duration) {
	if c.Health.PeriodicReconcile != nil && !*c.Health.PeriodicReconcile {
		return 0, 0
	}
	every, window = c.Health.ReconcileEvery.Duration, c.Health.ReconcileWindow.Duration
	if every == 0 {
		every = 6 * time.Hour
	}
	if window == 0 {
		window = 7 * 24 * time.Hour
	}
	return every, window
}

// costConfig is the rate cards, by carrier, and FBT's.
func (c *Config) costConfig() account.CostConfig {
	out := account.CostConfig{Cards: map[string]account.RateCard{}, FBT: account.DefaultFBTRateCard()}
	fbt := c.Costs.FBT
	if fbt.SingleUnitCents > 0 || fbt.MultiUnitCents > 0 {
		out.FBT = store.FBTRateCard{SingleUnitCents: fbt.SingleUnitCents, MultiUnitCents: fbt.MultiUnitCents, Source: fbt.Source}
		out.FBT.Effective, _ = time.Parse(time.DateOnly, fbt.Effective)
	}
	for _, cc := range c.Carriers {
		card := account.RateCard{PerOrderCents: cc.Rates.PerOrderCents, PerUnitCents: cc.Rates.PerUnitCents}
		for _, b := range cc.Rates.WeightBands {
			card.WeightBands = append(card.WeightBands, account.WeightBand{MaxGrams: b.MaxGrams, Cents: b.Cents})
		}
		out.Cards[cc.Name] = card
	}
	return out
}
