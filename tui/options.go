package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/tui/panes/carriers"
	"github.com/shipdeck/shipdeck/tui/panes/failed"
	"github.com/shipdeck/shipdeck/tui/panes/queues"
	"github.com/shipdeck/shipdeck/tui/panes/quota"
	"github.com/shipdeck/shipdeck/tui/toast"
	"github.com/shipdeck/shipdeck/zone"

	"github.com/shipdeck/shipdeck/tui/common"
)

// Options configures one console session.
type Options struct {
	// Actor is the operator using this session; it decides which actions
	// are offered and is recorded in the audit trail.
	Actor store.Actor
	// Theme is the starting theme (default: dark, colour). The console
	// switches light/dark when the terminal reports its background.
	Theme *theme.Theme
	// KeyMap remaps bindings by name (config's [keys] section).
	KeyMap map[string][]string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// ExportDir is where ":export" writes CSV files (default ".").
	ExportDir string
	// Zone is the display time zone ([console] timezone; default local).
	Zone zone.Zone
	// Mouse turns on mouse input ([console] mouse): a click focuses a pane
	// and selects a row, the wheel scrolls.
	Mouse bool
}

// ErrNoEngine is returned by New without an engine.
var ErrNoEngine = errors.New("tui: no engine")

// New builds the console for one session. The model works the same on a
// local terminal and in an SSH session: it never touches os.Stdout and
// keeps no global renderer state; Bubble Tea's program owns the I/O.
func New(eng Engine, opts Options) (*Model, error) {
	if eng == nil {
		return nil, ErrNoEngine
	}
	table := keys.Default()
	if len(opts.KeyMap) > 0 {
		if err := table.Remap(opts.KeyMap); err != nil {
			return nil, fmt.Errorf("console keys: %w", err)
		}
	}
	th := opts.Theme
	if th == nil {
		th = theme.New(theme.Options{Dark: true})
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	dir := opts.ExportDir
	if dir == "" {
		dir = "."
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &common.Common{Ctx: ctx, Theme: th, Now: now, Tick: tea.Tick, Actor: opts.Actor, Marks: common.NewSelection(), Zone: opts.Zone}
	c.Keys = func(name string) string {
		b, _ := table.Binding(name)
		if len(b.Keys) == 0 {
			return ""
		}
		return keys.Binding{Keys: b.Keys[:1]}.KeyHelp()
	}
	m := &Model{
		eng: eng, c: c, cancel: cancel, keys: table, exportDir: dir, zoom: -1, mouse: opts.Mouse,
		toasts: toast.New(c),
	}
	m.queues = queues.New(c, eng)
	m.failed = failed.New(c, eng)
	m.panes = []common.Pane{m.queues, quota.New(c), carriers.New(c), m.failed}
	m.sizes = make([][2]int, len(m.panes))
	m.handlers = m.actionHandlers()
	return m, nil
}
