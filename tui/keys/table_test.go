package keys

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

func TestDefaultTableHasNoConflictsAndEveryBindingIsNamed(t *testing.T) {
	tb := Default()
	if c := conflicts(tb.Bindings()); len(c) > 0 {
		t.Errorf("conflicts in the default table: %+v", c)
	}
	names := map[string]bool{}
	for _, b := range tb.Bindings() {
		if b.Name == "" || b.Help == "" || b.Short == "" || b.Group == "" {
			t.Errorf("binding %+v lacks a name, help, short label or group", b)
		}
		if names[b.Name] {
			t.Errorf("binding %q twice", b.Name)
		}
		names[b.Name] = true
	}
	for _, want := range []string{"retry", "retry-all", "reroute", "hold", "release", "resolve", "mark", "pause",
		"export", "detail", "search", "palette", "help", "back", "repaint", "quit"} {
		if !names[want] {
			t.Errorf("no %q binding", want)
		}
	}
	if b, ok := tb.Lookup("space"); !ok || b.Name != "mark" {
		t.Errorf("space → %+v", b)
	}
}

func TestRemap(t *testing.T) {
	tests := []struct {
		name    string
		remap   map[string][]string
		wantErr []string // fragments the error must name
		check   func(t *testing.T, tb *Table)
	}{
		{name: "move retry to t", remap: map[string][]string{"retry": {"t"}}, check: func(t *testing.T, tb *Table) {
			if b, ok := tb.Lookup("t"); !ok || b.Name != "retry" {
				t.Errorf("t → %+v", b)
			}
			if _, ok := tb.Lookup("r"); ok {
				t.Error("r still bound")
			}
		}},
		{name: "config spellings", remap: map[string][]string{"mark": {" "}, "back": {"Escape"}}, check: func(t *testing.T, tb *Table) {
			if b, _ := tb.Lookup("space"); b.Name != "mark" {
				t.Errorf("space → %s", b.Name)
			}
			if b, _ := tb.Lookup("esc"); b.Name != "back" {
				t.Errorf("esc → %s", b.Name)
			}
		}},
		{name: "swap two keys in one remap", remap: map[string][]string{"retry": {"h"}, "hold": {"r"}}, check: func(t *testing.T, tb *Table) {
			if b, _ := tb.Lookup("h"); b.Name != "retry" {
				t.Errorf("h → %s", b.Name)
			}
		}},
		{name: "unknown binding", remap: map[string][]string{"launch-rockets": {"L"}}, wantErr: []string{`"launch-rockets"`}},
		{name: "conflict", remap: map[string][]string{"retry": {"q"}}, wantErr: []string{`key "q"`, `"retry"`, `"quit"`}},
		{name: "empty key", remap: map[string][]string{"retry": {""}}, wantErr: []string{`empty key for "retry"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := Default()
			err := tb.Remap(tt.remap)
			if len(tt.wantErr) > 0 {
				var re *RemapError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *RemapError", err)
				}
				for _, frag := range tt.wantErr {
					if !strings.Contains(err.Error(), frag) {
						t.Errorf("error %q does not name %s", err, frag)
					}
				}
				// A failed remap changes nothing.
				if b, _ := tb.Lookup("r"); b.Name != "retry" {
					t.Error("failed remap changed the table")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, tb)
		})
	}
}

func TestReasons(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	order := func(st store.State) *store.Order {
		return &store.Order{ID: "O1", State: st, Status: store.StatusAwaitingShipment, OnHold: true,
			Recipient: store.Address{Name: "Ann Lee", Lines: []string{"1 Main St"}}, Push: &store.Push{Carrier: "fastship"}}
	}
	shipped := order(store.StateShipped)
	shipped.ShippedAt = now.Add(-time.Hour)
	oldShipped := order(store.StateShipped)
	oldShipped.ShippedAt = now.Add(-100 * time.Hour)
	tiktokShips := order(store.StateTikTokShips)
	tiktokShips.ShippingType = store.ShippingTypeTikTok
	remorse := order(store.StateNew)
	remorse.Push, remorse.OnHold, remorse.Reason = nil, false, "buyer-remorse window until Nov 24 12:40 UTC"
	onHold := order(store.StateNew)
	onHold.Status = store.StatusOnHold
	op := store.RoleOperator
	tests := []struct {
		binding string
		ctx     Context
		want    string
	}{
		{"retry", Context{Role: store.RoleViewer, Order: order(store.StateDead)}, "viewer role: read-only"},
		{"retry", Context{Role: op}, "nothing selected"},
		{"retry", Context{Role: op, Order: order(store.StateDead)}, ""},
		{"retry", Context{Role: op, Order: order(store.StateUnknown)}, ""},
		{"retry", Context{Role: op, Order: order(store.StatePushing)}, "it is in flight to fastship; wait for the result"},
		{"retry", Context{Role: op, Order: order(store.StateQueued)}, "it is queued, not failed or dead"},
		{"retry", Context{Role: op, Order: tiktokShips}, "TikTok ships it: shipping_type TIKTOK (the label is bought through TikTok)"},
		{"retry", Context{Role: op, Marked: 3}, ""},
		{"retry-all", Context{Role: op}, "no failed, dead or unknown orders"},
		{"retry-all", Context{Role: op, Retryable: 4}, ""},
		{"reroute", Context{Role: op, Order: order(store.StatePushing)}, "it is in flight to fastship; wait for the result"},
		{"reroute", Context{Role: op, Order: order(store.StateCancelled)}, "it is cancelled on TikTok"},
		{"reroute", Context{Role: op, Order: remorse, Now: now}, "it may not be pushed yet: buyer-remorse window until Nov 24 12:40 UTC"},
		{"reroute", Context{Role: op, Order: onHold, Now: now}, "it may not be pushed: on hold at TikTok (status ON_HOLD): the buyer may still cancel; pushed when TikTok moves it to AWAITING_SHIPMENT"},
		{"reroute", Context{Role: op, Order: tiktokShips, Now: now}, "TikTok ships it: shipping_type TIKTOK (the label is bought through TikTok)"},
		{"reroute", Context{Role: op, Order: shipped, Now: now}, ""},
		{"reroute", Context{Role: op, Order: oldShipped, Now: now}, "TikTok only accepts new shipping info within 72 hours of shipping"},
		{"hold", Context{Role: op, Order: order(store.StateHeld)}, ""},
		{"hold", Context{Role: op, Order: order(store.StateShipped)}, "it is shipped"},
		{"hold", Context{Role: op, Order: order(store.StatePushing)}, "it is in flight to fastship"},
		{"hold", Context{Role: op, Order: tiktokShips}, "TikTok ships it: shipping_type TIKTOK (the label is bought through TikTok)"},
		{"hold", Context{Role: op, Order: order(store.StatePushing), Marked: 2}, ""},
		{"hold", Context{Role: op}, "nothing selected"},
		{"release", Context{Role: op, Order: order(store.StateQueued)}, "it is not held"},
		{"resolve", Context{Role: op, Order: order(store.StateShipped)}, "it is already shipped"},
		{"resolve", Context{Role: op, Order: order(store.StateDead)}, ""},
		{"resolve", Context{Role: op, Order: order(store.StatePushing)}, "it is in flight to fastship"},
		{"resolve", Context{Role: op, Order: tiktokShips}, "TikTok ships it: shipping_type TIKTOK (the label is bought through TikTok)"},
		{"reroute", Context{Role: op}, "nothing selected"},
		{"reroute", Context{Role: op, Order: order(store.StateDead)}, ""},
		{"release", Context{Role: op, Order: order(store.StateHeld)}, ""},
		{"mark", Context{Role: store.RoleViewer}, "nothing selected"},
		{"mark", Context{Role: store.RoleViewer, Order: order(store.StateDead)}, ""},
		{"search", Context{Role: store.RoleViewer}, ""},
		{"pause", Context{Role: store.RoleViewer}, "viewer role: read-only"},
	}
	tb := Default()
	for _, tt := range tests {
		b, ok := tb.Binding(tt.binding)
		if !ok {
			t.Fatalf("no binding %q", tt.binding)
		}
		if got := b.Reason(tt.ctx); got != tt.want {
			t.Errorf("%s in %+v: reason %q, want %q", tt.binding, tt.ctx, got, tt.want)
		}
	}
}

// Tab and shift+tab move a dialog's highlight like down and up, except in
// the palette, where tab completes.
func TestTabMovesTheHighlightInLists(t *testing.T) {
	tbl := Default()
	tests := []struct{ overlay, key, want string }{
		{"picker", "tab", "tab-next"},
		{"choose", "tab", "tab-next"},
		{"search", "tab", "tab-next"},
		{"search", "shift+tab", "tab-previous"},
		{"palette", "shift+tab", "tab-previous"},
		{"palette", "tab", "complete"},
	}
	for _, tt := range tests {
		b, ok := tbl.LookupIn(tt.overlay, tt.key)
		if !ok || b.Name != tt.want {
			t.Errorf("%s in %s: %q (found %v), want %q", tt.key, tt.overlay, b.Name, ok, tt.want)
		}
	}
}
