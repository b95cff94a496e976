package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/conncap"
	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd"
	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui"
)

func serveCmd(env *runEnv) *cobra.Command {
	var listen string
	var demo bool
	c := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:2222]",
		Short: "Run the worker headless and serve the console over SSH",
		Long: "Runs the sync worker, the webhook listener (if configured) and an SSH server in one process.\n" +
			"Operators log in with the public keys listed in the operators file ([ssh] operators, relative to\n" +
			"the data directory); manage it with `shipdeck keys`. SIGHUP reloads it; SIGINT/SIGTERM stop cleanly\n" +
			"(within 15 s; a second signal exits at once).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := globalFlags(cmd)
			if f.Config == "" && !demo {
				return usageError{errors.New("serve needs a config (--config, $SHIPDECK_CONFIG or $XDG_CONFIG_HOME/shipdeck/config.toml); --demo serves the built-in demo shop")}
			}
			a, err := openApp(cmd.Context(), f, appOptions{Demo: demo, LogTo: env.err})
			if err != nil {
				return err
			}
			defer a.Close()
			if listen != "" {
				a.cfg.SSH.Listen = listen
			}
			return serve(cmd.Context(), env, a)
		},
	}
	c.Flags().StringVar(&listen, "listen", "", "address for SSH (default [ssh] listen, 127.0.0.1:2222)")
	c.Flags().BoolVar(&demo, "demo", false, "serve the built-in demo shop when no config is given")
	return c
}

// operatorsPath is the operators file, relative to the data directory.
func (a *app) operatorsPath() string { return a.dataPath(a.cfg.SSH.Operators) }

// dataPath resolves a path the config gives relative to the data
// directory (an absolute one is kept).
func (a *app) dataPath(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.dataDir, p)
	}
	return p
}

// serve runs the worker and the SSH server until ctx ends, then tells the
// sessions, drains the worker and returns (the caller closes the store).
func serve(ctx context.Context, env *runEnv, a *app) error {
	reg, err := sshd.NewRegistry(a.operatorsPath())
	if err != nil {
		return err // names the file and the line
	}
	s := a.cfg.SSH
	srv, err := sshd.New(sshd.Config{
		Listen: s.Listen, HostKeyDir: a.dataDir, Operators: reg,
		HandshakeTimeout: s.HandshakeTimeout.Duration, IdleTimeout: s.IdleTimeout.Duration, MaxSessionTime: s.MaxSessionTime.Duration,
		MaxSessions: s.MaxSessions, MaxSessionsPerKey: s.MaxSessionsPerKey, ConnectionsPerMinute: s.ConnectionsPerMin,
		Logger: a.log,
	}, sshHandler{a: a})
	if err != nil {
		return err
	}
	a.reloadOperators = srv.ReloadOperators
	a.ops.sessions = srv.Sessions
	raw, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return fmt.Errorf("ssh listen %s: %w", s.Listen, err)
	}
	// The SSH library retries accept errors silently; log them instead.
	ln := conncap.Wrap(raw, conncap.Config{Name: "ssh", Logger: a.log})
	fmt.Fprintf(env.out, "shipdeck serving %s over SSH on %s\n", sanitize.Line(a.cfg.Shop.Name), ln.Addr())
	fmt.Fprintf(env.out, "host key %s\n", srv.HostKeyFingerprint())
	if reg.Current().Missing() || reg.Current().Len() == 0 {
		fmt.Fprintf(env.out, "no operators yet: every key is refused. Add one with\n  shipdeck keys add NAME operator ~/.ssh/id_ed25519.pub --data %s\nthen send SIGHUP (or restart)\n", a.dataDir)
	}

	wctx, stopWorker := context.WithCancel(ctx)
	defer stopWorker()
	workerDone := make(chan error, 1)
	go func() { workerDone <- a.runWorker(wctx) }()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	for {
		select {
		case <-hup:
			if err := srv.ReloadOperators(); err != nil {
				fmt.Fprintf(env.err, "operators file not reloaded (keeping the previous set): %v\n", err)
			} else {
				fmt.Fprintf(env.out, "operators reloaded: %d\n", reg.Current().Len())
			}
		case err := <-served:
			stopWorker()
			<-workerDone
			if errors.Is(err, sshd.ErrServerClosed) {
				return nil
			}
			return err
		case <-ctx.Done():
			fmt.Fprintln(env.out, "shipdeck: shutting down")
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
			<-served
			stopWorker()
			return <-workerDone
		case err := <-workerDone:
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
			<-served
			if err != nil {
				return fmt.Errorf("worker stopped: %w", err)
			}
			return nil
		}
	}
}

// sshHandler gives each SSH session a console or runs its command, all
// against the serving app's one engine.
type sshHandler struct{ a *app }

// Console builds one session's console for the operator, closed when the
// session ends.
func (h sshHandler) Console(ctx context.Context, op sshd.Operator, s ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	m, err := tui.New(h.a.eng, h.a.consoleOptions(op.Actor(), s.Environ()))
	if err != nil {
		return nil, nil, err
	}
	go func() {
		<-ctx.Done() // the session ended, with or without q
		m.Close()
	}()
	return m, []tea.ProgramOption{tea.WithFPS(30)}, nil
}

// Command runs a script command for the operator and returns its exit code.
func (h sshHandler) Command(ctx context.Context, op sshd.Operator, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &runEnv{in: stdin, out: stdout, err: stderr, actor: op.Actor(), shared: h.a}
	root := sshRoot(env)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "shipdeck: %s\n", sanitize.Text(err.Error()))
		return exitCode(err)
	}
	return exitOK
}

// sshRoot is the command tree served over SSH: the operator commands and,
// for admins, reload.
func sshRoot(env *runEnv) *cobra.Command {
	root := &cobra.Command{
		Use:           "shipdeck",
		Short:         "shipdeck over SSH: run without a command (ssh -t) for the console",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(operatorCommands(env)...)
	root.AddCommand(&cobra.Command{
		Use: "reload", Short: "Reload the operators file (admin)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if env.actor.Role < store.RoleAdmin {
				return withCode(exitForbidden, fmt.Errorf("reload: not allowed for this role (%s is %s; needs admin)", env.actor.Name, env.actor.Role))
			}
			if env.shared == nil || env.shared.reloadOperators == nil {
				return errors.New("reload: no SSH server in this process")
			}
			if err := env.shared.reloadOperators(); err != nil {
				return fmt.Errorf("operators file not reloaded (keeping the previous set): %w", err)
			}
			fmt.Fprintln(env.out, "operators reloaded")
			return nil
		},
	})
	usageChecks(root)
	return root
}

func keysCmd(env *runEnv) *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Manage the SSH operators file (add, list, remove)",
	}
	path := func(cmd *cobra.Command) (string, error) {
		f := globalFlags(cmd)
		dir := f.Data
		ops := "operators.toml"
		if f.Config != "" {
			cfg, err := LoadConfig(f.Config)
			if err != nil {
				return "", err
			}
			ops = cfg.SSH.Operators
			if dir == "" {
				dir = filepath.Join(filepath.Dir(f.Config), "shipdeck-data")
			}
		}
		if dir == "" {
			return "", usageError{errors.New("--data (or --config) is required: the operators file lives in the data directory")}
		}
		if filepath.IsAbs(ops) {
			return ops, nil
		}
		return filepath.Join(dir, ops), os.MkdirAll(dir, 0o700)
	}
	add := &cobra.Command{
		Use:   "add NAME ROLE PUBLIC_KEY_FILE|-",
		Short: "Add an operator (role: viewer, operator or admin) with their public key",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := path(cmd)
			if err != nil {
				return err
			}
			var key []byte
			if args[2] == "-" {
				key, err = io.ReadAll(io.LimitReader(env.in, 16<<10))
			} else {
				key, err = os.ReadFile(args[2])
			}
			if err != nil {
				return fmt.Errorf("read public key: %w", err)
			}
			line := string(key)
			if err := sshd.Add(p, args[0], args[1], line); err != nil {
				return err
			}
			fp, _ := sshd.Fingerprint(line)
			fmt.Fprintf(env.out, "added %s (%s) %s to %s\nreload a running serve with SIGHUP\n", args[0], args[1], fp, p)
			return nil
		},
	}
	var listJSON bool
	list := &cobra.Command{
		Use: "list", Short: "List operators", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := path(cmd)
			if err != nil {
				return err
			}
			ops, err := sshd.List(p)
			if err != nil {
				return err
			}
			if listJSON {
				return writeJSON(env.out, operatorRows(ops))
			}
			if len(ops) == 0 {
				fmt.Fprintf(env.out, "no operators in %s\n", p)
			}
			for _, o := range ops {
				fmt.Fprintf(env.out, "%-16s %-9s %s\n", o.Name, o.Role, o.Fingerprint)
			}
			return nil
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print as JSON")
	remove := &cobra.Command{
		Use: "remove NAME|FINGERPRINT", Short: "Remove an operator", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := path(cmd)
			if err != nil {
				return err
			}
			if err := sshd.Remove(p, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(env.out, "removed %s from %s\nreload a running serve with SIGHUP\n", args[0], p)
			return nil
		},
	}
	c.AddCommand(add, list, remove)
	return c
}

// operatorRow is one operator as `keys list --json` prints it.
type operatorRow struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment,omitempty"`
}

func operatorRows(ops []sshd.Operator) []operatorRow {
	out := make([]operatorRow, 0, len(ops))
	for _, o := range ops {
		out = append(out, operatorRow{Name: o.Name, Role: o.Role.String(), Fingerprint: o.Fingerprint, Comment: o.Comment})
	}
	return out
}
