package search

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestIndexStorageKeepsEveryOrderThroughChurn drives the arena and the id
// table through what a day of status changes does to them: every order's
// text replaced many times, half the orders removed and others added in
// their slots. Every order must still be found by its id, in its original
// case, with its latest text, and removed ones never.
func TestIndexStorageKeepsEveryOrderThroughChurn(t *testing.T) {
	tests := []struct {
		name   string
		id     func(i int) string
		rounds int
	}{
		{"numeric tiktok ids", func(i int) string { return fmt.Sprintf("5770%014d", i) }, 6},
		{"mixed-case import ids", func(i int) string { return fmt.Sprintf("Imp-%06d", i) }, 6},
		{"non-ascii ids", func(i int) string { return fmt.Sprintf("ÖRDER-%d", i) }, 3},
	}
	const n = 20_000
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := New()
			text := func(i, round int) string {
				return fmt.Sprintf("%s Buyer %d SKU-%d carrier%d City", tt.id(i), i, round, round)
			}
			for round := range tt.rounds {
				for i := range n {
					ix.Upsert(tt.id(i), text(i, round))
				}
			}
			if ix.arena.dead > ix.arena.live+pageSize {
				t.Errorf("after %d rounds of replaced texts the arena keeps %d dead bytes for %d live ones", tt.rounds, ix.arena.dead, ix.arena.live)
			}
			for i := 0; i < n; i += 2 {
				ix.Remove(tt.id(i))
			}
			for i := n; i < n+n/4; i++ {
				ix.Upsert(tt.id(i), text(i, 0))
			}
			if got, want := ix.Len(), n/2+n/4; got != want {
				t.Fatalf("Len = %d, want %d", got, want)
			}
			if len(ix.entries) > n {
				t.Errorf("%d slots for %d orders: removed slots were not reused", len(ix.entries), ix.Len())
			}
			for i := 0; i < n+n/4; i += 37 {
				hits, err := ix.Find(ctx, tt.id(i), 1)
				if err != nil {
					t.Fatal(err)
				}
				removed := i < n && i%2 == 0
				switch {
				case removed && len(hits) > 0 && hits[0].ID == tt.id(i):
					t.Fatalf("removed order %s is still found", tt.id(i))
				case !removed && (len(hits) == 0 || hits[0].ID != tt.id(i)):
					t.Fatalf("Find(%s) = %v, want it first", tt.id(i), hitIDs(hits))
				case !removed:
					round := tt.rounds - 1
					if i >= n {
						round = 0
					}
					if want := strings.ToLower(text(i, round)); hits[0].Text != want {
						t.Fatalf("Find(%s) text %q, want the latest %q", tt.id(i), hits[0].Text, want)
					}
				}
			}
		})
	}
}

// TestHitsOutliveLaterWrites checks that a hit's strings are the caller's:
// replacing, removing and compacting afterwards must not change them.
func TestHitsOutliveLaterWrites(t *testing.T) {
	ix := New()
	ix.Upsert("ORD-1", "ORD-1 Alice Smith Phoenix")
	hits, err := ix.Find(context.Background(), "ord-1", 1)
	if err != nil || len(hits) != 1 {
		t.Fatalf("Find = %v, %v", hits, err)
	}
	for i := range 50_000 {
		ix.Upsert("ORD-1", fmt.Sprintf("ORD-1 Bob %d Tucson", i))
	}
	ix.Remove("ORD-1")
	runtime.GC()
	if hits[0].ID != "ORD-1" || hits[0].Text != "ord-1 alice smith phoenix" {
		t.Fatalf("an earlier hit changed to %q %q", hits[0].ID, hits[0].Text)
	}
}

// TestLongTextIsCutAtARuneBoundary indexes a line longer than a record may
// hold: the order stays findable by id and by its beginning, and the stored
// text is valid UTF-8.
func TestLongTextIsCutAtARuneBoundary(t *testing.T) {
	ix := New()
	long := "ORD-7 Zoë " + strings.Repeat("é", maxTextLen)
	ix.Upsert("ORD-7", long)
	hits, err := ix.Find(context.Background(), "zoë", 1)
	if err != nil || len(hits) != 1 || hits[0].ID != "ORD-7" {
		t.Fatalf("Find(zoë) = %v, %v", hits, err)
	}
	if n := len(hits[0].Text); n > maxTextLen || !strings.HasSuffix(hits[0].Text, "é") {
		t.Fatalf("stored text is %d bytes ending %q", n, hits[0].Text[max(0, n-3):])
	}
}
