package main

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sync/quota"
	"github.com/shipdeck/shipdeck/sync/sim"
)

func simCmd(env *runEnv) *cobra.Command {
	o := sim.DemoOptions()
	o.Listen = "127.0.0.1:7788"
	// A worker in another process signs with the real clock: accept real
	// timestamps, and run in real time unless asked otherwise.
	o.Speed = 1
	o.TimestampClock = sim.WallClock()
	var quiet bool
	c := &cobra.Command{
		Use:   "sim",
		Short: "Serve the simulated TikTok Shop and carriers on loopback",
		Long: "Serves the TikTok Shop subset (signed requests, quota, page tokens) and the simulated carriers,\n" +
			"prints their addresses and a matching config, and runs until interrupted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if quiet {
				o.Latency, o.CarrierFaults = 0, 0
			}
			if host, _, err := net.SplitHostPort(o.Listen); err == nil && host != "127.0.0.1" && host != "localhost" && host != "::1" {
				fmt.Fprintf(env.err, "warning: the simulator accepts its fixed demo credentials; it listens on %s\n", o.Listen)
			}
			s, err := sim.Start(cmd.Context(), o)
			if err != nil {
				return err
			}
			defer s.Close()
			fmt.Fprintf(env.out, "# shipdeck simulator: TikTok Shop at %s\n", s.MarketplaceURL())
			for _, c := range s.Carriers() {
				fmt.Fprintf(env.out, "#   carrier %-8s %-11s %s (%s)\n", c.Name, c.Kind, c.URL, c.Profile)
			}
			fmt.Fprintln(env.out, "# put the lines below the marker in sim.toml, export these, then: shipdeck sync --once --config sim.toml")
			vars := s.Env()
			for _, k := range slices.Sorted(maps.Keys(vars)) {
				fmt.Fprintf(env.out, "export %s=%s\n", k, vars[k])
			}
			fmt.Fprintln(env.out, "# ---- sim.toml ----")
			fmt.Fprint(env.out, s.ConfigTOML())
			<-cmd.Context().Done()
			return nil
		},
	}
	c.Flags().StringVar(&o.Listen, "listen", o.Listen, "address to serve on")
	c.Flags().IntVar(&o.OrdersPerDay, "orders-per-day", o.OrdersPerDay, "mean orders per simulated day")
	c.Flags().Int64Var(&o.Seed, "seed", o.Seed, "seed for arrivals and faults")
	c.Flags().Float64Var(&o.Speed, "speed", o.Speed, "simulated seconds per real second")
	c.Flags().IntVar(&o.DailyLimit, "quota", o.DailyLimit, "daily API call budget the simulated TikTok enforces")
	c.Flags().DurationVar(&o.History, "history", o.History, "orders already placed before start")
	c.Flags().BoolVar(&quiet, "quiet", false, "no simulated latency and no carrier faults")
	c.AddCommand(planCmd(env))
	return c
}

func planCmd(env *runEnv) *cobra.Command {
	var days, perDay, budget int
	var seed uint64
	var asJSON bool
	var buyerZone, burst string
	var slow []string
	c := &cobra.Command{
		Use:   "plan",
		Short: "Compare the quota planner with a fixed 15-minute poll over simulated days",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if days < 1 || perDay < 0 || budget < 1 {
				return usageError{fmt.Errorf("--days, --orders-per-day and --quota must be positive")}
			}
			buyers, err := time.LoadLocation(buyerZone)
			if err != nil {
				return usageError{fmt.Errorf("--buyer-zone %q: %w", buyerZone, err)}
			}
			var windows []quota.Window
			for _, w := range slow {
				win, err := quota.ParseWindow(w)
				if err != nil {
					return usageError{fmt.Errorf("--slow-window %q: %w", w, err)}
				}
				windows = append(windows, win)
			}
			opts := quota.SimOptions{Days: days, OrdersPerDay: float64(perDay), Seed: seed,
				Config: quota.Config{DailyLimit: budget, SlowWindows: windows, BuyerZone: buyers}}
			if burst != "" {
				b, err := quota.ParseBurst(burst)
				if err != nil {
					return usageError{fmt.Errorf("--burst: %w", err)}
				}
				opts.Burst = &b
			}
			res, err := quota.Simulate(opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(env.out, res)
			}
			windowText := "none"
			if len(slow) > 0 {
				windowText = strings.Join(slow, ", ")
			}
			burstText := ""
			if burst != "" {
				burstText = ", burst: " + burst
			}
			fmt.Fprintf(env.out, "%d days, %d orders/day (buyers in %s), %d calls/day budget (20%% reserve), slow windows: %s%s\n\n",
				days, perDay, buyerZone, budget, windowText, burstText)
			fmt.Fprint(env.out, strings.TrimRight(res.Table(), "\n")+"\n")
			return nil
		},
	}
	c.Flags().IntVar(&days, "days", 30, "simulated days")
	c.Flags().IntVar(&perDay, "orders-per-day", 150, "mean orders per day")
	c.Flags().IntVar(&budget, "quota", 500, "daily call budget")
	c.Flags().Uint64Var(&seed, "seed", 1, "arrival seed")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object with fixed_15m, planner, oracle and floor")
	c.Flags().StringVar(&burst, "burst", "", "one burst of orders a day: \"START DURATION xFACTOR\", START a clock time in the buyers' zone or random (a quiet hour), e.g. \"random 2h x10\"")
	c.Flags().StringVar(&buyerZone, "buyer-zone", "America/Los_Angeles", "where the buyers are (shapes the daily arrival curve)")
	c.Flags().StringArrayVar(&slow, "slow-window", nil, "a slow window with no non-urgent calls, e.g. \"18:00-21:00 Asia/Shanghai\" (repeatable)")
	return c
}
