package widget

import (
	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// SnapshotPane is a pane drawn only from one part of the engine snapshot
// (the quota and carriers panes). It keeps that part from each
// SnapshotMsg and never fetches anything, so a frame costs only its lines.
type SnapshotPane[T any] struct {
	c             *common.Common
	name, title   string
	pick          func(store.Snapshot) T
	draw          func(c *common.Common, v T, width int) []string
	v             T
	have          bool
	width, height int
}

// NewSnapshotPane returns the pane name (its key-table name) headed title,
// showing pick(snapshot) as the lines draw makes for a pane width cells
// wide; the lines are cut and padded to the pane. Until the first snapshot
// it says it is waiting for the worker.
func NewSnapshotPane[T any](c *common.Common, name, title string, pick func(store.Snapshot) T,
	draw func(c *common.Common, v T, width int) []string) *SnapshotPane[T] {
	return &SnapshotPane[T]{c: c, name: name, title: title, pick: pick, draw: draw}
}

// Name implements Pane.
func (p *SnapshotPane[T]) Name() string { return p.name }

// Title implements Pane.
func (p *SnapshotPane[T]) Title() string { return p.title }

// SetSize implements Component.
func (p *SnapshotPane[T]) SetSize(w, h int) { p.width, p.height = w, h }

// Update implements Component: it keeps the pane's part of each snapshot.
func (p *SnapshotPane[T]) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(common.SnapshotMsg); ok {
		p.v, p.have = p.pick(msg.Snapshot), true
	}
	return nil
}

// View implements Component.
func (p *SnapshotPane[T]) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	if !p.have {
		return draw.Block([]string{p.c.Theme.Muted.Render("waiting for the worker…")}, p.width, p.height)
	}
	return draw.Block(p.draw(p.c, p.v, p.width), p.width, p.height)
}
