package common

import "github.com/charmbracelet/x/ansi"

// cutRange returns the cells [left, right) of a styled line.
func cutRange(s string, left, right int) string {
	if right <= left {
		return ""
	}
	return ansi.Cut(s, left, right)
}
