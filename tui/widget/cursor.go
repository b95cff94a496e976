package widget

// MoveCursor applies a dialog's list action (next, previous, page-down,
// page-up) to a cursor over n items with pages of page rows. It reports
// whether the action moves the cursor, so every overlay list moves the
// same way.
func MoveCursor(action string, cursor, n, page int) (int, bool) {
	last := max(0, n-1)
	switch action {
	case "previous", "tab-previous":
		return max(0, cursor-1), true
	case "next", "tab-next":
		return min(last, cursor+1), true
	case "page-down":
		return min(last, cursor+max(page, 1)), true
	case "page-up":
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
