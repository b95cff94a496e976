package draw

// DropColumns decides which columns a narrow rectangle shows. drop ranks
// the columns (the highest goes first; 0 never goes); they are dropped one
// at a time until fits accepts the ones left or only unranked ones remain.
func DropColumns(drop []int, fits func(shown []bool) bool) []bool {
	shown := make([]bool, len(drop))
	for i := range shown {
		shown[i] = true
	}
	for !fits(shown) {
		next := -1
		for i, d := range drop {
			if shown[i] && d > 0 && (next < 0 || d > drop[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		shown[next] = false
	}
	return shown
}
