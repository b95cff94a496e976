package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
)

const importHead = "order_id,name,address1,city,postal_code,country,sku,quantity\n"

// importRow is one valid row of order id with sku.
func importRow(id, sku string) string {
	return fmt.Sprintf("%s,Ana Buyer,1 Main St,Austin,78701,US,%s,1\n", id, sku)
}

// TestImportFileStoresWholeOrdersOnly imports files an operator might
// have: lines of one order together or scattered, bad rows among good
// ones, a broken file. A bad row rejects its order only (with its line),
// every line of a stored order is kept, and a file that is not readable CSV
// stores nothing.
func TestImportFileStoresWholeOrdersOnly(t *testing.T) {
	tests := []struct {
		name      string
		csv       string
		wantLines map[string]int // stored orders and their line items
		wantRej   []string       // rejected rows, as "line:order"
		wantRes   shipsync.ImportResult
		wantErr   error
	}{
		{
			name:      "lines of an order together",
			csv:       importHead + importRow("A-1", "SKU-1") + importRow("A-1", "SKU-2") + importRow("A-2", "SKU-3"),
			wantLines: map[string]int{"A-1": 2, "A-2": 1},
			wantRes:   shipsync.ImportResult{Rows: 3, Orders: 2, Stored: 2},
		},
		{
			name:      "lines of an order scattered through the file",
			csv:       importHead + importRow("B-1", "SKU-1") + importRow("B-2", "SKU-2") + importRow("B-1", "SKU-3") + importRow("B-3", "SKU-4"),
			wantLines: map[string]int{"B-1": 2, "B-2": 1, "B-3": 1},
			wantRes:   shipsync.ImportResult{Rows: 4, Orders: 3, Stored: 3},
		},
		{
			name: "a bad row rejects its order only, even when its other rows are good",
			csv: importHead + importRow("C-1", "SKU-1") + "C-1,Ana Buyer,1 Main St,Austin,78701,US,SKU-2,zero\n" +
				importRow("C-2", "SKU-3") + importRow("C-3", "SKU-4") + "C-3,Ana Buyer,1 Main St,Austin,78701,USA,SKU-5,1\n",
			wantLines: map[string]int{"C-2": 1},
			wantRej:   []string{"3:C-1", "6:C-3"},
			wantRes:   shipsync.ImportResult{Rows: 5, Orders: 3, Stored: 1, Rejected: 2},
		},
		{
			name:      "a short row is rejected with its order",
			csv:       importHead + importRow("D-1", "SKU-1") + "D-2,x,y\n",
			wantLines: map[string]int{"D-1": 1},
			wantRej:   []string{"3:D-2"},
			wantRes:   shipsync.ImportResult{Rows: 2, Orders: 2, Stored: 1, Rejected: 1},
		},
		{
			name:    "a broken quote late in the file stores nothing",
			csv:     importHead + importRow("E-1", "SKU-1") + importRow("E-2", "SKU-2") + "E-3,\"Ana,1 Main St,Austin,78701,US,SKU-3,1\n",
			wantErr: shipsync.ErrBadFile,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newLifeRig(t, newFake("swift", restCaps))
			var rej []string
			res, err := r.eng.ImportFile(r.ctx, strings.NewReader(tt.csv), "orders.csv", r.clk.Now(), shipsync.ImportProgress{
				Rejected: func(e shipsync.RowError) {
					rej = append(rej, fmt.Sprintf("%d:%s", e.Line, e.ID))
					if !strings.Contains(e.Error(), "orders.csv:") {
						t.Errorf("rejection %q does not name the file", e.Error())
					}
				},
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ImportFile error %v, want %v", err, tt.wantErr)
			}
			c, cerr := r.st.Counts(r.ctx)
			if cerr != nil {
				t.Fatal(cerr)
			}
			if c.Total != int64(len(tt.wantLines)) {
				t.Errorf("store holds %d orders, want %d", c.Total, len(tt.wantLines))
			}
			if tt.wantErr != nil {
				return
			}
			if res != tt.wantRes {
				t.Errorf("result %+v, want %+v", res, tt.wantRes)
			}
			if fmt.Sprint(rej) != fmt.Sprint(tt.wantRej) {
				t.Errorf("rejected rows %v, want %v", rej, tt.wantRej)
			}
			for id, lines := range tt.wantLines {
				if o := r.order(id); len(o.LineItems) != lines || o.State != store.StateReady {
					t.Errorf("order %s stored with %d lines in state %s, want %d lines, ready", id, len(o.LineItems), o.State, lines)
				}
			}
		})
	}
}

// TestInterruptedImportResumesWithoutDuplicates cancels an import after
// its first batches are stored, then runs the same file again: the second
// run stores exactly what is missing, and every order is stored once with
// all its lines.
func TestInterruptedImportResumesWithoutDuplicates(t *testing.T) {
	const orders = 12_000
	var b strings.Builder
	b.WriteString(importHead)
	for i := range orders {
		id := fmt.Sprintf("R-%05d", i)
		b.WriteString(importRow(id, "SKU-1"))
		if i%3 == 0 {
			b.WriteString(importRow(id, "SKU-2"))
		}
	}
	file := b.String()
	r := newLifeRig(t, newFake("swift", restCaps))
	ctx, cancel := context.WithCancel(r.ctx)
	first, err := r.eng.ImportFile(ctx, strings.NewReader(file), "big.csv", r.clk.Now(), shipsync.ImportProgress{
		Rows: func(done, total int) { cancel() }, // after the first batch
	})
	if err == nil || first.Stored == 0 || first.Stored >= orders {
		t.Fatalf("interrupted import stored %d of %d (err %v); want a part", first.Stored, orders, err)
	}
	second, err := r.eng.ImportFile(r.ctx, strings.NewReader(file), "big.csv", r.clk.Now(), shipsync.ImportProgress{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Skipped != first.Stored || second.Stored != orders-first.Stored {
		t.Fatalf("second run stored %d and skipped %d after the first stored %d; want the rest stored and the first part skipped",
			second.Stored, second.Skipped, first.Stored)
	}
	c, err := r.st.Counts(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != orders || c.ByState[store.StateReady] != orders {
		t.Fatalf("store holds %d orders (%d ready), want %d", c.Total, c.ByState[store.StateReady], orders)
	}
	for _, i := range []int{0, 1, orders / 2, orders - 1} {
		want := 1
		if i%3 == 0 {
			want = 2
		}
		if o := r.order(fmt.Sprintf("R-%05d", i)); len(o.LineItems) != want {
			t.Errorf("order %s has %d lines, want %d", o.ID, len(o.LineItems), want)
		}
	}
}
