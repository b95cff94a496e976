package search

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sahilm/fuzzy"
)

// sampleIndex is a small index with the orders the search tests look for,
// among fixture orders that make noise.
func sampleIndex(t *testing.T) *Index {
	t.Helper()
	ids, texts := fixtureOrders(3000)
	ix := fixtureIndex(ids, texts)
	for _, o := range []struct{ id, text string }{
		{"576461413038785752", "576461413038785752 Zoë Núñez SKU-LAMP-01 UPS Zürich"},
		{"576461413038785753", "576461413038785753 王芳 SKU-TEA-88 DHL 上海市"},
		{"ORD-9000001", "ORD-9000001 Alice Smith SKU-BK123-RED FedEx Phoenix AZ"},
		{"ORD-9000002", "ORD-9000002 Bob Stone SKU-MUG-200 USPS Albuquerque NM"},
		{"ORD-9000003", "ORD-9000003 Amal Li Chen SKU-OWL-7 DHL Eugene OR"},
	} {
		ix.Upsert(o.id, o.text)
	}
	return ix
}

func hitIDs(hits []Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestFindByField(t *testing.T) {
	ix := sampleIndex(t)
	tests := []struct {
		name    string
		pattern string
		want    string // expected first hit
	}{
		{"exact id", "ORD-9000002", "ORD-9000002"},
		{"exact id in lower case without separator", "ord9000002", "ORD-9000002"},
		{"exact numeric tiktok id", "576461413038785753", "576461413038785753"},
		{"numeric id prefix", "5764614130387857", "576461413038785752"},
		{"buyer with accents", "zoë", "576461413038785752"},
		{"buyer with accents in upper case", "ZOË NÚÑEZ", "576461413038785752"},
		{"buyer in chinese", "王芳", "576461413038785753"},
		{"city in chinese", "上海", "576461413038785753"},
		{"fuzzy buyer", "alcsmth", "ORD-9000001"},
		{"sku", "sku-owl-7", "ORD-9000003"},
		{"fuzzy sku", "bk123red", "ORD-9000001"},
		{"city", "albuquerque", "ORD-9000002"},
		{"fuzzy city", "albqrq", "ORD-9000002"},
		{"city with accent folded pattern", "zürich", "576461413038785752"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := ix.Find(context.Background(), tt.pattern, 10)
			if err != nil {
				t.Fatalf("Find(%q): %v", tt.pattern, err)
			}
			if len(hits) == 0 || hits[0].ID != tt.want {
				t.Fatalf("Find(%q) = %v, want %s first", tt.pattern, hitIDs(hits), tt.want)
			}
		})
	}
}

func TestFindIDPrefixesComeFirstInIDOrder(t *testing.T) {
	ix := sampleIndex(t)
	hits, err := ix.Find(context.Background(), "ord-500012", 20)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ORD-5000120", "ORD-5000121", "ORD-5000122", "ORD-5000123", "ORD-5000124",
		"ORD-5000125", "ORD-5000126", "ORD-5000127", "ORD-5000128", "ORD-5000129"}
	if got := hitIDs(hits); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("Find(ord-500012) = %v, want prefix %v", got, want)
	}
	exact, err := ix.Find(context.Background(), "ORD-500012", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(exact) == 0 || exact[0].ID != "ORD-5000120" {
		t.Fatalf("Find(ORD-500012) first = %v, want the shortest prefix match", hitIDs(exact))
	}
}

func TestFindShortPatternDoesNotFloodWithIDPrefixes(t *testing.T) {
	ix := New()
	ix.Upsert("ORD-1", "ORD-1 mallory ups")
	ix.Upsert("ORD-2", "ORD-2 olivia dhl")
	ix.Upsert("X-3", "X-3 oliver dhl")
	hits, err := ix.Find(context.Background(), "ol", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID == "ORD-1" {
		t.Fatalf("Find(ol) = %v: a two-letter id prefix should not outrank buyers", hitIDs(hits))
	}
}

func TestFindRanking(t *testing.T) {
	ix := New()
	ix.Upsert("A", "a-1 xalxixcx ups portland")
	ix.Upsert("B", "b-2 alice smith ups portland")
	ix.Upsert("C", "c-3 malice ups portland")
	hits, err := ix.Find(context.Background(), "alic", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(hits); !slices.Equal(got, []string{"B", "C", "A"}) {
		t.Fatalf("Find(alic) = %v, want word start, then inside a word, then scattered", got)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("scores not descending: %+v", hits)
		}
	}
}

func TestFindMatchedAreRuneIndexes(t *testing.T) {
	ix := sampleIndex(t)
	for _, pattern := range []string{"núñez", "王芳", "alice"} {
		hits, err := ix.Find(context.Background(), pattern, 1)
		if err != nil || len(hits) == 0 {
			t.Fatalf("Find(%q) = %v, %v", pattern, hits, err)
		}
		runes := []rune(hits[0].Text)
		var got []rune
		for _, i := range hits[0].Matched {
			got = append(got, runes[i])
		}
		if string(got) != pattern {
			t.Errorf("Find(%q): highlighted runes %q in %q", pattern, string(got), hits[0].Text)
		}
	}
}

func TestFindEmptyAndLimit(t *testing.T) {
	ix := sampleIndex(t)
	for _, pattern := range []string{"", "   ", "\t"} {
		hits, err := ix.Find(context.Background(), pattern, 10)
		if err != nil || len(hits) != 0 {
			t.Errorf("Find(%q) = %d hits, %v; want none", pattern, len(hits), err)
		}
	}
	hits, err := ix.Find(context.Background(), "a", 7)
	if err != nil || len(hits) != 7 {
		t.Fatalf("Find(a, 7) = %d hits, %v; want 7", len(hits), err)
	}
	none, err := ix.Find(context.Background(), "zqxj", 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("Find(zqxj) = %v, %v; want none", hitIDs(none), err)
	}
}

// TestFindAgreesWithPlainFuzzy checks that the prefilter never drops a
// match: with no limit, the index returns exactly what fuzzy.Find over all
// texts returns, plus id matches.
func TestFindAgreesWithPlainFuzzy(t *testing.T) {
	ids, texts := fixtureOrders(20000)
	extra := map[string]string{
		"K1": "k1 kelvin \u212a sign",
		"X1": "x1 long \u017f here",
		"U1": "u1 straße ÉCOLE 王芳",
	}
	for id, text := range extra {
		ids = append(ids, id)
		texts = append(texts, text)
	}
	ix := fixtureIndex(ids, texts)
	lowered := make([]string, len(texts))
	for i, s := range texts {
		lowered[i] = strings.ToLower(s)
	}
	for _, pattern := range []string{"alic", "bk123", "zqxj", "phx", "ſ", "K", "sh", "ſh", "école", "STRASSE", "straße", "王", "-", "sku-t", "@post"} {
		want := map[string]bool{}
		for _, m := range fuzzy.Find(strings.ToLower(pattern), lowered) {
			want[ids[m.Index]] = true
		}
		hits, err := ix.Find(context.Background(), pattern, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, h := range hits {
			got[h.ID] = true
		}
		for id := range want {
			if !got[id] {
				t.Errorf("Find(%q) misses %s that fuzzy matches", pattern, id)
			}
		}
		for id := range got {
			if !want[id] && !strings.HasPrefix(strings.ToLower(strings.ReplaceAll(id, "-", "")), idKey(strings.ToLower(pattern))) {
				t.Errorf("Find(%q) returns %s that neither fuzzy nor the id matches", pattern, id)
			}
		}
	}
}

func TestUpsertReplacesAndRemoveDeletes(t *testing.T) {
	ix := New()
	ix.Upsert("ORD-1", "ORD-1 Alice Phoenix")
	ix.Upsert("ORD-2", "ORD-2 Bob Denver")
	ix.Upsert("ORD-1", "ORD-1 Alice Seattle")
	ix.Upsert("", "ignored")
	if n := ix.Len(); n != 2 {
		t.Fatalf("Len = %d after replacing, want 2", n)
	}
	find := func(p string) []string {
		hits, err := ix.Find(context.Background(), p, 10)
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(hits)
	}
	if got := find("phoenix"); len(got) != 0 {
		t.Errorf("old text still found: %v", got)
	}
	if got := find("seattle"); !slices.Equal(got, []string{"ORD-1"}) {
		t.Errorf("new text: %v", got)
	}

	ix.Remove("ORD-1")
	ix.Remove("ORD-404")
	if n := ix.Len(); n != 1 {
		t.Fatalf("Len = %d after remove, want 1", n)
	}
	if got := find("seattle"); len(got) != 0 {
		t.Errorf("removed order still found: %v", got)
	}
	if got := find("ord-1"); len(got) != 0 {
		t.Errorf("removed id still found: %v", got)
	}

	ix.Upsert("ORD-3", "ORD-3 Carol Miami")
	if slots := len(ix.entries); slots != 2 {
		t.Errorf("index has %d slots after remove and insert, want the tombstone reused (2)", slots)
	}
	if got := find("miami"); !slices.Equal(got, []string{"ORD-3"}) {
		t.Errorf("order in reused slot: %v", got)
	}
	ix.Upsert("ORD-1", "ORD-1 Alice Boston")
	if got := find("ord-1"); !slices.Equal(got, []string{"ORD-1"}) {
		t.Errorf("re-added order: %v", got)
	}
}

func TestBuild(t *testing.T) {
	ids, texts := fixtureOrders(10000)
	ix := fixtureIndex(ids, texts)
	if n := ix.Len(); n != 10000 {
		t.Fatalf("Len = %d after Build, want 10000", n)
	}
	hits, err := ix.Find(context.Background(), ids[7777], 1)
	if err != nil || len(hits) != 1 || hits[0].ID != ids[7777] {
		t.Fatalf("Find(%s) after Build = %v, %v", ids[7777], hits, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	partial := New()
	err = partial.Build(ctx, func() (string, string, bool) {
		calls++
		if calls == 10 {
			cancel()
		}
		return fmt.Sprint(calls), fmt.Sprint(calls) + " buyer", true
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build with cancelled ctx = %v, want context.Canceled", err)
	}
	// Build stops at the next batch boundary and keeps what it loaded.
	if n := partial.Len(); n < 10 || n > buildBatch || n != calls {
		t.Fatalf("Len = %d after a cancelled Build that read %d orders, want them all kept (10..%d)", n, calls, buildBatch)
	}
	if hits, err := partial.Find(context.Background(), "7", 1); err != nil || len(hits) != 1 || hits[0].ID != "7" {
		t.Fatalf("Find(7) after a cancelled Build = %v, %v; want order 7", hitIDs(hits), err)
	}
}

// countingCtx is a context that reports cancellation after its Err method
// has been called limit times, so a test can cancel a search mid-scan
// without timing.
type countingCtx struct {
	context.Context
	limit int64
	calls atomic.Int64
}

func (c *countingCtx) Err() error {
	if c.calls.Add(1) > c.limit {
		return context.Canceled
	}
	return nil
}

func TestFindStopsWhenCancelled(t *testing.T) {
	ids, texts := fixtureOrders(100000)
	for _, tc := range []struct {
		name string
		ix   *Index
	}{{"full scan", fixtureIndex(ids, texts)}, {"capped scan", largeIndex()}} {
		t.Run(tc.name, func(t *testing.T) {
			chunks := int64(len(tc.ix.entries) / chunkSize)
			// Find checks once up front, each worker once per chunk, and
			// once after the scan; a cancelled scan stops at every worker's
			// next check.
			slack := int64(runtime.GOMAXPROCS(0) + 4)
			if chunks <= 3+slack {
				t.Fatalf("index too small to tell an early stop: %d chunks", chunks)
			}
			for _, after := range []int64{0, 1, 3} {
				ctx := &countingCtx{Context: context.Background(), limit: after}
				hits, err := tc.ix.Find(ctx, "alic", 50)
				if !errors.Is(err, context.Canceled) || hits != nil {
					t.Fatalf("cancelled after %d checks: Find = %d hits, %v; want nil, context.Canceled", after, len(hits), err)
				}
				if calls := ctx.calls.Load(); calls > after+slack {
					t.Errorf("cancelled after %d checks, Find checked %d times of %d chunks: it did not stop early", after, calls, chunks)
				}
			}
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fixtureIndex(ids[:10], texts[:10]).Find(ctx, "alic", 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("Find with a cancelled ctx = %v", err)
	}
}

// largeIndex is one index just above prefilterAbove, shared by the tests of
// the capped scan so it is built once.
var largeIndex = sync.OnceValue(func() *Index {
	ids, texts := fixtureOrders(prefilterAbove + 10000)
	ix := fixtureIndex(ids, texts)
	ix.Upsert("NEEDLE-1", "NEEDLE-1 Quincy Zebulon SKU-QZX-999 UPS Juneau AK")
	return ix
})

func TestFindLargeIndexFindsNeedles(t *testing.T) {
	ix := largeIndex()
	tests := []struct{ pattern, want string }{
		{"quincy", "NEEDLE-1"},
		{"qzx999", "NEEDLE-1"},
		{"juneau", "NEEDLE-1"},
		{"ORD-5123456", "ORD-5123456"},
		{"ord5123456", "ORD-5123456"},
	}
	for _, tt := range tests {
		hits, err := ix.Find(context.Background(), tt.pattern, 20)
		if err != nil || len(hits) == 0 || hits[0].ID != tt.want {
			t.Errorf("Find(%q) = %v, %v; want %s first", tt.pattern, hitIDs(hits), err, tt.want)
		}
	}
	// A common pattern still returns a full page of tight matches.
	hits, err := ix.Find(context.Background(), "alic", 50)
	if err != nil || len(hits) != 50 {
		t.Fatalf("Find(alic) = %d hits, %v; want 50", len(hits), err)
	}
	for _, h := range hits {
		if !strings.Contains(h.Text, "alic") {
			t.Errorf("Find(alic) on a large index ranks %q among the best", h.Text)
		}
	}
}

// TestCappedScanMatchesFullScanUnderCap runs the large-index scan on a
// small index: with room for every candidate it must return what the full
// scan returns, and with a small cap it must keep the tightest matches.
func TestCappedScanMatchesFullScanUnderCap(t *testing.T) {
	ids, texts := fixtureOrders(30000)
	ix := fixtureIndex(ids, texts)
	for _, pattern := range []string{"alic", "ord579", "bk123", "phx", "sku-pen-4"} {
		q, _ := newQuery(pattern)
		full := newScan(context.Background(), &q, ix.entries, &ix.arena, 30)
		full.runAll()
		capped := newScan(context.Background(), &q, ix.entries, &ix.arena, 30)
		capped.runCapped(len(ix.entries), &ix.candBufs)
		if a, b := hitIDs(full.hits()), hitIDs(capped.hits()); !slices.Equal(a, b) {
			t.Errorf("%q: capped scan %v, full scan %v", pattern, b, a)
		}
	}

	q, _ := newQuery("alice")
	small := newScan(context.Background(), &q, ix.entries, &ix.arena, 10)
	small.runCapped(200, &ix.candBufs)
	for _, h := range small.hits() {
		if !strings.Contains(h.Text, "alice") {
			t.Errorf("capped scan kept %q over contiguous matches", h.Text)
		}
	}
}

func TestConcurrentUpsertAndFind(t *testing.T) {
	ids, texts := fixtureOrders(minParallel * 2)
	ix := fixtureIndex(ids, texts)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 500 {
				id := fmt.Sprintf("NEW-%d-%d", w, i)
				ix.Upsert(id, id+" concurrent buyer")
				if i%3 == 0 {
					ix.Remove(id)
				}
				ix.Upsert(ids[i], texts[(i+1)%len(texts)])
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if _, err := ix.Find(ctx, "concurrent", 20); err != nil {
					t.Error(err)
					return
				}
				_ = ix.Len()
			}
		})
	}
	wg.Wait()
	if n := ix.Len(); n != len(ids)+2*333 {
		t.Fatalf("Len = %d, want %d", n, len(ids)+2*333)
	}
}

func TestZeroIndexIsUsable(t *testing.T) {
	var ix Index
	if hits, err := ix.Find(context.Background(), "alice", 10); err != nil || len(hits) != 0 {
		t.Fatalf("empty Find = %v, %v", hits, err)
	}
	ix.Upsert("ORD-1", "ORD-1 Alice")
	ix.Remove("ORD-2")
	if hits, err := ix.Find(context.Background(), "alice", 10); err != nil || len(hits) != 1 {
		t.Fatalf("Find after Upsert = %v, %v", hits, err)
	}
}

func TestUpsertNeverWaitsForARunningSearch(t *testing.T) {
	ix := New()
	ix.Upsert("ORD-1", "ORD-1 alice austin")
	// A search holds the read lock; the store's writer must not block on it.
	ix.mu.RLock()
	done := make(chan struct{})
	go func() {
		ix.Upsert("ORD-2", "ORD-2 bob boston")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Upsert waited for a search holding the index")
	}
	ix.mu.RUnlock()
	// The next search applies it first.
	hits, err := ix.Find(context.Background(), "bob", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != "ORD-2" {
		t.Fatalf("search after a deferred upsert = %+v, want ORD-2", hits)
	}
	if ix.Len() != 2 {
		t.Fatalf("Len = %d, want 2", ix.Len())
	}
}
