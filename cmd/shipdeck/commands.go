package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// commands returns every sub-command. Those in operatorCommands also run
// over SSH on `shipdeck serve`.
func commands(env *runEnv) []*cobra.Command {
	cmds := []*cobra.Command{syncCmd(env), checkCmd(env), simCmd(env), routeCmd(env), importCmd(env), serveCmd(env), keysCmd(env),
		versionCmd(env), restoreCmd(env)}
	return append(cmds, operatorCommands(env)...)
}

// operatorCommands are the script commands shared by local runs and SSH.
func operatorCommands(env *runEnv) []*cobra.Command {
	return []*cobra.Command{ordersCmd(env), retryCmd(env), rerouteCmd(env), holdCmd(env, true), holdCmd(env, false),
		resolveCmd(env), exportCmd(env), quotaCmd(env), pauseCmd(env, true), pauseCmd(env, false), auditCmd(env),
		healthCmd(env), reconcileCmd(env), costsCmd(env), alertsCmd(env), backupCmd(env)}
}

// withApp runs fn with the serving app (over SSH) or a freshly opened one
// (locally).
func withApp(cmd *cobra.Command, env *runEnv, opts appOptions, fn func(ctx context.Context, a *app) error) error {
	if env.shared != nil {
		return fn(cmd.Context(), env.shared)
	}
	a, err := openApp(cmd.Context(), globalFlags(cmd), opts)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(cmd.Context(), a)
}

// commandError maps engine errors onto exit codes.
func commandError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shipsync.ErrForbidden):
		return withCode(exitForbidden, err)
	case errors.Is(err, shipsync.ErrRefused):
		return withCode(exitRefused, err)
	case errors.Is(err, shipsync.ErrUnknownView):
		return usageError{err}
	}
	return err
}

// writeJSON prints v as indented JSON. encoding/json escapes control
// characters but passes bidi overrides, zero-width and other format
// characters and C1 controls through; they are escaped here too (\uXXXX,
// still the same JSON string), so no --json output reorders or hides text
// on a terminal.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	var out strings.Builder
	out.Grow(len(b) + 1)
	for _, r := range string(b) {
		if (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(&out, "\\u%04x", r)
			continue
		}
		out.WriteRune(r)
	}
	out.WriteByte('\n')
	_, err = io.WriteString(w, out.String())
	return err
}

// SyncSummary is what `shipdeck sync --once --json` prints.
type SyncSummary struct {
	OrdersSeen    int `json:"orders_seen"`
	OrdersChanged int `json:"orders_changed"`
	// The pipeline's counts: routed, pushed, failed, dead, unknown,
	// resolved, requeued.
	shipsync.PushSummary
	Tracked        int `json:"tracked"`
	CallsUsed      int `json:"calls_used"`
	QuotaRemaining int `json:"quota_remaining"`
	// Waiting counts, after the cycle, the orders still to be handled, by
	// local state: what the worker does next, and what needs an operator.
	Waiting map[store.State]int64 `json:"waiting"`
	// Phases are the steps run, in order.
	Phases []Phase `json:"phases"`
}

// Phase is one step of `sync --once`: its line in the summary and its
// entry in the JSON.
type Phase struct {
	Name    string  `json:"name"`
	Detail  string  `json:"detail"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

// Line is the phase as the summary prints it.
func (p Phase) Line() string {
	line := fmt.Sprintf("%-12s %s (%.1fs)", p.Name, p.Detail, p.Seconds)
	if p.Error != "" {
		line += " · error: " + sanitize.Line(p.Error)
	}
	return line
}

// waitingState is a state an order waits in after a cycle, with what
// happens to it next.
type waitingState struct {
	state store.State
	next  string
}

// waitingStates lists them in the order the summary names them.
func waitingStates() []waitingState {
	return []waitingState{
		{store.StateReady, "routed on the next pass"},
		{store.StateQueued, "pushed on the next pass"},
		{store.StateFailed, "retried by the worker"},
		{store.StateUnknown, "looked up at the 3PL before any resend"},
		{store.StateDead, "need an operator"},
		{store.StateHeld, "held by an operator"},
	}
}

func syncCmd(env *runEnv) *cobra.Command {
	var once, asJSON bool
	var rounds int
	c := &cobra.Command{
		Use:   "sync",
		Short: "Run the sync worker headless (--once: one full cycle, then exit)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !once && (asJSON || cmd.Flags().Changed("rounds")) {
				return usageError{errors.New("--json and --rounds go with --once: the worker without --once runs until stopped and prints no summary")}
			}
			if rounds < 1 {
				return usageError{fmt.Errorf("--rounds %d: must be at least 1", rounds)}
			}
			return withApp(cmd, env, appOptions{LogTo: env.err}, func(ctx context.Context, a *app) error {
				if !once {
					fmt.Fprintf(env.out, "shipdeck: syncing %s; Ctrl-C stops\n", sanitize.Line(a.cfg.Shop.Name))
					return a.runWorker(ctx)
				}
				prog := newProgress(env)
				report := func(p Phase) {
					prog.clear()
					if !asJSON {
						fmt.Fprintln(env.out, p.Line())
					}
				}
				sum, err := syncOnce(ctx, a, rounds, prog.show, report)
				prog.clear()
				if asJSON {
					if jerr := writeJSON(env.out, sum); jerr != nil {
						return jerr
					}
					return err
				}
				fmt.Fprintf(env.out, "orders seen %d (changed %d) · routed %d · pushed %d · failed %d · dead %d · unknown %d · tracked %d · TikTok calls %d · quota left %d\n",
					sum.OrdersSeen, sum.OrdersChanged, sum.Routed, sum.Pushed, sum.Failed, sum.Dead, sum.Unknown, sum.Tracked, sum.CallsUsed, sum.QuotaRemaining)
				for _, w := range waitingStates() {
					if n := sum.Waiting[w.state]; n > 0 {
						fmt.Fprintf(env.out, "still %s %d: %s\n", w.state, n, w.next)
					}
				}
				return err
			})
		},
	}
	c.Flags().BoolVar(&once, "once", false, "run one cycle (recover, poll, push, track, write back) and exit")
	c.Flags().BoolVar(&asJSON, "json", false, "with --once: print the summary as JSON")
	c.Flags().IntVar(&rounds, "rounds", 1, "with --once: pipeline passes to run, waiting up to 15 s between them for failed pushes to come due")
	return c
}

// syncOnce runs one full cycle: recover, poll, push, track, write back.
// Before each step it calls working with the step's name (for a live line
// on a terminal), and after it done with the step's outcome.
func syncOnce(ctx context.Context, a *app, rounds int, working func(step string), done func(Phase)) (sum SyncSummary, err error) {
	a.logStart("sync --once")
	defer func() { a.logStop("sync --once", err) }()
	sum = SyncSummary{Waiting: map[store.State]int64{}}
	ctl, err := a.st.WorkerControl(ctx)
	if err != nil {
		return sum, err
	}
	if ctl.Paused {
		return sum, withCode(exitRefused, fmt.Errorf("the worker was paused by %s at %s: run `shipdeck resume` first",
			sanitize.Line(ctl.By), a.zone.Long(ctl.At)))
	}
	var errs []error
	step := func(name string, run func() (string, error)) error {
		working(name)
		start := time.Now()
		detail, err := run()
		p := Phase{Name: name, Detail: detail, Seconds: time.Since(start).Seconds()}
		if err != nil {
			p.Error = err.Error()
			errs = append(errs, err)
		}
		sum.Phases = append(sum.Phases, p)
		done(p)
		return err
	}
	before, _ := a.planner.Status(ctx, a.now())
	err = step("recover", func() (string, error) {
		n, err := a.st.Counts(ctx)
		inFlight := n.ByState[store.StatePushing]
		if err == nil {
			err = a.eng.Recover(ctx)
		}
		return fmt.Sprintf("%d pushes left in flight by an earlier run marked for lookup", inFlight), err
	})
	if err != nil {
		return sum, errors.Join(errs...)
	}
	_ = step("poll", func() (string, error) {
		var pr shipsync.PollResult
		err := retryRateLimited(ctx, a, "poll", func() (err error) {
			pr, err = a.eng.Poll(ctx)
			return err
		})
		sum.OrdersSeen, sum.OrdersChanged = pr.Seen, pr.Changed
		return fmt.Sprintf("%d orders seen, %d new or changed", pr.Seen, pr.Changed), err
	})
	for i := 0; i < rounds; i++ {
		label := "push"
		if rounds > 1 {
			label = fmt.Sprintf("push %d/%d", i+1, rounds)
		}
		_ = step(label, func() (string, error) {
			ps, err := a.eng.PipelineOnce(ctx)
			sum.Add(ps)
			return pushDetail(ps), err
		})
		_ = step("track", func() (string, error) {
			n, err := a.eng.Track(ctx)
			sum.Tracked += n
			return fmt.Sprintf("%d tracking numbers read", n), err
		})
		_ = step("write back", func() (string, error) {
			ps, err := a.eng.PipelineOnce(ctx)
			sum.Add(ps)
			a.eng.Flush(ctx)
			return pushDetail(ps), err
		})
		if i < rounds-1 {
			working("waiting for retries")
			if !waitForRetry(ctx, a, 15*time.Second) {
				break
			}
		}
	}
	if a.eng.RateLimitedFor() > 0 {
		// Write-backs TikTok held back with a 429 are finished once its
		// delay has passed, when that is short; otherwise the cycle is
		// incomplete and says so.
		_ = step("write back", func() (string, error) {
			var ps shipsync.PushSummary
			err := retryRateLimited(ctx, a, "write-back", func() error {
				if a.eng.RateLimitedFor() <= 0 {
					return nil
				}
				p, err := a.eng.PipelineOnce(ctx)
				ps.Add(p)
				if err == nil && a.eng.RateLimitedFor() > 0 {
					return errHeld
				}
				return err
			})
			sum.Add(ps)
			a.eng.Flush(ctx)
			return "after TikTok's rate limit: " + pushDetail(ps), err
		})
	}
	a.alertPass(ctx)
	after, _ := a.planner.Status(ctx, a.now())
	sum.CallsUsed = after.Used - before.Used
	if after.Day != before.Day {
		sum.CallsUsed = after.Used
	}
	sum.QuotaRemaining = after.Remaining
	if c, err := a.st.Counts(ctx); err == nil {
		for _, w := range waitingStates() {
			sum.Waiting[w.state] = c.ByState[w.state]
		}
	} else {
		errs = append(errs, err)
	}
	return sum, errors.Join(errs...)
}

// pushDetail says what one pipeline pass did.
func pushDetail(ps shipsync.PushSummary) string {
	return fmt.Sprintf("routed %d · pushed %d · failed %d · dead %d · unknown %d · resolved %d · requeued %d",
		ps.Routed, ps.Pushed, ps.Failed, ps.Dead, ps.Unknown, ps.Resolved, ps.Requeued)
}

// onceMaxWait is the longest rate-limit delay `sync --once` waits out to
// complete its cycle; a longer one ends the cycle with an error saying
// when to run again.
const onceMaxWait = time.Minute

// errHeld marks a step TikTok's rate limit still holds back.
var errHeld = errors.New("held back by TikTok's rate limit")

// retryRateLimited runs step, and again after each short rate-limit delay
// TikTok asks for (at most three times); a delay longer than onceMaxWait
// is an error naming the step and when TikTok will take calls again.
func retryRateLimited(ctx context.Context, a *app, what string, step func() error) error {
	for try := 0; ; try++ {
		err := step()
		hold := a.eng.RateLimitedFor()
		if err == nil || hold <= 0 || (!errors.Is(err, errHeld) && tiktok.ClassOf(err) != tiktok.ClassRateLimited) {
			return err
		}
		if hold > onceMaxWait || try == 3 {
			return fmt.Errorf("%s incomplete: TikTok rate limited shipdeck and asked it to wait %s, longer than sync --once waits (%s); run it again after %s: %w",
				what, hold.Round(time.Second), onceMaxWait, a.now().Add(hold).Format(time.RFC3339), err)
		}
		a.log.Warn("sync --once: TikTok rate limited a step; waiting as it asked", "step", what, "wait", hold.Round(time.Second).String())
		t := time.NewTimer(time.Duration(float64(hold)/a.speed) + 10*time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// waitForRetry sleeps until the earliest failed push comes due, if that is
// within max; it reports whether one will be due (so another round helps).
func waitForRetry(ctx context.Context, a *app, max time.Duration) bool {
	now := a.now()
	due, err := a.st.Due(ctx, now.Add(max), 1)
	if err != nil || len(due) == 0 {
		return false
	}
	if wait := due[0].NextAttemptAt.Sub(now); wait > 0 {
		t := time.NewTimer(time.Duration(float64(wait)/a.speed) + 10*time.Millisecond)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

func quotaCmd(env *runEnv) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "quota",
		Short: "Print today's TikTok API quota ledger",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{NoSecrets: true}, func(ctx context.Context, a *app) error {
				q, err := a.planner.Status(ctx, a.now())
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.out, q)
				}
				tw := tabwriter.NewWriter(env.out, 2, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "day\t%s\n", q.Day)
				fmt.Fprintf(tw, "used\t%d of %d (reserve %d)\n", q.Used, q.Limit, q.Reserve)
				fmt.Fprintf(tw, "remaining\t%d\n", q.Remaining)
				for _, k := range store.CallKinds() {
					fmt.Fprintf(tw, "  %s\t%d\n", k, q.ByKind[k])
				}
				fmt.Fprintf(tw, "resets\t%s\n", a.zone.Long(q.ResetAt))
				if !q.NextPoll.IsZero() {
					fmt.Fprintf(tw, "next poll\t%s\n", a.zone.Long(q.NextPoll))
				}
				if !q.ExhaustAt.IsZero() {
					fmt.Fprintf(tw, "projected exhaustion\t%s\n", a.zone.Long(q.ExhaustAt))
				}
				fmt.Fprintf(tw, "rate-limit replies\t%d\n", q.RateLimited)
				return tw.Flush()
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}

// CheckReport is what `shipdeck check --json` prints.
type CheckReport struct {
	Config   string `json:"config"`
	Carriers int    `json:"carriers"`
	Routes   int    `json:"routes"`
	// TikTok is "authorized", "not configured" (import-only) or "failed".
	TikTok string        `json:"tiktok"`
	Shops  []CheckedShop `json:"shops,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// CheckedShop is one shop the app is authorized for; Selected marks the
// one shipdeck works for.
type CheckedShop struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	SellerType string `json:"seller_type,omitempty"`
	Selected   bool   `json:"selected"`
}

func checkCmd(env *runEnv) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "check",
		Short: "Validate the config and make one signed call to TikTok",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				rep := CheckReport{Config: a.cfg.path, Carriers: len(a.cfg.Carriers), Routes: len(a.cfg.Routes), TikTok: "not configured"}
				if !asJSON {
					fmt.Fprintf(env.out, "config %s: ok (%d carriers, %d routes)\n", rep.Config, rep.Carriers, rep.Routes)
				}
				if a.tt == nil {
					if asJSON {
						return writeJSON(env.out, rep)
					}
					fmt.Fprintln(env.out, "shop: no app_key configured; TikTok is not called (import-only)")
					return nil
				}
				shops, err := a.tt.Shops(ctx)
				if err != nil {
					err = fmt.Errorf("signed call to TikTok failed: %w", err)
					if !asJSON {
						return err
					}
					rep.TikTok, rep.Error = "failed", err.Error()
					if jerr := writeJSON(env.out, rep); jerr != nil {
						return jerr
					}
					return err
				}
				if !asJSON {
					return printShops(env.out, shops, a.cfg.Shop)
				}
				rep.TikTok = "authorized"
				pick, perr := shipsync.PickShop(shops, a.cfg.Shop.ShopID)
				for _, s := range shops {
					rep.Shops = append(rep.Shops, CheckedShop{ID: sanitize.Line(s.ID), Name: sanitize.Line(s.Name),
						Region: sanitize.Line(s.Region), SellerType: sanitize.Line(s.SellerType),
						Selected: perr == nil && a.cfg.Shop.ShopCipher == "" && s.ID == pick.ID})
				}
				if a.cfg.Shop.ShopCipher == "" && perr != nil {
					err = fmt.Errorf("shop: %s", sanitize.Line(perr.Error()))
					rep.Error = err.Error()
				}
				if jerr := writeJSON(env.out, rep); jerr != nil {
					return jerr
				}
				return err
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// printShops lists the shops that authorized the app (id, name, region,
// seller type) and says which one shipdeck works for, or why it cannot
// tell.
func printShops(w io.Writer, shops []tiktok.Shop, cfg ShopConfig) error {
	fmt.Fprintf(w, "%d shop(s) authorized this app:\n", len(shops))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tSHOP ID\tNAME\tREGION\tSELLER TYPE")
	pick, perr := shipsync.PickShop(shops, cfg.ShopID)
	for _, s := range shops {
		mark := " "
		if perr == nil && cfg.ShopCipher == "" && s.ID == pick.ID {
			mark = "*"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", mark, sanitize.Line(s.ID), sanitize.Line(s.Name), sanitize.Line(s.Region), sanitize.Line(s.SellerType))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case cfg.ShopCipher != "":
		fmt.Fprintln(w, "shop: [shop] shop_cipher is set in the config and used as is")
	case perr != nil:
		return fmt.Errorf("shop: %s", sanitize.Line(perr.Error()))
	default:
		fmt.Fprintf(w, "shop: works for %s (%s); its cipher is fetched and kept in the store\n", sanitize.Line(pick.Name), sanitize.Line(pick.ID))
	}
	return nil
}

func ordersCmd(env *runEnv) *cobra.Command {
	var ff filterFlags
	var limit int
	var asJSON bool
	c := &cobra.Command{
		Use:   "orders [--state S[,S]] [--carrier NAME] [--class CLASS]",
		Short: "List orders by state, carrier and error class (failed and dead by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := ff.filter()
			if err != nil {
				return err
			}
			return withApp(cmd, env, appOptions{NoSecrets: true}, func(ctx context.Context, a *app) error {
				orders, err := a.eng.Matching(ctx, f, 0, limit)
				if err != nil {
					return err
				}
				if asJSON {
					if orders == nil {
						orders = []store.Order{}
					}
					return writeJSON(env.out, orders)
				}
				tw := tabwriter.NewWriter(env.out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ORDER\tSTATE\tCARRIER\tCLASS\tSHIP BY\tATTEMPTS\tREASON")
				for _, o := range orders {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", sanitize.Line(o.ID), o.State, sanitize.Line(o.Carrier()), sanitize.Line(o.ErrorClass),
						a.zone.Short(o.ShipBy()), o.Attempts, sanitize.Truncate(o.Reason, 60))
				}
				return tw.Flush()
			})
		},
	}
	ff.add(c, "list")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many orders")
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}

func retryCmd(env *runEnv) *cobra.Command {
	var all bool
	var ff filterFlags
	c := &cobra.Command{
		Use:   "retry ORDER... | retry --all [--state S[,S]] [--carrier NAME] [--class CLASS]",
		Short: "Push failed or dead orders again with the same idempotency key",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageError{errors.New("name orders to retry, or --all")}
			}
			f, err := ff.filter()
			if err != nil {
				return err
			}
			if !all && (ff.states != "" || ff.carrier != "" || ff.class != "") {
				return usageError{errors.New("--state, --carrier and --class narrow --all; named orders are retried as named")}
			}
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				if all {
					n, err := a.eng.RetryMatching(ctx, env.actor, f)
					fmt.Fprintf(env.out, "retried %d orders\n", n)
					return commandError(err)
				}
				for _, id := range args {
					if err := a.eng.Retry(ctx, env.actor, id); err != nil {
						return commandError(err)
					}
					fmt.Fprintf(env.out, "order %s: queued for retry\n", sanitize.Line(id))
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&all, "all", false, "retry every failed and dead order matching the filters")
	ff.add(c, "with --all")
	return c
}

func rerouteCmd(env *runEnv) *cobra.Command {
	var to string
	c := &cobra.Command{
		Use:   "reroute ORDER --carrier NAME",
		Short: "Send an order to another carrier (cancelling it at the old one first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usageError{errors.New("--carrier is required")}
			}
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				if err := a.eng.Reroute(ctx, env.actor, args[0], to); err != nil {
					return commandError(err)
				}
				fmt.Fprintf(env.out, "order %s: re-routed to %s\n", sanitize.Line(args[0]), sanitize.Line(to))
				return nil
			})
		},
	}
	c.Flags().StringVar(&to, "carrier", "", "the carrier to send it to")
	return c
}

func holdCmd(env *runEnv, hold bool) *cobra.Command {
	use, short := "hold ORDER...", "Hold orders until released"
	if !hold {
		use, short = "release ORDER...", "Release held orders"
	}
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				for _, id := range args {
					var err error
					if hold {
						err = a.eng.Hold(ctx, env.actor, id)
					} else {
						err = a.eng.Release(ctx, env.actor, id)
					}
					if err != nil {
						return commandError(err)
					}
					fmt.Fprintf(env.out, "order %s: %s\n", sanitize.Line(id), map[bool]string{true: "held", false: "released"}[hold])
				}
				return nil
			})
		},
	}
}

func resolveCmd(env *runEnv) *cobra.Command {
	var reason string
	c := &cobra.Command{
		Use:   "resolve ORDER --reason TEXT",
		Short: "Mark an order handled outside shipdeck",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				if err := a.eng.Resolve(ctx, env.actor, args[0], reason); err != nil {
					return commandError(err)
				}
				fmt.Fprintf(env.out, "order %s: resolved\n", sanitize.Line(args[0]))
				return nil
			})
		},
	}
	c.Flags().StringVar(&reason, "reason", "", "why (kept in the audit trail)")
	return c
}

func pauseCmd(env *runEnv, pause bool) *cobra.Command {
	use := map[bool]string{true: "pause", false: "resume"}[pause]
	return &cobra.Command{
		Use: use, Short: strings.ToUpper(use[:1]) + use[1:] + " the sync worker (kept across restarts)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{}, func(ctx context.Context, a *app) error {
				if err := a.eng.SetPaused(ctx, env.actor, pause); err != nil {
					return commandError(err)
				}
				fmt.Fprintf(env.out, "worker %sd\n", use)
				return nil
			})
		},
	}
}

func exportCmd(env *runEnv) *cobra.Command {
	var format, out string
	c := &cobra.Command{
		Use:   "export [failed|all|STATE]",
		Short: "Export orders of a view as CSV",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "csv" {
				return usageError{fmt.Errorf("--format %q: only csv is supported", format)}
			}
			view := "failed"
			if len(args) == 1 {
				view = args[0]
			}
			return withApp(cmd, env, appOptions{NoSecrets: true}, func(ctx context.Context, a *app) error {
				w := env.out
				if out != "" && env.shared == nil {
					f, err := os.Create(out)
					if err != nil {
						return err
					}
					defer f.Close()
					w = f
				}
				n, err := a.eng.Export(ctx, env.actor, view, w)
				if err != nil {
					return commandError(err)
				}
				if out != "" && env.shared == nil {
					fmt.Fprintf(env.out, "exported %d orders to %s\n", n, out)
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&format, "format", "csv", "output format (csv)")
	c.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output (local only)")
	return c
}

func auditCmd(env *runEnv) *cobra.Command {
	var last int
	var asJSON bool
	c := &cobra.Command{
		Use:   "audit [--last N]",
		Short: "Show the audit trail: who did what to which order, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{NoSecrets: true}, func(ctx context.Context, a *app) error {
				entries, err := a.eng.Audit(ctx, last)
				if err != nil {
					return err
				}
				if asJSON {
					if entries == nil {
						entries = []store.AuditEntry{}
					}
					return writeJSON(env.out, entries)
				}
				tw := tabwriter.NewWriter(env.out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "WHEN\tWHO\tROLE\tACTION\tORDER\tBEFORE\tAFTER\tDETAIL")
				for _, e := range entries {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.zone.Long(e.At), sanitize.Line(e.Who), e.Role, e.Action,
						sanitize.Line(e.OrderID), sanitize.Truncate(e.Before, 40), sanitize.Truncate(e.After, 40), sanitize.Truncate(e.Detail, 50))
				}
				return tw.Flush()
			})
		},
	}
	c.Flags().IntVar(&last, "last", 20, "how many entries")
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}
