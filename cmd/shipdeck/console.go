package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	gosync "sync"

	tea "charm.land/bubbletea/v2"

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
	m, err := tui.New(a.eng, tui.Options{
		Actor:  env.actor,
		Theme:  theme.New(theme.Options{Dark: !a.cfg.Console.Light, NoColor: theme.NoColorFromEnv(os.Environ()), HighContrast: a.cfg.Console.HighContrast}),
		KeyMap: a.cfg.Keys,
		Now:    a.now,
	})
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
