package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
	shipsync "github.com/shipdeck/shipdeck/sync"
)

func routeCmd(env *runEnv) *cobra.Command {
	var dry, asJSON bool
	var last int
	c := &cobra.Command{
		Use:   "route --dry-run [--last N]",
		Short: "Show which routing rule each recent order would hit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !dry {
				return usageError{errors.New("route only has --dry-run: routing itself happens in the worker")}
			}
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				decisions, err := a.eng.DryRun(ctx, last)
				if err != nil {
					return err
				}
				if asJSON {
					if decisions == nil {
						decisions = []shipsync.RouteDecision{}
					}
					return writeJSON(env.out, decisions)
				}
				if len(decisions) == 0 {
					fmt.Fprintln(env.out, "no orders stored yet: run `shipdeck sync --once` or `shipdeck import FILE.csv` first")
				}
				for _, d := range decisions {
					fmt.Fprintln(env.out, sanitize.Line(d.Text))
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&dry, "dry-run", false, "print decisions without changing anything")
	c.Flags().IntVar(&last, "last", 20, "how many recent orders")
	c.Flags().BoolVar(&asJSON, "json", false, "print the decisions as JSON")
	return c
}

func importCmd(env *runEnv) *cobra.Command {
	var noPush bool
	c := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Bulk-import orders from a CSV into the pipeline",
		Long: "Columns: " + strings.Join(shipsync.ImportColumns(), ",") + "\n" +
			"(order_id, name, address1, city, postal_code, country and sku are required; rows sharing an order_id are lines of one order).\n" +
			"Rejected rows are listed with their line numbers; a file that cannot be read stores nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				orders, rejected, err := shipsync.ParseImport(f, args[0], a.now())
				if err != nil {
					return err
				}
				start := time.Now()
				res, err := a.eng.Import(ctx, orders, progressBar(env, "checking"))
				fmt.Fprintln(env.err)
				if err != nil {
					return err
				}
				for _, r := range rejected {
					fmt.Fprintf(env.out, "rejected %s\n", sanitize.Line(r.Error()))
				}
				fmt.Fprintf(env.out, "imported %d orders (%d already stored, %d rows rejected) in %s\n",
					res.Stored, res.Skipped, len(rejected), time.Since(start).Round(time.Millisecond))
				if noPush || res.Stored == 0 {
					return nil
				}
				pushStart := time.Now()
				var sum shipsync.PushSummary
				for i := 0; i < 3; i++ {
					ps, err := a.eng.PipelineOnce(ctx)
					sum.Add(ps)
					if err != nil {
						return err
					}
				}
				a.eng.Flush(ctx)
				el := time.Since(pushStart)
				fmt.Fprintf(env.out, "pushed %d · failed %d (retried by the worker) · dead %d, in %s (%.0f orders/s)\n",
					sum.Pushed, sum.Failed, sum.Dead, el.Round(time.Millisecond), float64(sum.Pushed)/el.Seconds())
				return nil
			})
		},
	}
	c.Flags().BoolVar(&noPush, "no-push", false, "store the orders only; the worker pushes them later")
	return c
}

// progressBar returns a progress callback drawing a one-line bar on the
// command's error stream.
func progressBar(env *runEnv, label string) func(done, total int) {
	return func(done, total int) {
		if total == 0 {
			return
		}
		const width = 30
		filled := done * width / total
		bar := make([]rune, width)
		for i := range bar {
			bar[i] = '░'
			if i < filled {
				bar[i] = '█'
			}
		}
		fmt.Fprintf(env.err, "\r%s %s %d/%d", label, string(bar), done, total)
	}
}
