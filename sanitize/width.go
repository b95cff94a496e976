package sanitize

import "github.com/charmbracelet/x/ansi"

// ellipsis marks text that Truncate cut short, so an operator knows there is
// more in the detail view.
const ellipsis = "…"

// Truncate returns Line(s) cut to at most width terminal cells, ending in
// "…" when it was cut. Widths count wide characters (CJK, emoji) as two
// cells, like the terminal does, so table columns stay aligned. A width of
// zero or less yields "".
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(Line(s), width, ellipsis)
}

// Width returns the number of terminal cells Line(s) occupies.
func Width(s string) int {
	return ansi.StringWidth(Line(s))
}
