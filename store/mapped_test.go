package store

import (
	"context"
	"math/rand/v2"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// TestStoreWrittenCompressedStaysReadable opens a store whose tables a
// bulk load (or an earlier shipdeck) wrote snappy-compressed, with the
// block cache that compression needs, under the everyday options, which
// write tables uncompressed and have no block cache: every order reads
// back, and new writes and a compaction beside the old tables work.
func TestStoreWrittenCompressedStaysReadable(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	want := benchOrders(rand.New(rand.NewPCG(15, 1)), 0, 3000)
	if err := s.BulkPut(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Write every key again compressed, so the newest
	// version of each sits in a compressed table.
	db, err := badger.Open(badger.DefaultOptions(dir).WithCompression(options.Snappy).
		WithBlockCacheSize(16 << 20).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	wb := db.NewWriteBatch()
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := wb.Set(it.Item().KeyCopy(nil), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = wb.Flush()
	}
	if err == nil {
		err = db.Close() // flushes the memtable into a compressed table
	}
	if err == nil {
		db, err = badger.Open(badger.DefaultOptions(dir).WithCompression(options.Snappy).
			WithBlockCacheSize(16 << 20).WithLogger(nil))
	}
	if err != nil {
		t.Fatal(err)
	}
	compressed := 0
	for _, ti := range db.Tables() {
		if uint64(ti.OnDiskSize) < uint64(ti.UncompressedSize) {
			compressed++
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if compressed == 0 {
		t.Fatal("the earlier options wrote no compressed table")
	}

	s = openTestStore(t, dir, Options{})
	got := allOrders(t, s)
	if len(got) != len(want) {
		t.Fatalf("read %d orders back, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Recipient.Name != want[i].Recipient.Name {
			t.Fatalf("order %d reads back as %s/%q, want %s/%q", i, got[i].ID, got[i].Recipient.Name, want[i].ID, want[i].Recipient.Name)
		}
	}
	more := benchOrders(rand.New(rand.NewPCG(15, 2)), 3000, 500)
	if err := s.BulkPut(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Flatten(1); err != nil {
		t.Fatalf("compacting old compressed tables with new ones: %v", err)
	}
	if n := len(allOrders(t, s)); n != len(want)+len(more) {
		t.Fatalf("after new writes and a compaction: %d orders, want %d", n, len(want)+len(more))
	}
}
