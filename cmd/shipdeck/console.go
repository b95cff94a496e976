package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	gosync "sync"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui"
)

// runConsole opens the live console on this terminal: the demo without
// --config, the real shop with it. The worker runs while the console is
// open and stops cleanly (and the store closes) when it quits.
func runConsole(ctx context.Context, env *runEnv, f flags) error {
	a, err := openApp(ctx, f, appOptions{Demo: true})
	if err != nil {
		return err
	}
	defer a.Close()
	wctx, stop := context.WithCancel(ctx)
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := a.runWorker(wctx); err != nil {
			a.log.Error("worker stopped", "err", err)
		}
	}()
	defer func() {
		stop()
		wg.Wait()
	}()
	m, err := tui.New(a.eng, a.consoleOptions(env.actor, os.Environ()))
	if err != nil {
		return err
	}
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(env.in), tea.WithOutput(env.out), tea.WithFPS(30))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// consoleOptions are one session's console options, built the same way for
// a local terminal and an SSH session: the config's theme, time zone, mouse,
// keys and export directory, NO_COLOR from the session's own environment
// (environ), the operator and the app's clock.
func (a *app) consoleOptions(actor store.Actor, environ []string) tui.Options {
	return tui.Options{
		Actor: actor,
		Theme: theme.New(theme.Options{Dark: !a.cfg.Console.Light, NoColor: theme.NoColorFromEnv(environ),
			HighContrast: a.cfg.Console.HighContrast}),
		KeyMap:    a.cfg.Keys,
		Now:       a.now,
		Zone:      a.zone,
		Mouse:     a.cfg.Console.Mouse,
		ExportDir: a.dataPath(a.cfg.Console.ExportDir),
	}
}
