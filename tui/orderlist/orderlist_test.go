package orderlist

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/theme"

	"github.com/shipdeck/shipdeck/tui/common"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func newCommon() *common.Common {
	return &common.Common{Ctx: context.Background(), Theme: theme.New(theme.Options{Dark: true}),
		Now: func() time.Time { return now }, Marks: common.NewSelection()}
}

// source serves n orders named prefix-i.
func source(prefix string, n int) FetchFunc {
	return func(_ context.Context, offset, limit int) ([]store.Order, error) {
		var out []store.Order
		for i := offset; i < min(n, offset+limit); i++ {
			out = append(out, store.Order{ID: fmt.Sprintf("%s-%03d", prefix, i), State: store.StateQueued,
				RTSSLATime: now.Add(time.Duration(i) * time.Hour)})
		}
		return out, nil
	}
}

func TestStalePagesAreDropped(t *testing.T) {
	l := New(newCommon(), source("old", 50), []Column{IDColumn(), ShipByColumn()})
	l.SetSize(60, 6)
	l.SetTotal(50)
	oldPage := l.Refresh()
	l.SetFetch(source("new", 50), nil)
	newPage := l.Refresh()
	// The new page arrives first, then the overtaken old one.
	l.Update(newPage())
	l.Update(oldPage())
	if o, ok := l.Selected(); !ok || o.ID != "new-000" {
		t.Fatalf("selected %q after a stale reply", o.ID)
	}
	if v := l.View(); !strings.Contains(v, "new-004") || strings.Contains(v, "old-") {
		t.Fatalf("view:\n%s", ansi.Strip(v))
	}
}

func TestNavigationFetchesOnlyWhenLeavingThePage(t *testing.T) {
	l := New(newCommon(), source("o", 100), []Column{IDColumn()})
	l.SetSize(40, 11) // ten rows
	l.SetTotal(100)
	l.Update(l.Refresh()())
	for range 9 {
		if cmd := l.Update(common.NavMsg{Name: "down"}); cmd != nil {
			t.Fatal("moving inside the page fetched")
		}
	}
	cmd := l.Update(common.NavMsg{Name: "down"})
	if cmd == nil {
		t.Fatal("leaving the page did not fetch")
	}
	if _, ok := l.Selected(); ok {
		t.Fatal("a row not yet fetched is selectable")
	}
	l.Update(cmd())
	if o, _ := l.Selected(); o.ID != "o-010" {
		t.Fatalf("selected %s", o.ID)
	}
	l.Update(l.Update(common.NavMsg{Name: "end"})())
	if o, _ := l.Selected(); o.ID != "o-099" {
		t.Fatalf("end selected %s", o.ID)
	}
	if !strings.Contains(ansi.Strip(l.View()), "100/100") {
		t.Fatalf("no position:\n%s", ansi.Strip(l.View()))
	}
}

func TestErrorsAndShrinkingListsShowWhatIsTrue(t *testing.T) {
	c := newCommon()
	l := New(c, func(context.Context, int, int) ([]store.Order, error) {
		return nil, errors.New("store closed\x1b[2J")
	}, []Column{IDColumn()})
	l.SetSize(60, 5)
	l.SetTotal(3)
	l.Update(l.Refresh()())
	if v := l.View(); !strings.Contains(v, "could not load: store closed") || strings.Contains(v, "\x1b[2J") {
		t.Fatalf("view: %q", v)
	}

	l = New(c, source("o", 2), []Column{IDColumn()})
	l.SetSize(60, 10)
	l.SetTotal(8) // counters lag: only 2 exist now
	l.Update(l.Refresh()())
	l.Update(common.NavMsg{Name: "end"})
	if o, ok := l.Selected(); !ok || o.ID != "o-001" || l.Total() != 2 {
		t.Fatalf("selected %q of %d", o.ID, l.Total())
	}
}

func TestColumnsDropInOrderWhenNarrow(t *testing.T) {
	l := New(newCommon(), source("o", 3), []Column{IDColumn(), BuyerColumn(), SKUColumn(), CarrierColumn(), ShipByColumn()})
	l.SetTotal(3)
	for _, w := range []int{120, 60, 45, 30, 10, 1} {
		l.SetSize(w, 5)
		l.Update(l.Refresh()())
		for _, line := range strings.Split(l.View(), "\n") {
			if ansi.StringWidth(line) != w {
				t.Fatalf("width %d: line %q", w, ansi.Strip(line))
			}
		}
	}
	l.SetSize(60, 5)
	head := ansi.Strip(strings.Split(l.View(), "\n")[0])
	if strings.Contains(head, "SKU") || !strings.Contains(head, "CARRIER") || !strings.Contains(head, "SHIP BY") {
		t.Fatalf("at 60 cells the header is %q", head)
	}
}
