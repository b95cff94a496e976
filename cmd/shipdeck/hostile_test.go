package main

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/shipdeck/shipdeck/store"
)

// Hostile text as TikTok or a 3PL could send it: OSC 52 (write the
// clipboard), OSC 8 (a hidden link), CSI 2J (clear the screen), 8-bit CSI,
// a right-to-left override, and spreadsheet formulas.
const (
	hostileID       = "\x1b]52;c;cm0gLXJmIH4=\x07577001"
	hostileBuyer    = "=HYPERLINK(\"http://evil\")\u202eeviL"
	hostileCity     = "@SUM(1+1)\x1b[2J"
	hostileReason   = "rejected \x9b2J\x1b]8;;http://evil\x07click\x1b]8;;\x07"
	hostileTracking = "-1+1\x1b]0;title\x07TRK"
)

// hostileFixture writes a config and a store holding one order and one
// audit entry full of hostile text, and returns the global flags.
func hostileFixture(t *testing.T) []string {
	t.Helper()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	o := store.Order{ID: hostileID, Status: store.StatusAwaitingShipment, State: store.StateDead, ErrorClass: "permanent",
		Reason: hostileReason, CreateTime: now, RTSSLATime: now.Add(24 * time.Hour), Attempts: 3,
		Recipient: store.Address{Name: hostileBuyer, City: hostileCity, Country: "US"},
		Push:      &store.Push{Carrier: "flaky", Generation: 1, IdempotencyKey: "k", TrackingNumber: hostileTracking}}
	return storeFixture(t, func(tx *store.Tx) error {
		if err := tx.PutOrder(o); err != nil {
			return err
		}
		return tx.AddAudit(store.AuditEntry{At: now, Who: "ana\x1b[31m", Role: "operator", Action: "resolve", OrderID: hostileID,
			Before: "dead", After: "shipped", Detail: hostileReason})
	})
}

// terminalActive returns the first character in s that a terminal would
// act on rather than print (escape, C0/C1 control other than newline,
// bidi or other format character), or -1.
func terminalActive(s string) rune {
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, unicode.Is(unicode.Cf, r):
			return r
		}
	}
	return -1
}

func TestCLIOutputsCleanHostileText(t *testing.T) {
	global := hostileFixture(t)
	for _, args := range [][]string{
		{"orders"}, {"orders", "--state", "dead"}, {"orders", "--json"}, {"audit"}, {"audit", "--json"},
		{"export", "all"}, {"export", "dead"}, {"retry", hostileID + "x"}, {"hold", hostileID},
	} {
		t.Run(args[0], func(t *testing.T) {
			out, errOut, code := runCLI(t, append(args, global...)...)
			if code == exitOK && out == "" {
				t.Fatalf("%v printed nothing", args)
			}
			for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
				if r := terminalActive(s); r >= 0 {
					t.Errorf("%v: %s carries %U, which a terminal acts on:\n%q", args, name, r, s)
				}
			}
		})
	}
}

func TestExportGuardsFormulasInEveryColumn(t *testing.T) {
	out, errOut, code := runCLI(t, append([]string{"export", "all"}, hostileFixture(t)...)...)
	if code != exitOK {
		t.Fatalf("export: exit %d %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("export has %d rows, want the header and one order:\n%s", len(rows), out)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s starts with %q: a spreadsheet would run %q", rows[0][i], cell[0], cell)
		}
		if r := terminalActive(cell); r >= 0 {
			t.Errorf("column %s carries %U: %q", rows[0][i], r, cell)
		}
	}
	for _, want := range []string{"577001", "eviL", "TRK", "click"} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lost the text %q:\n%s", want, out)
		}
	}
}
