package store

import (
	"context"
	"fmt"
	"testing"
)

func TestActivityIsNewestFirstBoundedAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	ctx := context.Background()
	total := MaxActivity + 25
	for i := 0; i < total; i += 500 {
		err := s.Update(ctx, func(tx *Tx) error {
			for j := i; j < min(i+500, total); j++ {
				if err := tx.AddActivity(Activity{Kind: ActivityPoll, Text: fmt.Sprintf("poll %d", j)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, Options{})
	page, err := s.Activity(ctx, 0, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].Text != fmt.Sprintf("poll %d", total-1) || page[2].Text != fmt.Sprintf("poll %d", total-3) {
		t.Fatalf("newest page = %+v", page)
	}
	next, err := s.Activity(ctx, page[2].Seq, 2, nil)
	if err != nil || len(next) != 2 || next[0].Text != fmt.Sprintf("poll %d", total-4) {
		t.Fatalf("next page = %+v, %v", next, err)
	}
	all, err := s.Activity(ctx, 0, 2*MaxActivity, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != MaxActivity || all[len(all)-1].Text != fmt.Sprintf("poll %d", total-MaxActivity) {
		t.Fatalf("kept %d entries (oldest %q), want the last %d", len(all), all[len(all)-1].Text, MaxActivity)
	}
}

func TestOperatorActionsStreamIntoTheActivityLog(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		return tx.AddAudit(AuditEntry{Who: "olga", Role: "operator", Action: "retry", OrderID: "ORD-1", Before: "dead", After: "queued"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Activity(ctx, 0, 10, func(a *Activity) bool { return a.Kind == ActivityOperator })
	if err != nil || len(got) != 1 {
		t.Fatalf("activity = %+v, %v", got, err)
	}
	if a := got[0]; a.Who != "olga" || a.OrderID != "ORD-1" || a.Text != "retry: dead → queued" {
		t.Fatalf("activity = %+v", a)
	}
}
