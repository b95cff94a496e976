package search

import "hash/maphash"

// idTable maps order ids to slots by open addressing over the slots
// themselves: the ids live in the arena, so the table holds one int32 per
// cell instead of a string header and a copy of every id (a Go map of a
// million string keys costs about 40 MB; this costs 8).
type idTable struct {
	// cells hold slot+1; 0 is an empty cell. Linear probing, at most
	// maxLoad full.
	cells []int32
	n     int
	seed  maphash.Seed
}

// maxLoad is the fill (in eighths) at which the table doubles.
const maxLoad = 6

func newIDTable() idTable {
	return idTable{cells: make([]int32, 64), seed: maphash.MakeSeed()}
}

func (t *idTable) home(id string) int {
	return int(maphash.String(t.seed, id) & uint64(len(t.cells)-1))
}

// find returns id's slot. idOf returns the id stored at a slot.
func (t *idTable) find(id string, idOf func(int32) string) (int32, bool) {
	mask := len(t.cells) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		c := t.cells[i]
		if c == 0 {
			return 0, false
		}
		if idOf(c-1) == id {
			return c - 1, true
		}
	}
}

// insert adds id at slot; id must not be in the table.
func (t *idTable) insert(id string, slot int32, idOf func(int32) string) {
	if (t.n+1)*8 > len(t.cells)*maxLoad {
		t.grow(idOf)
	}
	t.place(id, slot)
	t.n++
}

func (t *idTable) place(id string, slot int32) {
	mask := len(t.cells) - 1
	i := t.home(id)
	for t.cells[i] != 0 {
		i = (i + 1) & mask
	}
	t.cells[i] = slot + 1
}

func (t *idTable) grow(idOf func(int32) string) {
	old := t.cells
	t.cells = make([]int32, 2*len(old))
	for _, c := range old {
		if c != 0 {
			t.place(idOf(c-1), c-1)
		}
	}
}

// remove drops id; the cells after it that probed past it move back, so
// lookups never need tombstones.
func (t *idTable) remove(id string, idOf func(int32) string) {
	mask := len(t.cells) - 1
	i := t.home(id)
	for {
		c := t.cells[i]
		if c == 0 {
			return
		}
		if idOf(c-1) == id {
			break
		}
		i = (i + 1) & mask
	}
	t.cells[i] = 0
	t.n--
	for j := (i + 1) & mask; t.cells[j] != 0; j = (j + 1) & mask {
		k := t.home(idOf(t.cells[j] - 1))
		// The cell at j stays if its home lies cyclically in (i, j].
		if (i < j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue
		}
		t.cells[i], t.cells[j] = t.cells[j], 0
		i = j
	}
}
