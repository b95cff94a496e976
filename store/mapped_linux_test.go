package store

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// storeResident is how much of the store's files in dir this process has
// resident through its mappings (the Rss lines of /proc/self/smaps).
func storeResident(t *testing.T, dir string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var total uint64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && strings.HasPrefix(fields[5], dir+"/")
			continue
		}
		if in && len(fields) == 3 && fields[0] == "Rss:" {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			total += kb << 10
		}
	}
	return total
}

// TestLongReadsLetGoOfTheStoresPages reads every order of a store larger
// than the memtable with ScanOrders and OrdersCreatedSince: afterwards the
// process no longer holds the store's files resident through Badger's
// mappings (it held all of them before releaseMapped existed).
func TestLongReadsLetGoOfTheStoresPages(t *testing.T) {
	dir := t.TempDir()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err == nil && fs.Type == unix.TMPFS_MAGIC {
		t.Skip("the temporary directory is on tmpfs, whose pages cannot be paged out without swap")
	}
	s := openTestStore(t, dir, Options{})
	const n = 40_000
	if err := s.BulkPut(context.Background(), benchOrders(rand.New(rand.NewPCG(16, 1)), 0, n)); err != nil {
		t.Fatal(err)
	}
	var size int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(info.Name(), ".sst") {
			size += info.Size()
		}
		return nil
	})
	if size < 8<<20 {
		t.Fatalf("the store's tables hold %d bytes; the test needs more than 8 MB", size)
	}
	for _, read := range []struct {
		name string
		run  func(fn func(Order) bool) error
	}{
		{"ScanOrders", func(fn func(Order) bool) error { return s.ScanOrders(context.Background(), fn) }},
		{"OrdersCreatedSince", func(fn func(Order) bool) error {
			return s.OrdersCreatedSince(context.Background(), testBase.AddDate(-5, 0, 0), fn)
		}},
	} {
		seen := 0
		if err := read.run(func(Order) bool { seen++; return true }); err != nil {
			t.Fatal(err)
		}
		if seen != n {
			t.Fatalf("%s read %d orders, want %d", read.name, seen, n)
		}
		if got := storeResident(t, s.mapped); got > uint64(size)/4 {
			t.Errorf("after %s over %d orders the process holds %d MB of the store's %d MB resident; want at most a quarter",
				read.name, n, got>>20, size>>20)
		}
	}
}
