package widget

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/common"
)

func testCommon() *common.Common {
	return &common.Common{Ctx: context.Background(), Theme: theme.New(theme.Options{Dark: true}),
		Now: func() time.Time { return time.Unix(0, 0) }, Marks: common.NewSelection()}
}

func TestInputEditsAndCleansPastes(t *testing.T) {
	in := NewInput("> ", "")
	for _, r := range "retry" {
		in.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	in.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	in.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	in.Update(tea.PasteMsg{Content: "x\x1b]0;t\x07y"})
	if got := in.Value(); got != "retr xy" {
		t.Fatalf("value = %q", got)
	}
	in.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if got := in.Value(); got != "retr " {
		t.Fatalf("after ctrl+w: %q", got)
	}
	if changed := in.Update(tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}); changed {
		t.Fatal("a control key typed text")
	}
	c := testCommon()
	if w := ansi.StringWidth(in.View(c, 4)); w > 4 {
		t.Fatalf("view is %d wide", w)
	}
}

func TestTabActionsMoveTheCursorLikeUpAndDown(t *testing.T) {
	if c, ok := MoveCursor("tab-next", 2, 5, 3); !ok || c != 3 {
		t.Errorf("tab-next from 2: %d, %v; want 3", c, ok)
	}
	if c, ok := MoveCursor("tab-previous", 2, 5, 3); !ok || c != 1 {
		t.Errorf("tab-previous from 2: %d, %v; want 1", c, ok)
	}
}
