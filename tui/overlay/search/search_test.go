package search

import (
	"context"
	"strings"
	gosync "sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/common"
)

// fakeSource answers each pattern with one hit named after it and keeps
// the contexts it was given.
type fakeSource struct {
	mu   gosync.Mutex
	ctxs map[string]context.Context
}

func (f *fakeSource) Search(ctx context.Context, pattern string, limit int) ([]store.SearchHit, error) {
	f.mu.Lock()
	f.ctxs[pattern] = ctx
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return []store.SearchHit{{Order: store.Order{ID: "ORD-" + pattern}, Text: "ORD-" + pattern}}, nil
}

func newModel() (*Model, *fakeSource) {
	src := &fakeSource{ctxs: map[string]context.Context{}}
	c := &common.Common{Ctx: context.Background(), Theme: theme.New(theme.Options{Dark: true}),
		Now: time.Now, Marks: common.NewSelection()}
	m := New(c, src)
	m.SetSize(100, 30)
	return m, src
}

func typeKey(m *Model, r rune) tea.Cmd { return m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}) }

func TestEachKeystrokeCancelsTheSearchBeforeIt(t *testing.T) {
	m, src := newModel()
	first := typeKey(m, 'a')
	second := typeKey(m, 'b')
	// Run them in order of arrival: the newer one first.
	m.Update(second())
	m.Update(first())
	if hits := m.Hits(); len(hits) != 1 || hits[0].Order.ID != "ORD-ab" {
		t.Fatalf("hits = %+v; a stale reply won", hits)
	}
	if src.ctxs["a"].Err() == nil {
		t.Fatal("the first search was not cancelled by the second keystroke")
	}
	if !strings.Contains(ansi.Strip(m.View()), "ORD-ab") {
		t.Fatalf("view:\n%s", ansi.Strip(m.View()))
	}
}

func TestEnterOpensTheChosenOrderAndEscCancels(t *testing.T) {
	m, src := newModel()
	m.Update(typeKey(m, 'x')())
	cmd := m.Update(common.DialogMsg{Action: "accept"})
	if !m.Done() {
		t.Fatal("enter did not finish the search")
	}
	if msg, ok := cmd().(common.OpenDetailMsg); !ok || msg.OrderID != "ORD-x" {
		t.Fatalf("enter sent %#v", cmd())
	}

	m, src = newModel()
	pending := typeKey(m, 'y')
	m.Update(common.DialogMsg{Action: "cancel"})
	if !m.Done() {
		t.Fatal("esc did not close")
	}
	_ = pending()
	if src.ctxs["y"].Err() == nil {
		t.Fatal("closing did not cancel the running search")
	}
}
