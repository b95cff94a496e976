package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkImportCSV runs the real binary's `shipdeck import FILE --no-push`
// on a generated file of 100,000 and of 1,000,000 rows (about 121 bytes a
// row, like the 121 MB file) into a fresh store, and reports rows
// per second over the whole command and its peak resident memory (the
// child's maxrss). Run it once: -benchtime 1x -measure.
func BenchmarkImportCSV(b *testing.B) {
	measuring(b)
	bin := buildBinary(b)
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			dir := b.TempDir()
			file := filepath.Join(dir, "orders.csv")
			writeImportFile(b, file, rows)
			cfg := filepath.Join(dir, "import.toml")
			if err := os.WriteFile(cfg, []byte("[shop]\nname = \"Import bench\"\n\n[[carrier]]\nname = \"warehouse\"\nkind = \"csv\"\ndir = \"csv-drop\"\n\n[[route]]\nname = \"all\"\ncarrier = \"warehouse\"\n"), 0o600); err != nil {
				b.Fatal(err)
			}
			var el time.Duration
			var peak int64
			run := 0
			for b.Loop() {
				run++
				cmd := exec.Command(bin, "import", file, "--no-push", "--config", cfg, "--data", filepath.Join(dir, fmt.Sprintf("data%d", run)))
				start := time.Now()
				out, err := cmd.CombinedOutput()
				el = time.Since(start)
				if err != nil {
					b.Fatalf("import: %v\n%s", err, out)
				}
				if !strings.Contains(string(out), fmt.Sprintf("%d stored", rows)) {
					b.Fatalf("import did not store every order:\n%s", out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = ru.Maxrss << 10 // kB on Linux
				}
			}
			b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB")
		})
	}
}

// writeImportFile writes rows seeded import rows, one order each.
func writeImportFile(tb testing.TB, path string, rows int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(14, 2))
	fmt.Fprintln(w, "order_id,name,address1,city,region,postal_code,country,sku,quantity,weight_g,price,ship_by")
	for i := range rows {
		fmt.Fprintf(w, "IMP-%09d,Buyer Name %06d,%d Market Street Apt %d,San Francisco,CA,%05d,US,SKU-%05d,%d,%d,%d.%02d,2026-12-%02d\n",
			i, r.IntN(1_000_000), r.IntN(9999), r.IntN(999), r.IntN(99_999), r.IntN(99_999), 1+r.IntN(3), 100+r.IntN(2000),
			5+r.IntN(95), r.IntN(100), 5+r.IntN(20))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}
