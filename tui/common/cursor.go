package common

// MoveCursor applies a list-navigation key to a cursor over n items with
// pages of page rows. It reports whether the key was a navigation key, so
// every overlay list moves the same way.
func MoveCursor(key string, cursor, n, page int) (int, bool) {
	last := max(0, n-1)
	switch key {
	case "up", "ctrl+p", "shift+tab":
		return max(0, cursor-1), true
	case "down", "ctrl+n", "tab":
		return min(last, cursor+1), true
	case "pgdown":
		return min(last, cursor+max(page, 1)), true
	case "pgup":
		return max(0, cursor-max(page, 1)), true
	}
	return cursor, false
}

// Scroll applies a navigation action to the scroll offset of a text
// overlay (help, carrier drill-down): a line or ten at a time, never above
// the top. The overlay caps it at its last page when it draws.
func Scroll(name string, scroll int) int {
	switch name {
	case "up":
		scroll--
	case "down":
		scroll++
	case "pgup":
		scroll -= 10
	case "pgdown":
		scroll += 10
	case "home":
		scroll = 0
	}
	return max(0, scroll)
}

// WindowStart is the first item of a window of rows items that keeps the
// cursor in sight, scrolled no further than needed.
func WindowStart(cursor, rows int) int {
	if cursor >= rows {
		return cursor - rows + 1
	}
	return 0
}
