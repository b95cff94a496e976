package search

import (
	"context"
	"slices"
	"testing"
)

// rankingLines are order lines as the engine builds them: id, buyer, SKUs,
// carrier, city (already cleaned, original case).
var rankingLines = map[string]string{
	"ORD-100":  "ORD-100 Dana Whitfield SKU-SAMPLER-2 fastship Miami",
	"ORD-101":  "ORD-101 Sam 🚀 Lee SKU-MUG-07 slowpost Portland",
	"ORD-102":  "ORD-102 Samantha Ortiz SKU-LAMP-99 fastship Austin",
	"ORD-103":  "ORD-103 Osama Mahmoud SKU-TEE-3 flakyexpress Dallas",
	"ORD-104":  "ORD-104 Alice Smith SKU-BK123-RED fastship Phoenix",
	"ORD-105":  "ORD-105 Malice Green SKU-BK12-BLU slowpost Boise",
	"ORD-106":  "ORD-106 Xavier Alimony SKU-CRATE fastship Lincoln",
	"ORD-1060": "ORD-1060 Nora Jones SKU-OWL-7 slowpost Reno",
	"ORD-2106": "ORD-2106 Ben Ord SKU-OWL-7 fastship Ordway",
	"ORD-107":  "ORD-107 Zoë Núñez SKU-CAP-1 flakyexpress Zürich",
	"ORD-108":  "ORD-108 Li Wei SKU-TEA-9 fastship Boston",
	"ORD-109":  "ORD-109 Mia Boston SKU-FLASK-2 slowpost Seattle",
}

func rankingIndex(t *testing.T) *Index {
	t.Helper()
	ix := New()
	keys := make([]string, 0, len(rankingLines))
	for id := range rankingLines {
		keys = append(keys, id)
	}
	slices.Sort(keys) // insertion order must not decide anything
	for _, id := range keys {
		ix.Upsert(id, rankingLines[id])
	}
	return ix
}

// TestRankingTable is the search's ranking contract: for each query, the
// results an operator expects on top, in order.
func TestRankingTable(t *testing.T) {
	ix := rankingIndex(t)
	tests := []struct {
		query string
		top   []string
		why   string
	}{
		{"sam", []string{"ORD-101", "ORD-102"}, "a whole word beats a word start beats letters inside words or scattered"},
		{"Sam", []string{"ORD-101", "ORD-102"}, "case does not matter"},
		{"sam lee", []string{"ORD-101"}, "the words in order"},
		{"alic", []string{"ORD-104", "ORD-105"}, "word start before inside a word (malice)"},
		{"bk123", []string{"ORD-104"}, "contiguous in a SKU"},
		{"ord-106", []string{"ORD-106", "ORD-1060"}, "exact id, then id prefixes, before text that merely contains it"},
		{"ord106", []string{"ORD-106", "ORD-1060"}, "ids compare without separators"},
		{"boston", []string{"ORD-109", "ORD-108"}, "the buyer and the city both match whole; the earlier field wins the tie"},
		{"zqxj", nil, "nothing is invented"},
		{"zürich", []string{"ORD-107"}, "accented text matches accented patterns"},
		{"NÚÑEZ", []string{"ORD-107"}, "upper-case accented pattern"},
		{"flkyx", []string{"ORD-107", "ORD-103"}, "scattered letters still match; equal scores put the earlier match first"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, err := ix.Find(context.Background(), tt.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := hitIDs(hits)
			if len(tt.top) == 0 {
				if len(got) != 0 {
					t.Fatalf("Find(%q) = %v, want nothing (%s)", tt.query, got, tt.why)
				}
				return
			}
			if len(got) < len(tt.top) || !slices.Equal(got[:len(tt.top)], tt.top) {
				t.Fatalf("Find(%q) = %v, want %v first: %s", tt.query, got, tt.top, tt.why)
			}
		})
	}
}

func TestHighlightIndexesPointAtTheMatchedRunes(t *testing.T) {
	ix := rankingIndex(t)
	tests := []struct{ query, id, want string }{
		{"sam", "ORD-101", "Sam"},
		{"lee", "ORD-101", "Lee"},
		{"núñez", "ORD-107", "Núñez"},
		{"bk123", "ORD-104", "BK123"},
	}
	for _, tt := range tests {
		hits, err := ix.Find(context.Background(), tt.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(hits, func(h Hit) bool { return h.ID == tt.id })
		if i < 0 {
			t.Fatalf("Find(%q) lacks %s", tt.query, tt.id)
		}
		orig := []rune(rankingLines[tt.id])
		var got []rune
		for _, j := range hits[i].Matched {
			got = append(got, orig[j])
		}
		if string(got) != tt.want {
			t.Fatalf("Find(%q) marks %q in %q, want %q", tt.query, string(got), rankingLines[tt.id], tt.want)
		}
	}
}
