package search

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sahilm/fuzzy"
)

// benchLimit is a couple of screens of results, what the console asks for.
const benchLimit = 100

// benchPatterns are the stack check's patterns: common ("alic", "ord579"),
// rare ("bk123") and absent ("zqxj").
var benchPatterns = []string{"alic", "ord579", "bk123", "zqxj"}

// benchFixture is one benchmark data set: the raw lines and an index of
// them.
type benchFixture struct {
	texts []string
	ix    *Index
}

func newBenchFixture(n int) func() *benchFixture {
	return sync.OnceValue(func() *benchFixture {
		ids, texts := fixtureOrders(n)
		return &benchFixture{texts: texts, ix: fixtureIndex(ids, texts)}
	})
}

// benchSizes builds each data set once per process, on first use, and
// shares it between BenchmarkFind and the baseline.
var benchSizes = []struct {
	name    string
	fixture func() *benchFixture
}{
	{"10k", newBenchFixture(10_000)},
	{"100k", newBenchFixture(100_000)},
	{"1M", newBenchFixture(1_000_000)},
}

// BenchmarkFind is one search as the console runs it.
func BenchmarkFind(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			f := size.fixture()
			for _, p := range benchPatterns {
				b.Run(p, func(b *testing.B) {
					b.ReportAllocs()
					var hits []Hit
					for b.Loop() {
						var err error
						if hits, err = f.ix.Find(ctx, p, benchLimit); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(hits)), "hits")
				})
			}
		})
	}
}

// BenchmarkPlainFuzzyFind is the baseline: fuzzy.Find over every line on
// one goroutine, as the stack check measured it.
func BenchmarkPlainFuzzyFind(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			f := size.fixture()
			for _, p := range benchPatterns {
				b.Run(p, func(b *testing.B) {
					b.ReportAllocs()
					var matches fuzzy.Matches
					for b.Loop() {
						matches = fuzzy.Find(p, f.texts)
					}
					b.ReportMetric(float64(len(matches)), "matches")
				})
			}
		})
	}
}

// TestBenchFixtureLooksLikeOrders keeps the benchmark data honest: about 55
// characters a line, like the stack check's.
func TestBenchFixtureLooksLikeOrders(t *testing.T) {
	_, texts := fixtureOrders(1000)
	total := 0
	for _, s := range texts {
		total += len(s)
		if !strings.HasPrefix(s, "ORD-") {
			t.Fatalf("fixture line %q does not start with its id", s)
		}
	}
	if avg := total / len(texts); avg < 45 || avg > 65 {
		t.Fatalf("fixture lines average %d characters, want about 55", avg)
	}
}

// BenchmarkIndexMemory builds the index of a million console-shaped order
// lines and reports the live heap it holds per order (after a GC), the
// figure behind the console's memory at a million orders.
func BenchmarkIndexMemory(b *testing.B) {
	ids, texts := fixtureOrders(1_000_000)
	var textBytes int
	for _, t := range texts {
		textBytes += len(t)
	}
	for b.Loop() {
		before := liveHeap()
		ix := fixtureIndex(ids, texts)
		after := liveHeap()
		b.ReportMetric(float64(after-before)/float64(ix.Len()), "bytes/order")
		b.ReportMetric(float64(after-before)/(1<<20), "MiB")
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(float64(textBytes)/float64(len(texts)), "text-bytes/order")
}

// liveHeap is the heap in use after a full GC.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
