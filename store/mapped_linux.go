package store

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// releaseMapped asks the kernel to reclaim the pages of the store's files
// that this process has mapped. Badger maps every table, value log and memtable log and
// reads and writes through the mappings (Badger v4: table.CreateTable
// copies a new table into its mapping, and Table.read slices blocks out
// of it), so every page a scan, an import or a compaction
// touched stays in the process's resident set until the file is closed:
// at a million orders, one pass over the orders kept the whole store
// resident. MADV_PAGEOUT (Linux 5.4) writes back and reclaims those pages;
// the data stays in the files and a later read faults it back in.
// PAGEOUT rather than MADV_DONTNEED: the mapping list is read before the
// advice is given, and if Badger unmaps a table in between and the address
// is reused for anonymous memory, PAGEOUT only pages that memory out (to
// swap, or not at all without one), where DONTNEED would zero it.
func releaseMapped(dir string) {
	if dir == "" {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	prefix := []byte(dir + "/")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	for sc.Scan() {
		// start-end perms offset dev inode path
		line := sc.Bytes()
		slash := bytes.IndexByte(line, '/')
		if slash < 0 || !bytes.HasPrefix(line[slash:], prefix) {
			continue
		}
		span, _, _ := bytes.Cut(line, []byte(" "))
		from, to, ok := bytes.Cut(span, []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(from), 16, 64)
		end, err2 := strconv.ParseUint(string(to), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		// An error means the mapping went away meanwhile (Badger closed
		// the table): nothing to reclaim.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
	}
}

// rssFile is the process's file-backed resident memory (RssFile in
// /proc/self/status), or 0 when it cannot be read.
func rssFile() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("\nRssFile:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(line), []byte(" kB"))), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}
