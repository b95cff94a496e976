package store

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRawFsync is the disk's own synced-write rate (append 324 bytes,
// fdatasync), measured in the same temp dir as the store benchmarks, so
// BenchmarkSyncedTransition can be read as a fraction of it.
func BenchmarkRawFsync(b *testing.B) {
	dir := benchDir(b, "fsync")
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	f, err := os.OpenFile(filepath.Join(dir, "raw"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rec := bytes.Repeat([]byte("x"), 324)
	b.ResetTimer()
	for range b.N {
		if _, err := f.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "syncs/s")
}

// BenchmarkSyncedVsRawFsync alternates one synced transition and one raw
// append+fdatasync per op and reports both rates and their ratio. On a
// shared disk whose speed drifts, interleaving keeps the ratio honest where
// two separate benchmarks would compare different moments.
func BenchmarkSyncedVsRawFsync(b *testing.B) {
	s, idList := transitionStore(b, 1000)
	dir := benchDir(b, "fsync")
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	f, err := os.OpenFile(filepath.Join(dir, "raw"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rec := bytes.Repeat([]byte("x"), 324)
	var inStore, inRaw time.Duration
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if err := transition(s, idList[i%len(idList)]); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := f.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
		inStore += t1.Sub(t0)
		inRaw += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/inStore.Seconds(), "transitions/s")
	b.ReportMetric(float64(b.N)/inRaw.Seconds(), "syncs/s")
	b.ReportMetric(inRaw.Seconds()/inStore.Seconds(), "ratio")
}
