package quota

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// openStore opens the store in dir or fails the test.
func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s
}

// The ledger lives in the store: a restart (a crash loop) sees every call
// reserved before it and cannot overspend.
func TestStoreLedgerSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := utc(2026, 3, 2, 9, 0)
	clock := func() time.Time { return at }
	cfg := Config{DailyLimit: 20, ReservePercent: 50}

	s := openStore(t, dir)
	p, err := New(cfg, StoreLedger{Store: s}, clock, StoreProfile(s, clock))
	if err != nil {
		t.Fatal(err)
	}
	spend(t, p, store.CallPoll, 7)
	if err := p.NoteRateLimited(ctx, at); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir)
	defer s.Close()
	p, err = New(cfg, StoreLedger{Store: s}, clock, StoreProfile(s, clock))
	if err != nil {
		t.Fatal(err)
	}
	spend(t, p, store.CallPoll, 3)
	if err := p.Reserve(ctx, store.CallPoll, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("poll past the reserve after a restart: %v, want refusal", err)
	}
	var ex *ExhaustedError
	if err := p.Reserve(ctx, store.CallSweep, 1); !errors.As(err, &ex) || ex.Used != 10 {
		t.Errorf("sweep after restart: %v, want a refusal at 10 used", err)
	}
	spend(t, p, store.CallWriteBack, 10)
	if err := p.Reserve(ctx, store.CallOperator, 1); !errors.Is(err, store.ErrQuotaExhausted) {
		t.Fatalf("operator call past the limit: %v, want refusal", err)
	}
	st, err := p.Status(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if st.Used != 20 || st.ByKind[store.CallPoll] != 10 || st.ByKind[store.CallWriteBack] != 10 || st.RateLimited != 1 {
		t.Errorf("status from the store = %+v", st)
	}
	if next, err := p.NextPoll(ctx, at); err != nil || !next.Equal(utc(2026, 3, 3, 0, 0)) {
		t.Errorf("NextPoll with the day spent = %s, %v; want the reset", next, err)
	}
}
