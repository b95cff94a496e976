package search

import (
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Scoring, after fzf's: every matched rune scores, a rune that starts a
// word earns a bonus (twice that for the pattern's first rune), a run of
// adjacent matches keeps the bonus its first rune earned, and gaps cost a
// little. Two rules go further than fzf, because an operator types part of
// a name or a SKU: a contiguous match always outranks a scattered one
// (bonusContiguous), and a match that ends where its word ends earns a
// bonus, so "sam" ranks "Sam 🚀 Lee" above "SKU-SAMPLER" and both above a
// line where s, a and m are scattered, however long either line is.
const (
	scoreMatch        = 16
	bonusBoundary     = 8
	bonusConsecutive  = 4
	bonusFirstRuneMul = 2
	bonusWordEnd      = 4
	bonusContiguous   = 1000
	penaltyGapStart   = 3
	penaltyGapExtend  = 1
	// maxStarts bounds how many places the first pattern rune is tried
	// from, so a line full of one letter costs no more than a few passes.
	maxStarts = 16
)

// rank scores the entries at slots and keeps w's best.
func (s *scan) rank(w *worker, slots []int32) {
	for _, slot := range slots {
		e := &s.entries[slot]
		if score, matched, ok := s.q.score(e, e.text(s.arena)); ok {
			w.fuzzy.push(fuzzyHit{slot: slot, score: score, matched: matched})
		}
	}
}

// score matches q against e's text (given, read from the arena). matched
// holds rune indexes into the text, ready for highlighting; ok is false when
// the pattern's runes do not all occur in order.
func (q *query) score(e *entry, etext string) (score int, matched []int, ok bool) {
	if q.ascii && e.ascii() {
		// Lower-case ASCII on both sides: bytes compare directly. The
		// text is read in place, never copied or changed.
		text := unsafe.Slice(unsafe.StringData(etext), len(etext))
		return best(text, unsafe.Slice(unsafe.StringData(q.text), len(q.text)), isASCIIWordByte)
	}
	// Anything else compares runes under Unicode case folding (so "sh"
	// finds "ſh"), each rune replaced by the least of its fold orbit.
	text := []rune(etext)
	for i, r := range text {
		text[i] = foldRune(r)
	}
	return best(text, q.folded, isWordRune)
}

// foldRune maps r to the least rune equal to it under simple case folding,
// so runes compare under folding with ==.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// isASCIIWordByte reports whether byte c is part of a word; bytes of
// multi-byte runes count as word bytes.
func isASCIIWordByte(c byte) bool {
	return c >= utf8.RuneSelf || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// isWordRune reports whether a folded rune is part of a word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
	}
	return !unicode.IsSpace(r) && !unicode.IsPunct(r)
}

// best tries the pattern from each place its first element occurs (up to
// maxStarts), tightens each greedy match from its end, and returns the
// best-scoring alignment: positions are indexes into text.
func best[T byte | rune](text, pat []T, word func(T) bool) (int, []int, bool) {
	if len(pat) == 0 || len(pat) > len(text) {
		return 0, nil, false
	}
	bestScore, found := 0, false
	buf := make([]int, 2*len(pat))
	pos, bestPos := buf[:len(pat)], buf[len(pat):]
	starts := 0
	for start := 0; start <= len(text)-len(pat) && starts < maxStarts; start++ {
		if text[start] != pat[0] {
			continue
		}
		starts++
		end := forward(text, pat, start)
		if end < 0 {
			// A later start cannot match either.
			break
		}
		backward(text, pat, end, pos)
		sc := scoreAt(text, pos, word)
		if !found || sc > bestScore {
			bestScore, found = sc, true
			copy(bestPos, pos)
		}
	}
	return bestScore, bestPos, found
}

// forward matches pat greedily from start and returns the index of its
// last element, or -1.
func forward[T byte | rune](text, pat []T, start int) int {
	k := 0
	for i := start; i < len(text); i++ {
		if text[i] == pat[k] {
			k++
			if k == len(pat) {
				return i
			}
		}
	}
	return -1
}

// backward fills pos with the tightest match ending at end, matching pat
// from its last element back, as fzf does, so "a-b ab" matches "ab" as
// the pair, not across the dash.
func backward[T byte | rune](text, pat []T, end int, pos []int) {
	k := len(pat) - 1
	for i := end; i >= 0 && k >= 0; i-- {
		if text[i] == pat[k] {
			pos[k] = i
			k--
		}
	}
}

// scoreAt scores one alignment.
func scoreAt[T byte | rune](text []T, pos []int, word func(T) bool) int {
	score := 0
	runBonus := 0
	for i, p := range pos {
		b := 0
		if p == 0 || !word(text[p-1]) {
			b = bonusBoundary
		}
		if i > 0 && p == pos[i-1]+1 {
			b = max(b, runBonus, bonusConsecutive)
		} else {
			runBonus = b
			if i > 0 {
				score -= penaltyGapStart + penaltyGapExtend*(p-pos[i-1]-2)
			}
		}
		if i == 0 {
			b *= bonusFirstRuneMul
		}
		score += scoreMatch + b
	}
	last := pos[len(pos)-1]
	if last == len(text)-1 || !word(text[last+1]) {
		score += bonusWordEnd
	}
	if last-pos[0] == len(pos)-1 {
		score += bonusContiguous
	}
	return score
}

// scoreOne scores one entry, for id hits, which skip the ranking pass. It
// returns no indexes when the text does not match (an id that is not part
// of its text).
func (q *query) scoreOne(e *entry, text string) (score int, matched []int) {
	score, matched, _ = q.score(e, text)
	return score, matched
}
