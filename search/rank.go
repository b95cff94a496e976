package search

import "github.com/sahilm/fuzzy"

// slotSource shows the fuzzy matcher the texts of some entries.
type slotSource struct {
	entries []entry
	arena   *arena
	slots   []int32
}

// String returns the i-th shown text, for fuzzy.Source.
func (s slotSource) String(i int) string { return s.entries[s.slots[i]].text(s.arena) }

// Len returns how many texts are shown, for fuzzy.Source.
func (s slotSource) Len() int { return len(s.slots) }

// rank fuzzy-matches the entries at slots and keeps w's best.
func (s *scan) rank(w *worker, slots []int32) {
	if len(slots) == 0 {
		return
	}
	for _, m := range fuzzy.FindFromNoSort(s.q.text, slotSource{s.entries, s.arena, slots}) {
		w.fuzzy.push(fuzzyHit{slot: slots[m.Index], score: m.Score, matched: m.MatchedIndexes})
	}
}

// scoreOne fuzzy-matches one text, for id hits, which skip the fuzzy pass.
// It returns no indexes when the text does not match (an id that is not
// part of its text).
func scoreOne(pattern, text string) (score int, matched []int) {
	ms := fuzzy.Find(pattern, []string{text})
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[0].Score, ms[0].MatchedIndexes
}

// runeIndexes turns the fuzzy matcher's byte offsets into e's text into
// rune indexes, which is what highlighting counts in.
func runeIndexes(e *entry, text string, offsets []int) []int {
	if e.ascii() || len(offsets) == 0 {
		return offsets
	}
	out := make([]int, 0, len(offsets))
	next := 0
	runeIdx := 0
	for i := range text {
		for next < len(offsets) && offsets[next] == i {
			out = append(out, runeIdx)
			next++
		}
		if next == len(offsets) {
			break
		}
		runeIdx++
	}
	return out
}
