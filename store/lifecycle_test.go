package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// populate writes a bit of everything the store keeps.
func populate(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	var bulk []Order
	for i := range 40 {
		bulk = append(bulk, newOrder(fmt.Sprintf("b%03d", i), States()[i%len(States())],
			MarketStatuses()[i%len(MarketStatuses())], testBase.Add(time.Duration(i)*time.Hour)))
	}
	if err := s.BulkPut(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx *Tx) error {
		o := newOrder("u1", StateFailed, StatusAwaitingShipment, testBase)
		o.NextAttemptAt = testBase.Add(time.Minute)
		o.Push = &Push{Carrier: "fast", Generation: 1, IdempotencyKey: "u1-fast-1"}
		if err := tx.PutOrder(o); err != nil {
			return err
		}
		if err := tx.AddAttempt(Attempt{OrderID: "u1", Kind: AttemptPush, Carrier: "fast", Outcome: OutcomeRetryable, HTTPStatus: 503}); err != nil {
			return err
		}
		if err := tx.AddAudit(AuditEntry{Who: "ana", Role: "operator", Action: "retry", OrderID: "u1", Before: "dead", After: "failed"}); err != nil {
			return err
		}
		if err := tx.AddSample(LatencySample{Carrier: "fast", At: testBase, Latency: 120 * time.Millisecond, OK: true}); err != nil {
			return err
		}
		if _, err := tx.ReserveQuota("2026-11-24", CallPoll, 3, 500, 400); err != nil {
			return err
		}
		if err := tx.NoteRateLimited("2026-11-24", testBase); err != nil {
			return err
		}
		if _, err := tx.SeenNotification("n-1", testBase); err != nil {
			return err
		}
		return tx.SetCursor(Cursor{UpdateTimeGE: testBase, LastPoll: testBase.Add(time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storeImage is everything an operator could see, for comparisons.
type storeImage struct {
	Counts  Counts
	Orders  []Order
	Audit   []AuditEntry
	Detail  []Attempt
	Quota   QuotaDay
	Cursor  Cursor
	Samples []LatencySample
	Queue   []string
	Failed  []string
	Profile [24]int64
}

func image(t *testing.T, s *Store) storeImage {
	t.Helper()
	ctx := context.Background()
	var im storeImage
	var err error
	must := func(e error) {
		if e != nil {
			t.Helper()
			t.Fatal(e)
		}
	}
	im.Counts, err = s.Counts(ctx)
	must(err)
	im.Orders = allOrders(t, s)
	im.Audit, err = s.Audit(ctx, 100)
	must(err)
	_, im.Detail, _, err = s.OrderDetail(ctx, "u1")
	must(err)
	im.Quota, err = s.Quota(ctx, "2026-11-24")
	must(err)
	im.Cursor, err = s.Cursor(ctx)
	must(err)
	im.Samples, err = s.Samples(ctx, "fast", testBase.Add(-time.Hour), testBase.Add(time.Hour))
	must(err)
	q, err := s.Queue(ctx, StateReady, 0, 100)
	must(err)
	im.Queue = ids(q)
	f, err := s.Failed(ctx, 0, 100)
	must(err)
	im.Failed = ids(f)
	im.Profile, err = s.ArrivalProfile(ctx, testBase.Add(48*time.Hour), 7)
	must(err)
	return im
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	populate(t, s)
	before := image(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s2 := openTestStore(t, dir, Options{})
	after := image(t, s2)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("reopened store differs:\nbefore %+v\nafter  %+v", before, after)
	}
	if before.Counts.Total != 41 || len(before.Audit) != 1 || len(before.Detail) != 1 || before.Quota.Total() != 3 {
		t.Fatalf("populate wrote less than expected: %+v", before)
	}
	// Sequences continue after a reopen.
	err = s2.Update(context.Background(), func(tx *Tx) error { return tx.AddAudit(AuditEntry{Who: "b", Action: "note"}) })
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := s2.Audit(context.Background(), 1)
	if len(audit) != 1 || audit[0].Seq != 2 {
		t.Fatalf("audit after reopen %+v, want seq 2", audit)
	}
}

func TestCallsAfterCloseFail(t *testing.T) {
	s, err := Open(t.TempDir(), Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := s.Subscribe(TopicAll)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Update(ctx, func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v", err)
	}
	if _, err := s.Counts(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Counts after Close: %v", err)
	}
	if err := s.BulkPut(ctx, []Order{newOrder("x", StateNew, StatusUnpaid, testBase)}); !errors.Is(err, ErrClosed) {
		t.Errorf("BulkPut after Close: %v", err)
	}
	if _, ok := <-ch; ok {
		t.Error("subscription still open after Close")
	}
}

// TestSecondOpenIsRefusedNamingTheDirectory: two shipdecks on one data
// directory would corrupt it; the second must stop with a clear message.
func TestSecondOpenIsRefusedNamingTheDirectory(t *testing.T) {
	dir := t.TempDir()
	openTestStore(t, dir, Options{})
	_, err := Open(dir, Options{GCInterval: -1})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open: %v; want ErrLocked naming %s", err, dir)
	}
	if strings.Contains(err.Error(), "Badger") {
		t.Errorf("error leaks Badger's message: %v", err)
	}
}

// TestOpenHeldByAnotherProcess runs this test binary again as a second
// process against a directory this one holds.
func TestOpenHeldByAnotherProcess(t *testing.T) {
	if dir := os.Getenv("SHIPDECK_STORE_OPEN_DIR"); dir != "" {
		_, err := Open(dir, Options{GCInterval: -1})
		fmt.Printf("locked=%v err=%v\n", errors.Is(err, ErrLocked), err)
		return
	}
	dir := t.TempDir()
	openTestStore(t, dir, Options{})
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenHeldByAnotherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SHIPDECK_STORE_OPEN_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "locked=true") || !strings.Contains(string(out), dir) ||
		!strings.Contains(string(out), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("child process was not refused with ErrLocked naming the dir and holder:\n%s", out)
	}
}

func TestOpenUnreadableDirectoryNamesIt(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"garbage manifest", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), bytes.Repeat([]byte("garbage!"), 64), 0o600); err != nil {
				t.Fatal(err)
			}
			return dir
		}},
		{"path is a file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "data")
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			s, err := Open(dir, Options{GCInterval: -1})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), dir) || errors.Is(err, ErrLocked) {
				t.Fatalf("error %q does not name %s (or claims a lock)", err, dir)
			}
		})
	}
	if _, err := Open("", Options{}); err == nil {
		t.Fatal("Open with no directory succeeded")
	}
}

// TestBackupRestoreRoundTrip: a backup restored into a new directory shows
// the operator the same store.
func TestBackupRestoreRoundTrip(t *testing.T) {
	src := openTestStore(t, t.TempDir(), Options{})
	populate(t, src)
	var buf bytes.Buffer
	if err := src.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	var hooked int
	dst := openTestStore(t, t.TempDir(), Options{OnOrders: func(o []Order) { hooked += len(o) }})
	ch, cancel := dst.Subscribe(TopicAll)
	defer cancel()
	if err := dst.Restore(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if want, got := image(t, src), image(t, dst); !reflect.DeepEqual(want, got) {
		t.Fatalf("restored store differs:\nsource   %+v\nrestored %+v", want, got)
	}
	if hooked != 41 {
		t.Errorf("OnOrders saw %d restored orders, want 41", hooked)
	}
	if got := <-ch; got != TopicAll {
		t.Errorf("restore published %b, want all topics", got)
	}
	if err := dst.Restore(bytes.NewReader(buf.Bytes())); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("restore into a non-empty store: %v", err)
	}
}

// TestInterruptedBulkWriteIsRepairedAtOpen: a crash in the middle of a bulk
// import must not leave wrong counters behind.
func TestInterruptedBulkWriteIsRepairedAtOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	populate(t, s)
	want := image(t, s)
	// Simulate the crash: marker left behind, counters and an index entry
	// wrong.
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(keyBulkMarker), []byte("x")); err != nil {
			return err
		}
		if err := txn.Set([]byte(keyTotal), encodeInt64(7)); err != nil {
			return err
		}
		return txn.Set(queueKey(StateReady, 5, "ghost"), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openTestStore(t, dir, Options{})
	if got := image(t, s2); !reflect.DeepEqual(want, got) {
		t.Fatalf("repaired store differs:\nwant %+v\ngot  %+v", want, got)
	}
}

func TestInMemoryStore(t *testing.T) {
	s := openTestStore(t, "", Options{InMemory: true})
	populate(t, s)
	if c, err := s.Counts(context.Background()); err != nil || c.Total != 41 {
		t.Fatalf("counts %+v %v", c, err)
	}
}

// A SIGKILL between Badger creating a log file and sizing it (or between
// truncating a flushed one to zero and removing it) leaves an empty
// *.mem or *.vlog file, and Badger refuses to open beside one ("Create a
// new file"). Open removes them: they hold nothing, and everything
// committed is still there.
func TestOpenAfterAKillLeftEmptyLogs(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	populate(t, s)
	before := image(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The next memtable log and value log, created but not yet sized, and
	// an old memtable log truncated on its way out.
	for _, name := range []string{"99999.mem", "999999.vlog", "00001.mem"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, Options{GCInterval: -1})
		if err != nil {
			t.Fatalf("open beside an empty %s: %v", name, err)
		}
		after := image(t, s)
		err = s.Update(context.Background(), func(tx *Tx) error { return tx.AddAudit(AuditEntry{Who: "b", Action: "note"}) })
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatalf("write after opening beside an empty %s: %v", name, err)
		}
		after.Audit, before.Audit = nil, nil
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("store opened beside an empty %s differs:\nbefore %+v\nafter  %+v", name, before, after)
		}
	}
}
