package sync_test

import (
	"strings"
	"testing"
	"time"

	shipsync "github.com/shipdeck/shipdeck/sync"
)

const checkHead = "order_id,name,address1,city,region,postal_code,country,sku,quantity\n"

func TestImportRefusesWhatItShould(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	good := "OK-1,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n"
	tests := []struct {
		name      string
		rows      string
		wantLine  int
		wantText  string
		wantOrder string // the order that must not be stored
	}{
		{"same order, another recipient", "A-1,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n" + good +
			"A-1,Bob Other,99 Oak Ave,Dallas,TX,75201,US,BOOK-2,1\n", 4, "line 2", "A-1"},
		{"same order, another address line", "A-1,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n" +
			"A-1,Ana Reader,14 Elm St,Austin,TX,78701,US,BOOK-2,1\n", 3, "address", "A-1"},
		{"a 20 MB field", "B-1," + strings.Repeat("x", 20<<20) + ",12 Elm St,Austin,TX,78701,US,BOOK-1,1\n", 2, "name", "B-1"},
		{"a long sku", "B-2,Ana Reader,12 Elm St,Austin,TX,78701,US," + strings.Repeat("S", 500) + ",1\n", 2, "sku", "B-2"},
		{"OSC 52 in the order id", "\x1b]52;c;aGk=\x07C-1,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n", 2, "order_id", ""},
		{"zero-width space in the order id", "C-\u200b2,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n", 2, "order_id", ""},
		{"8-bit CSI in the order id", "C-3\u009b2J,Ana Reader,12 Elm St,Austin,TX,78701,US,BOOK-1,1\n", 2, "order_id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orders, rejected, err := shipsync.ParseImport(strings.NewReader(checkHead+tt.rows+good), "in.csv", now)
			if err != nil {
				t.Fatalf("the file as a whole was refused: %v", err)
			}
			found := false
			for _, r := range rejected {
				if r.Line == tt.wantLine && strings.Contains(r.Error(), tt.wantText) {
					found = true
				}
				if len(r.Error()) > 1000 {
					t.Errorf("the rejection repeats the field: %d bytes", len(r.Error()))
				}
			}
			if !found {
				t.Errorf("no rejection at line %d mentioning %q; got %v", tt.wantLine, tt.wantText, shortErrs(rejected))
			}
			for _, o := range orders {
				if tt.wantOrder != "" && o.ID == tt.wantOrder {
					t.Errorf("order %s was kept: %+v", o.ID, o.Recipient)
				}
				if o.ID != "OK-1" && o.ID != "A-1" && o.ID != "B-1" && o.ID != "B-2" {
					t.Errorf("order %q was kept", o.ID)
				}
			}
			kept := false
			for _, o := range orders {
				kept = kept || o.ID == "OK-1"
			}
			if !kept {
				t.Errorf("the good order was not kept")
			}
		})
	}
}

func shortErrs(rs []shipsync.RowError) []string {
	var out []string
	for _, r := range rs {
		s := r.Error()
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		out = append(out, s)
	}
	return out
}
