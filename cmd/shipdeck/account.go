package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/account"
)

func healthCmd(env *runEnv) *cobra.Command {
	var asJSON bool
	var list int
	c := &cobra.Command{
		Use:   "health",
		Short: "Estimate TikTok's fulfilment metrics (LDR, VTR, SFCR, OTDR) from shipdeck's own data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				h, err := a.eng.AccountHealth(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.out, h)
				}
				return printHealth(env.out, h, list)
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	c.Flags().IntVar(&list, "orders", 5, "orders to list under each metric")
	return c
}

// printHealth writes the health view: each metric against TikTok's line,
// the projection, the orders behind it, and the scan watch.
func printHealth(w io.Writer, h store.AccountHealth, list int) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVALUE\tLINE\tCOUNTED\tAT RISK\tIF ALL AT RISK GO WRONG\tSTATUS")
	for _, m := range h.Metrics {
		side := "≤ "
		if m.HigherIsBetter {
			side = "≥ "
		}
		status := "ok"
		switch {
		case m.Total == 0:
			status = "no orders yet"
		case m.Breached():
			status = "OVER THE LINE"
		case m.ProjectedBreach():
			status = "at risk"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%d of %d\t%d\t%s\t%s\n", m.Name, m.Title, store.FormatShare(m.Value), side+store.FormatShare(m.Threshold),
			m.Bad, m.Total, m.AtRisk, store.FormatShare(m.Projected), status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range h.Metrics {
		if len(m.Orders) == 0 || list <= 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, last %s):\n", m.Name, m.Title, humanWindow(m.Window))
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for i, mo := range m.Orders {
			if i == list {
				fmt.Fprintf(tw, "  …\t%d more\n", len(m.Orders)-list)
				break
			}
			tag := "counts"
			if mo.AtRisk {
				tag = "at risk"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", sanitize.Line(mo.ID), tag, sanitize.Line(mo.Carrier), sanitize.Truncate(mo.Reason, 90))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(h.ScanWatch) > 0 {
		fmt.Fprintf(w, "\nscan watch: %d written back, not scanned by a carrier, near or past the dispatch deadline\n", len(h.ScanWatch))
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ORDER\t3PL\tTRACKING\tHOURS LEFT\tWRITTEN BACK")
		for i, f := range h.ScanWatch {
			if i == max(list, 5)*2 {
				fmt.Fprintf(tw, "  …\t%d more\n", len(h.ScanWatch)-i)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%.1f\t%s ago\n", sanitize.Line(f.ID), sanitize.Line(f.Carrier), sanitize.Line(f.Tracking), f.HoursLeft, f.Since.Round(time.Minute))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nestimated from %d orders at %s; TikTok's own figures may differ (see the README)\n", h.Orders, h.At.Format(time.RFC3339))
	return nil
}

func humanWindow(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}

func reconcileCmd(env *runEnv) *cobra.Command {
	var asJSON, apply bool
	var since string
	var within time.Duration
	c := &cobra.Command{
		Use:   "reconcile [--since 7d] [--within 3m] [--apply]",
		Short: "Cross-check TikTok, the 3PLs and the store; --apply runs each finding's action (operator)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSince(cmd, env, since, func(ctx context.Context, a *app, window time.Duration) error {
				if apply {
					if err := a.eng.MayApplyFindings(env.actor); err != nil {
						return commandError(err)
					}
				}
				rctx := ctx
				if within > 0 {
					var cancel context.CancelFunc
					rctx, cancel = context.WithTimeout(ctx, within)
					defer cancel()
				}
				rep, err := a.eng.Reconcile(rctx, a.now().Add(-window))
				if err != nil {
					return err
				}
				if asJSON && !apply {
					return writeJSON(env.out, rep)
				}
				if !asJSON {
					printReconcile(env.out, rep)
				}
				if !apply {
					return nil
				}
				// An order with more than one finding needs a person: two
				// actions on it could undo each other.
				per := map[string]int{}
				for _, f := range rep.Findings {
					per[f.OrderID]++
				}
				applied, failed, left := 0, 0, 0
				for _, f := range rep.Findings {
					if per[f.OrderID] > 1 {
						left++
						fmt.Fprintf(env.out, "order %s: %d findings, left for an operator: %s\n", sanitize.Line(f.OrderID), per[f.OrderID], sanitize.Truncate(f.Explain, 90))
						continue
					}
					if err := a.eng.ApplyFinding(ctx, env.actor, f); err != nil {
						if errors.Is(err, shipsync.ErrForbidden) {
							return commandError(err)
						}
						failed++
						fmt.Fprintf(env.out, "order %s %s: %s\n", sanitize.Line(f.OrderID), f.Action, sanitize.Line(err.Error()))
						continue
					}
					applied++
				}
				fmt.Fprintf(env.out, "applied %d of %d findings; %d left for an operator\n", applied, len(rep.Findings), left)
				if failed > 0 {
					return fmt.Errorf("%d findings could not be applied", failed)
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.Flags().BoolVar(&apply, "apply", false, "run each finding's action through the audited commands (operator role)")
	c.Flags().StringVar(&since, "since", "7d", "orders created within this long (e.g. 7d, 48h)")
	c.Flags().DurationVar(&within, "within", 0, "stop checking after this long and report what was checked (at most 3m)")
	return c
}

// printReconcile writes a reconciliation report as a table.
func printReconcile(w io.Writer, rep store.ReconcileReport) {
	fmt.Fprintf(w, "checked %d orders created since %s with %d 3PL lookups (no TikTok quota spent): %d findings\n",
		rep.Checked, rep.Since.Format(time.RFC3339), rep.Lookups, len(rep.Findings))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(rep.Findings) > 0 {
		fmt.Fprintln(tw, "ORDER\tFINDING\t3PL\tACTION\tWHAT EACH SIDE HOLDS")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sanitize.Line(f.OrderID), strings.ReplaceAll(string(f.Kind), "_", " "), sanitize.Line(f.Carrier),
			strings.ReplaceAll(string(f.Action), "_", " "), sanitize.Truncate(f.Explain, 110))
	}
	_ = tw.Flush()
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "not checked: %s\n", sanitize.Line(p))
	}
}

// withSince runs fn with the app and the window a --since flag names; a
// window that does not read is a usage error.
func withSince(cmd *cobra.Command, env *runEnv, since string, fn func(ctx context.Context, a *app, window time.Duration) error) error {
	window, err := parseSince(since)
	if err != nil {
		return usageError{fmt.Errorf("--since: %w", err)}
	}
	return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error { return fn(ctx, a, window) })
}

// parseSince reads "30d", "12h" or a Go duration.
func parseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q: use a number of days such as 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: use 30d, 48h or 90m", s)
	}
	return d, nil
}

func costsCmd(env *runEnv) *cobra.Command {
	var asJSON bool
	var since string
	var list int
	c := &cobra.Command{
		Use:   "costs [--since 30d]",
		Short: "What the 3PLs cost against TikTok FBT's rate card, per order and per SKU",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSince(cmd, env, since, func(ctx context.Context, a *app, window time.Duration) error {
				rep, err := account.Costs(ctx, a.st, a.cfg.costConfig(), a.now().Add(-window))
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.out, rep)
				}
				printCosts(env.out, rep, list)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	c.Flags().StringVar(&since, "since", "30d", "orders created within this long")
	c.Flags().IntVar(&list, "skus", 10, "SKUs to list")
	return c
}

// printCosts writes the cost comparison.
func printCosts(w io.Writer, r store.CostReport, list int) {
	fmt.Fprintf(w, "orders at 3PLs since %s: %d (%d priced, %d with no reported cost and no rate card)\n",
		r.Since.Format(time.DateOnly), r.Orders, r.Priced, r.Unknown)
	fmt.Fprintf(w, "3PLs: %s   FBT would be: %s   FBT minus 3PLs: %s\n", store.FormatCents(r.ThreePLCents), store.FormatCents(r.FBTCents), store.FormatCents(r.DiffCents))
	fmt.Fprintf(w, "FBT rate card effective %s: %s/unit single-unit orders, %s/unit multi-unit, before placement and storage fees\n",
		r.FBT.Effective.Format(time.DateOnly), store.FormatCents(r.FBT.SingleUnitCents), store.FormatCents(r.FBT.MultiUnitCents))
	if len(r.PerSKU) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tUNITS\t3PL\tFBT\tFBT − 3PL")
	for i, s := range r.PerSKU {
		if i == list {
			fmt.Fprintf(tw, "…\t%d more SKUs\n", len(r.PerSKU)-list)
			break
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", sanitize.Line(s.SKU), s.Units, store.FormatCents(s.ThreePLCents), store.FormatCents(s.FBTCents), store.FormatCents(s.FBTCents-s.ThreePLCents))
	}
	_ = tw.Flush()
}
