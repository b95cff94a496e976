package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
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
			defer limitImportHeap()()
			return withApp(cmd, env, appOptions{NoSearch: true, BulkLoad: true}, func(ctx context.Context, a *app) error {
				start := time.Now()
				res, err := a.eng.ImportFile(ctx, f, args[0], a.now(), shipsync.ImportProgress{
					Rows: progressBar(env, "importing"),
					Rejected: func(r shipsync.RowError) {
						fmt.Fprintf(env.out, "rejected %s\n", sanitize.Line(r.Error()))
					},
				})
				endProgress(env)
				el := time.Since(start)
				if err != nil {
					if res.Stored > 0 {
						fmt.Fprintf(env.out, "stopped after storing %d orders (%d already stored); run the same import again to store the rest\n", res.Stored, res.Skipped)
					}
					return err
				}
				fmt.Fprintf(env.out, "imported %s: %d rows, %d orders: %d stored, %d already stored, %d rejected, in %s (%.0f rows/s)\n",
					sanitize.Line(args[0]), res.Rows, res.Orders, res.Stored, res.Skipped, res.Rejected, el.Round(time.Millisecond), float64(res.Rows)/el.Seconds())
				if noPush || res.Stored == 0 {
					return reportQueued(ctx, env, a, "--no-push: the worker (shipdeck sync or serve) pushes them")
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
				el = time.Since(pushStart)
				fmt.Fprintf(env.out, "pushed %d · failed %d (retried by the worker) · dead %d · unknown %d (looked up before any resend), in %s (%.0f orders/s)\n",
					sum.Pushed, sum.Failed, sum.Dead, sum.Unknown, el.Round(time.Millisecond), float64(sum.Pushed)/el.Seconds())
				return reportQueued(ctx, env, a, "the worker (shipdeck sync or serve) pushes them on its next passes")
			})
		},
	}
	c.Flags().BoolVar(&noPush, "no-push", false, "store the orders only; the worker pushes them later")
	return c
}

// importHeapLimit is the import's soft Go heap limit. What an import
// holds is bounded by design (one batch of orders, the Bloom filter of its
// first pass, Badger's memtables and table builders: about 130 MB at any
// file size), but with Go's default pacing the heap doubles that with
// garbage before each collection; the limit makes the collector run
// sooner instead. It is soft: a heap that truly needed more would grow
// past it (with more frequent collections), never fail. BenchmarkImportCSV
// measures the peak with it (README, "Memory at a million orders").
const importHeapLimit = 200 << 20

// limitImportHeap sets importHeapLimit unless the operator set GOMEMLIMIT,
// and returns what restores the previous limit.
func limitImportHeap() func() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	prev := debug.SetMemoryLimit(importHeapLimit)
	return func() { debug.SetMemoryLimit(prev) }
}

// reportQueued says how many orders still wait for a push, and why.
func reportQueued(ctx context.Context, env *runEnv, a *app, why string) error {
	c, err := a.st.Counts(ctx)
	if err != nil {
		return err
	}
	if n := c.ByState[store.StateReady] + c.ByState[store.StateQueued]; n > 0 {
		fmt.Fprintf(env.out, "still queued %d (ready or queued in the store): %s\n", n, why)
	}
	return nil
}

// onTerminal reports whether the command's error stream is a terminal:
// progress frames (carriage returns) are drawn only there.
func onTerminal(env *runEnv) bool {
	f, ok := env.err.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// endProgress ends the progress line, if one was drawn.
func endProgress(env *runEnv) {
	if onTerminal(env) {
		fmt.Fprintln(env.err)
	}
}

// progressBar returns a progress callback drawing a one-line bar on the
// command's error stream when it is a terminal, and nil otherwise.
func progressBar(env *runEnv, label string) func(done, total int) {
	if !onTerminal(env) {
		return nil
	}
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
