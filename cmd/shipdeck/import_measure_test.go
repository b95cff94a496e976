package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkImportCSV runs the real binary's `shipdeck import FILE --no-push`
// on a generated file of 100,000 and of 1,000,000 rows (about 121 bytes a
// row, like the 121 MB file) into a fresh store, and reports rows
// per second over the whole command and its peak resident memory (the
// child's maxrss), with the peaks of its anonymous and file-backed parts.
// Run it once: -benchtime 1x -measure.
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
			var anonPeak, filePeak uint64
			run := 0
			for b.Loop() {
				run++
				cmd := exec.Command(bin, "import", file, "--no-push", "--config", cfg, "--data", filepath.Join(dir, fmt.Sprintf("data%d", run)))
				var out strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &out
				start := time.Now()
				err := cmd.Start()
				if err == nil {
					anonPeak, filePeak = watchPeaks(cmd.Process.Pid, cmd.Wait, &err)
				}
				el = time.Since(start)
				if err != nil {
					b.Fatalf("import: %v\n%s", err, out.String())
				}
				if !strings.Contains(out.String(), fmt.Sprintf("%d stored", rows)) {
					b.Fatalf("import did not store every order:\n%s", out.String())
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = ru.Maxrss << 10 // kB on Linux
				}
			}
			b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB")
			b.ReportMetric(float64(anonPeak)/(1<<20), "peak-anon-MiB")
			b.ReportMetric(float64(filePeak)/(1<<20), "peak-file-MiB")
		})
	}
}

// watchPeaks samples the anonymous and file-backed resident memory of
// process pid (RssAnon and RssFile in /proc/PID/status) every 20 ms until
// wait returns, stores wait's error in *err and returns the peaks. The
// child's maxrss is their sum's peak; the split says which part grows
// with the file.
func watchPeaks(pid int, wait func() error, err *error) (anon, file uint64) {
	done := make(chan error, 1)
	go func() { done <- wait() }()
	status := fmt.Sprintf("/proc/%d/status", pid)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case *err = <-done:
			return anon, file
		case <-t.C:
			b, rerr := os.ReadFile(status)
			if rerr != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok || k != "RssAnon" && k != "RssFile" {
					continue
				}
				kb, perr := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if perr != nil {
					continue
				}
				if k == "RssAnon" {
					anon = max(anon, kb<<10)
				} else {
					file = max(file, kb<<10)
				}
			}
		}
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
