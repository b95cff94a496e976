package store

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestMaintenanceTimerStopsWithClose: with GC running on a short timer
// while writes go on, Close still returns and nothing races.
func TestMaintenanceTimerStopsWithClose(t *testing.T) {
	s, err := Open(t.TempDir(), Options{GCInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		err := s.Update(context.Background(), func(tx *Tx) error {
			return tx.AddSample(LatencySample{Carrier: "c", At: testBase.Add(time.Duration(i) * time.Second)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBadgerLogGoesToTheAppLogger: Badger's warnings and errors reach the
// application log; its info chatter is dropped; nothing reaches stderr.
func TestBadgerLogGoesToTheAppLogger(t *testing.T) {
	var buf bytes.Buffer
	l := badgerLogger{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	l.Infof("replaying file %d\n", 1)
	l.Debugf("debug %d", 2)
	l.Warningf("slow compaction %d\n", 3)
	l.Errorf("bad block %d", 4)
	out := buf.String()
	for _, want := range []string{"level=WARN msg=\"slow compaction 3\" component=badger", "level=ERROR msg=\"bad block 4\" component=badger"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "replaying") || strings.Contains(out, "debug") {
		t.Errorf("info/debug lines leaked:\n%s", out)
	}
}
