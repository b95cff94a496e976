package draw

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/theme"
)

func TestFitAndBlockAreExact(t *testing.T) {
	th := theme.New(theme.Options{Dark: true})
	inputs := []string{"", "abc", "王芳 ordered", th.Bad.Render("styled text that is long"), "Zoë"}
	for _, in := range inputs {
		for _, w := range []int{0, 1, 2, 5, 30} {
			if got := ansi.StringWidth(Fit(in, w)); got != w {
				t.Errorf("Fit(%q, %d) is %d wide", in, w, got)
			}
		}
	}
	b := Block(inputs, 7, 3)
	lines := strings.Split(b, "\n")
	if len(lines) != 3 {
		t.Fatalf("Block gave %d lines", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) != 7 {
			t.Fatalf("Block line %q is not 7 wide", l)
		}
	}
	if Block(inputs, 0, 3) != "" || Block(inputs, 3, 0) != "" {
		t.Fatal("an empty rectangle drew something")
	}
}

func TestBoxAndPlaceKeepTheRectangle(t *testing.T) {
	th := theme.New(theme.Options{Dark: true})
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {4, 3}, {10, 4}, {40, 10}} {
		box := Box(" Title that is long ", "a\nb\nc", sz[0], sz[1], th.Border, th.Title)
		lines := strings.Split(box, "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != sz[0] {
				t.Fatalf("%v: line %q", sz, ansi.Strip(l))
			}
		}
	}
	base := Block([]string{"0123456789", "abcdefghij", "ABCDEFGHIJ"}, 10, 3)
	got := ansi.Strip(Place(base, "XY\nZW", 3, 1))
	if got != "0123456789\nabcXYfghij\nABCZWFGHIJ" {
		t.Fatalf("Place = %q", got)
	}
}

func TestDurations(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, "—"},
		{now.Add(45 * time.Second), "45s"},
		{now.Add(12 * time.Minute), "12m"},
		{now.Add(3*time.Hour + 5*time.Minute), "3h05m"},
		{now.Add(50 * time.Hour), "2d02h"},
		{now.Add(-35 * time.Minute), "late 35m"},
	}
	for _, tt := range tests {
		if got := Countdown(tt.at, now); got != tt.want {
			t.Errorf("Countdown(%v) = %q, want %q", tt.at.Sub(now), got, tt.want)
		}
	}
	if got := Latency(1300 * time.Millisecond); got != "1.3s" {
		t.Errorf("Latency = %q", got)
	}
}

func TestWrapAndDropColumns(t *testing.T) {
	if got := Wrap([]string{"aa", "bb", "cc"}, " ", 5); !slices.Equal(got, []string{"aa bb", "cc"}) {
		t.Errorf("Wrap = %q", got)
	}
	if got := Wrap([]string{"toolong", "x"}, " ", 3); !slices.Equal(got, []string{"toolong", "x"}) {
		t.Errorf("Wrap of a wide item = %q", got)
	}
	// Widths 4, 4, 4 ranked 0, 1, 2: the rank-2 column goes first, the
	// unranked one never.
	width := []int{4, 4, 4}
	fitsIn := func(w int) func([]bool) bool {
		return func(shown []bool) bool {
			n := 0
			for i, s := range shown {
				if s {
					n += width[i]
				}
			}
			return n <= w
		}
	}
	for _, tt := range []struct {
		w    int
		want []bool
	}{
		{12, []bool{true, true, true}}, {8, []bool{true, true, false}}, {4, []bool{true, false, false}},
		{1, []bool{true, false, false}},
	} {
		if got := DropColumns([]int{0, 1, 2}, fitsIn(tt.w)); !slices.Equal(got, tt.want) {
			t.Errorf("DropColumns at %d = %v, want %v", tt.w, got, tt.want)
		}
	}
}
