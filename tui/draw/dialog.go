package draw

// DialogSize picks an overlay's size: want cells wide and tall, but never
// more than the screen leaves (a margin of one cell around it).
func DialogSize(want, wantH, screenW, screenH int) (int, int) {
	return max(0, min(want, screenW-2)), max(0, min(wantH, screenH-2))
}
