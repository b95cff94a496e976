// Command shipdeck is a terminal operations console for TikTok Shop sellers
// who fulfil through 3PLs and carriers: an embedded sync worker, an
// embedded Badger store and a live console, locally or over SSH.
//
// With no arguments it opens the console on the built-in simulator (the
// demo). See the README for every command and config key.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
)

// Exit codes, stable for scripts.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitForbidden = 3
	exitRefused   = 4
	exitLocked    = 5
)

// exitError carries an exit code with an error.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode tags err with an exit code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		stopper{signals: sigs, bound: shutdownBound, after: time.After, exit: os.Exit, stderr: os.Stderr}.run(cancel, done)
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	close(done)
	<-stopped
	cancel()
	os.Exit(code)
}

// run executes one command line and returns its exit code. It never
// panics out to the operator: a panic becomes a one-line error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "shipdeck: internal error: %v (please report it)\n", r)
			code = exitError
		}
	}()
	root := newRoot(localEnv(stdin, stdout, stderr))
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "shipdeck: %s\n", sanitize.Text(err.Error()))
	return exitCode(err)
}

// exitCode maps an error to the documented exit code.
func exitCode(err error) int {
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	if isUsage(err) {
		return exitUsage
	}
	return exitError
}

// newRoot builds the command tree. The same tree serves local runs and
// commands over SSH; env says where it runs and who runs it.
func newRoot(env *runEnv) *cobra.Command {
	root := &cobra.Command{
		Use:   "shipdeck",
		Short: "Operations console for TikTok Shop sellers shipping through 3PLs",
		Long: "shipdeck polls TikTok Shop within its API quota, pushes each order to a 3PL exactly once,\n" +
			"writes tracking back, and shows it all in a live console.\n\n" +
			"With no command it opens the console: on the built-in simulator (a demo) without --config,\n" +
			"or on your shop with --config.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		Version:       version(),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsole(cmd.Context(), env, globalFlags(cmd))
		},
	}
	root.PersistentFlags().String("config", "", "config file (TOML; default $SHIPDECK_CONFIG, then $XDG_CONFIG_HOME/shipdeck/config.toml); without one shipdeck runs the demo")
	root.PersistentFlags().String("data", "", "data directory (default: ./shipdeck-data next to the config, or a fresh demo directory)")
	root.PersistentFlags().Float64("speed", 60, "demo only: how many times faster than real time the simulated shop runs")
	root.SetVersionTemplate(versionText())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	for _, c := range commands(env) {
		root.AddCommand(c)
	}
	usageChecks(root)
	return root
}

// usageChecks makes every command-line mistake in the tree c a usage error
// (exit 2, as the README promises): wrong argument counts, unknown
// commands, and a group such as `keys` run without one of its commands.
// The message names the command's usage line.
func usageChecks(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return usageError{fmt.Errorf("%s needs a command: %s", cmd.CommandPath(), strings.Join(names, ", "))}
		}
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{fmt.Errorf("%w (usage: %s)", err, cmd.UseLine())}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageChecks(sub)
	}
}

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// flags are the global flags every command reads.
type flags struct {
	Config string
	Data   string
	Speed  float64
}

func globalFlags(cmd *cobra.Command) flags {
	var f flags
	f.Config, _ = cmd.Flags().GetString("config")
	if f.Config == "" {
		f.Config = discoverConfig(os.Getenv)
	}
	f.Data, _ = cmd.Flags().GetString("data")
	f.Speed, _ = cmd.Flags().GetFloat64("speed")
	return f
}
