package tui

import (
	"errors"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"
	"github.com/shipdeck/shipdeck/tui/keys"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

func TestDialogKeysComeFromTheKeyTableAndShowInHelp(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	// Remap the confirm and cancel keys of dialogs; "j" stays "down" on the
	// dashboard, since dialog keys live in their own scope.
	m, err := New(eng, Options{Actor: operator, Now: func() time.Time { return testNow },
		Theme: theme.New(theme.Options{Dark: true}), ExportDir: t.TempDir(),
		KeyMap: map[string][]string{"confirm": {"j"}, "cancel": {"ctrl+g"}}})
	if err != nil {
		t.Fatal(err)
	}
	m.c.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	t.Cleanup(m.Close)
	h := &harness{t: t, m: m, eng: eng}
	h.send(sizeMsg(140, 44))
	h.sync()

	h.press("?", "pgdown", "pgdown", "pgdown", "pgdown")
	h.requireScreen("In dialogs", "answer yes to a question", "close the dialog without doing anything",
		"complete the command or its argument")
	h.press("?")

	// The confirmation names the remapped key, and only it confirms.
	h.press("R")
	h.requireScreen("j confirm", "n/ctrl+g cancel")
	h.press("y") // no longer confirms: typed into nothing
	if n := eng.Calls("RetryMatching"); n != 0 {
		t.Fatalf("y confirmed after the remap (%d calls)", n)
	}
	h.press("j")
	if n := eng.Calls("RetryMatching"); n != 1 {
		t.Fatalf("j did not confirm (%d calls)", n)
	}
	if o, _ := eng.Order(tuitest.DeadID); o.State != store.StateQueued {
		t.Fatalf("dead order is %s after confirming", o.State)
	}

	// In a prompt, the typed "j" is text, and ctrl+g cancels.
	h.press("1", "x") // the queued order on top of the queues pane
	h.requireScreen("Why is it resolved?", "ctrl+g cancel")
	h.typeText("jj")
	h.requireScreen("› jj")
	h.send(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl})
	h.rejectScreen("Why is it resolved?")
}

func TestARemapThatClashesInsideOneDialogIsRefused(t *testing.T) {
	_, err := New(tuitest.Fixture(testNow), Options{KeyMap: map[string][]string{"confirm": {"n"}}})
	var re *keys.RemapError
	if !errors.As(err, &re) || len(re.Unknown) != 0 || !slices.ContainsFunc(re.Conflicts, func(c keys.Conflict) bool {
		return c.Key == "n" && slices.Contains(c.Bindings, "confirm") && slices.Contains(c.Bindings, "decline")
	}) {
		t.Fatalf("confirm and decline both on n in the confirm dialog: %v, want a conflict on n between them", err)
	}
}
