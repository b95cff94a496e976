package draw

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/shipdeck/shipdeck/sanitize"
)

// Clean makes an outside string (buyer name, address, SKU, 3PL message)
// safe to draw: one line, no control characters or escape sequences. Every
// such string passes through it before it is styled.
func Clean(s string) string { return sanitize.Line(s) }

// Width is the display width of s in cells, ignoring styling.
func Width(s string) int {
	if n, ok := narrowWidth(s); ok {
		return n
	}
	return ansi.StringWidth(s)
}

// Fit cuts s (which may be styled) to w cells, ending in "…" when cut, and
// pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = Width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Cut cuts s to at most w cells without padding.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Block lays lines out as exactly h lines of exactly w cells, cutting or
// padding as needed, so every component draws precisely into its
// rectangle and a resize can never garble the layout.
func Block(lines []string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(h * (w + 1))
	blank := strings.Repeat(" ", w)
	for i := range h {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(Fit(lines[i], w))
		} else {
			b.WriteString(blank)
		}
	}
	return b.String()
}

// Right lays left and right out on one line of w cells, right aligned,
// cutting left first when they do not fit.
func Right(left, right string, w int) string {
	rw := Width(right)
	if rw >= w {
		return Fit(right, w)
	}
	return Fit(left, w-rw) + right
}

// Duration formats a span compactly for countdowns: 45s, 12m, 3h05m,
// 2d04h.
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// Countdown formats the time left until t: "3h05m" ahead, "late 12m"
// past, "—" when t is zero.
func Countdown(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := t.Sub(now)
	if d < 0 {
		return "late " + Duration(d)
	}
	return Duration(d)
}

// Ago formats how long ago t was: "12m ago", or "never" for a zero time.
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return Duration(now.Sub(t)) + " ago"
}

// Latency formats a carrier latency: 850µs, 42ms, 1.3s.
func Latency(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", int(d/time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", int(d/time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}

// Wrap joins items with sep into lines no wider than w cells; an item
// wider than w gets a line of its own (and is cut when drawn).
func Wrap(items []string, sep string, w int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	sw := Width(sep)
	for _, it := range items {
		iw := Width(it)
		if curW > 0 && curW+sw+iw > w {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += sw
		}
		cur.WriteString(it)
		curW += iw
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
