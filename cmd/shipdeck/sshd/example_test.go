package sshd_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd"
)

// consoleAndCommands is what `shipdeck serve` hands the server: it builds
// a console model per session and runs the script commands.
type consoleAndCommands struct{}

func (consoleAndCommands) Console(ctx context.Context, op sshd.Operator, s ssh.Session) (tea.Model, []tea.ProgramOption, error) {
	// Build the console for op.Actor() here, subscribed to the shared
	// engine until ctx ends.
	return nil, []tea.ProgramOption{tea.WithFPS(30)}, errors.New("no console in this example")
}

func (consoleAndCommands) Command(ctx context.Context, op sshd.Operator, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "%s (%s) ran %v\n", op.Name, op.Role, args)
	return 0
}

// Example shows how serve wires the SSH side.
func Example() {
	dataDir := "/var/lib/shipdeck"
	reg, err := sshd.NewRegistry(filepath.Join(dataDir, "operators.toml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // names the file and line
		return
	}
	if reg.Current().Missing() {
		fmt.Println("no operators yet: shipdeck keys add <name> <role> ~/.ssh/id_ed25519.pub")
	}
	srv, err := sshd.New(sshd.Config{HostKeyDir: dataDir, Operators: reg, Logger: slog.Default()}, consoleAndCommands{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println("host key", srv.HostKeyFingerprint())

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	go func() {
		for {
			select {
			case <-stop.Done():
				return
			case <-hup:
				if err := srv.ReloadOperators(); err != nil {
					slog.Error("operators file not reloaded", "err", err)
				}
			}
		}
	}()
	go func() {
		<-stop.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, sshd.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
	}
}
