package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
)

// versionText is what `shipdeck version` and --version print.
func versionText() string {
	return fmt.Sprintf("shipdeck %s\n%s %s/%s\nstore key layout %s\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH, store.SchemaVersion())
}

func versionCmd(env *runEnv) *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Print the version, commit, Go version and store layout", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(env.out, versionText())
			return err
		},
	}
}

func alertsCmd(env *runEnv) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "alerts",
		Short: "List the firing alerts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, env, appOptions{NoSecrets: true}, func(ctx context.Context, a *app) error {
				alerts, err := a.st.Alerts(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					if alerts == nil {
						alerts = []store.Alert{}
					}
					return writeJSON(env.out, alerts)
				}
				if len(alerts) == 0 {
					fmt.Fprintln(env.out, "no alerts firing")
					return nil
				}
				tw := tabwriter.NewWriter(env.out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SINCE\tSEVERITY\tRULE\tSUMMARY")
				for _, al := range alerts {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", al.FiredAt.Format(time.RFC3339), al.Severity, al.Rule, sanitize.Truncate(al.Summary, 100))
				}
				return tw.Flush()
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}

// backupCmd writes a consistent backup of the store. Locally it opens only
// the store (no secrets needed); while serve holds it, the SSH form backs
// up the running store: FILE is - (stdout) or a file name written into the
// data directory's backups/ folder, and it needs admin.
func backupCmd(env *runEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE|-",
		Short: "Write a backup of the store (while serve runs, over SSH as admin: ssh box backup - > FILE)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if env.shared != nil {
				return backupServed(env, args[0])
			}
			st, dir, err := openStoreOnly(globalFlags(cmd), "back up the running store over SSH as an admin: ssh -p PORT <host> backup - > FILE")
			if err != nil {
				return err
			}
			defer st.Close()
			if args[0] == "-" {
				return st.Backup(env.out)
			}
			n, err := writeBackup(st, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(env.out, "backup of %s written to %s (%d bytes)\n", dir, args[0], n)
			return nil
		},
	}
}

// backupServed backs up the serving process's store for an admin over SSH.
func backupServed(env *runEnv, file string) error {
	a := env.shared
	if env.actor.Role < store.RoleAdmin {
		return withCode(exitForbidden, fmt.Errorf("backup: not allowed for this role (%s is %s; needs admin)", env.actor.Name, env.actor.Role))
	}
	if file == "-" {
		if err := a.st.Backup(env.out); err != nil {
			return err
		}
		a.log.Info("operator action", "who", env.actor.Name, "role", env.actor.Role.String(), "action", "backup", "file", "(ssh stdout)")
		return nil
	}
	// The file lands on the server: only under the data directory, never at
	// a path the client picks.
	name := filepath.Base(file)
	if name == "." || name == ".." || name == string(filepath.Separator) {
		return usageError{fmt.Errorf("backup: %q is not a file name", file)}
	}
	dir := filepath.Join(a.dataDir, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	path := filepath.Join(dir, name)
	n, err := writeBackup(a.st, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.out, "backup written to %s on the server (%d bytes)\n", path, n)
	a.log.Info("operator action", "who", env.actor.Name, "role", env.actor.Role.String(), "action", "backup", "file", path, "bytes", n)
	return nil
}

// writeBackup writes the backup to a temporary file beside path, syncs it
// and renames it into place, so a crash never leaves half a backup under
// the name.
func writeBackup(st *store.Store, path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := st.Backup(tmp); err != nil {
		_ = tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		_ = tmp.Close()
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return fi.Size(), nil
}

// restoreCmd loads a backup into an empty data directory. It refuses a
// store another shipdeck holds, and a store that already has data.
func restoreCmd(env *runEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a backup into an empty data directory (stop shipdeck first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			defer f.Close()
			st, dir, err := openStoreOnly(globalFlags(cmd), "restore refused: stop it first (a running store is never overwritten)")
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Restore(f); err != nil {
				return withCode(exitRefused, fmt.Errorf("%w\n  restore into a new data directory (--data NEW_DIR), or move %s aside first", err, dir))
			}
			c, err := st.Counts(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(env.out, "restored %s into %s: %d orders\n", args[0], dir, c.Total)
			return nil
		},
	}
}

// openStoreOnly opens just the store of the data directory the flags name
// (no config secrets, no engine); when another shipdeck holds it, the
// error says what to do instead (exit 5).
func openStoreOnly(f flags, whenHeld string) (*store.Store, string, error) {
	dir, err := dataDirOf(f)
	if err != nil {
		return nil, "", err
	}
	st, err := store.Open(dir, store.Options{GCInterval: -1})
	if errors.Is(err, store.ErrLocked) {
		return nil, "", withCode(exitLocked, fmt.Errorf("%w\n  %s", err, whenHeld))
	}
	if err != nil {
		return nil, "", err
	}
	return st, dir, nil
}

// dataDirOf resolves the data directory the way openApp does, without
// opening anything.
func dataDirOf(f flags) (string, error) {
	if f.Data != "" {
		return f.Data, nil
	}
	if f.Config == "" {
		return "", usageError{errors.New("--data or --config is required")}
	}
	if _, err := LoadConfig(f.Config); err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(f.Config), "shipdeck-data"), nil
}
