package theme

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// setsColour reports whether any SGR sequence in s sets a foreground or
// background colour (30–38, 40–48, 90–97, 100–107).
func setsColour(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
				return true
			}
			if n == 38 || n == 48 {
				break
			}
		}
	}
	return false
}

// hasAttr reports whether an SGR sequence in s turns on attribute n.
func hasAttr(s string, n string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			if p == n {
				return true
			}
		}
	}
	return false
}

// sample renders a little of everything a screen shows.
func sample(t *Theme) string {
	var b strings.Builder
	for _, s := range []string{"dead", "failed", "queued", "held"} {
		b.WriteString(t.State(s).Render(s))
	}
	for _, w := range []string{"polling", "degraded"} {
		b.WriteString(t.Worker(w).Render(w))
	}
	b.WriteString(t.Urgency(-time.Minute).Render("late"))
	b.WriteString(t.Urgency(time.Hour).Render("soon"))
	b.WriteString(t.DemoBadge.Render("DEMO"))
	b.WriteString(t.Gauge(0.95, 10))
	b.WriteString(t.Sparkline([]float64{1, 2, 3}, 5))
	b.WriteString(t.Toast("error").Render("boom"))
	b.WriteString(t.CursorRow.Render("row"))
	return b.String()
}

func TestNoColorDropsColoursButKeepsEmphasis(t *testing.T) {
	for _, dark := range []bool{true, false} {
		out := sample(New(Options{Dark: dark, NoColor: true, HighContrast: dark}))
		if setsColour(out) {
			t.Fatalf("NO_COLOR output sets a colour: %q", out)
		}
		if !hasAttr(out, "1") {
			t.Fatalf("NO_COLOR output lost bold: %q", out)
		}
		if !hasAttr(out, "7") {
			t.Fatalf("NO_COLOR output lost reverse video: %q", out)
		}
	}
	if !setsColour(sample(New(Options{Dark: true}))) {
		t.Fatal("the colour theme sets no colour (the check is broken)")
	}
}

func TestVariantsDiffer(t *testing.T) {
	dark := sample(New(Options{Dark: true}))
	light := sample(New(Options{Dark: false}))
	hc := sample(New(Options{Dark: true, HighContrast: true}))
	if dark == light || dark == hc {
		t.Fatal("light, dark and high contrast render the same")
	}
	th := New(Options{Dark: true})
	if th.WithDark(true) != th {
		t.Fatal("WithDark rebuilt an unchanged theme")
	}
	if l := th.WithDark(false); l.Options().Dark || l.Options().NoColor != th.Options().NoColor {
		t.Fatalf("WithDark(false) = %+v", l.Options())
	}
}

func TestUrgencyThresholds(t *testing.T) {
	th := New(Options{Dark: true})
	tests := []struct {
		left time.Duration
		want string
	}{
		{-time.Second, "late"}, {0, "4h"}, {4*time.Hour - time.Second, "4h"}, {4 * time.Hour, "24h"},
		{24*time.Hour - time.Second, "24h"}, {24 * time.Hour, "later"},
	}
	styles := map[string]string{
		"late": th.Late.Render("x"), "4h": th.Within4h.Render("x"), "24h": th.Within24h.Render("x"), "later": th.Later.Render("x"),
	}
	seen := map[string]string{}
	for name, out := range styles {
		if other, ok := seen[out]; ok {
			t.Fatalf("urgencies %s and %s look the same", name, other)
		}
		seen[out] = name
	}
	for _, tt := range tests {
		if got := th.Urgency(tt.left).Render("x"); got != styles[tt.want] {
			t.Errorf("Urgency(%s) is not the %s style", tt.left, tt.want)
		}
	}
}

func TestGaugeAndSparklineKeepTheirWidth(t *testing.T) {
	th := New(Options{Dark: true})
	for _, frac := range []float64{-1, 0, 0.01, 0.5, 0.999, 1, 7} {
		for _, w := range []int{0, 1, 3, 17, 40} {
			if got := ansi.StringWidth(th.Gauge(frac, w)); got != w {
				t.Errorf("Gauge(%v, %d) is %d wide", frac, w, got)
			}
		}
	}
	if g := ansi.Strip(th.Gauge(0.5, 10)); g != "█████░░░░░" {
		t.Errorf("half gauge = %q", g)
	}
	for _, vals := range [][]float64{nil, {1}, {0, 0}, {5, 1, 9, 3}, make([]float64, 200)} {
		for _, w := range []int{0, 1, 4, 60} {
			if got := ansi.StringWidth(th.Sparkline(vals, w)); got != w {
				t.Errorf("Sparkline(%d values, %d) is %d wide", len(vals), w, got)
			}
		}
	}
	if s := ansi.Strip(th.Sparkline([]float64{1, 2, 4, 8, 0}, 5)); s != "▁▂▄█ " {
		t.Errorf("sparkline = %q", s)
	}
	// A spike survives folding many values into few cells.
	vals := make([]float64, 60)
	vals[31] = 100
	vals[0] = 1
	if s := ansi.Strip(th.Sparkline(vals, 6)); !strings.Contains(s, "█") {
		t.Errorf("folded sparkline lost the spike: %q", s)
	}
}

func TestNoColorFromEnv(t *testing.T) {
	tests := []struct {
		env  []string
		want bool
	}{
		{nil, false},
		{[]string{"TERM=xterm"}, false},
		{[]string{"NO_COLOR="}, false},
		{[]string{"NO_COLOR=1"}, true},
		{[]string{"XNO_COLOR=1"}, false},
	}
	for _, tt := range tests {
		if got := NoColorFromEnv(tt.env); got != tt.want {
			t.Errorf("NoColorFromEnv(%q) = %v", tt.env, got)
		}
	}
}
