package common

import (
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
)

func TestSelectionIsKeyedByID(t *testing.T) {
	s := NewSelection()
	s.Toggle(store.Order{ID: "b", State: store.StateHeld})
	s.Toggle(store.Order{ID: "a", State: store.StateHeld})
	if !s.AllIn(store.StateHeld) || s.Len() != 2 || strings.Join(s.IDs(), ",") != "a,b" {
		t.Fatalf("selection = %v", s.IDs())
	}
	s.Toggle(store.Order{ID: "a"})
	s.Toggle(store.Order{ID: "c", State: store.StateDead})
	if s.Has("a") || !s.Has("c") || s.AllIn(store.StateHeld) {
		t.Fatalf("selection = %v", s.IDs())
	}
	s.Remove("b", "c")
	if s.Len() != 0 {
		t.Fatal("remove left marks")
	}
}
