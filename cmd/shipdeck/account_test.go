package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
)

// TestAccountCommandsOverSSH runs health, reconcile and costs against a
// served demo: every role reads them, JSON parses into the documented
// shapes, and a viewer may not apply reconciliation findings.
func TestAccountCommandsOverSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo over SSH; skipped in -short mode")
	}
	d := startServedDemo(t, 600, nil)
	d.waitCounts("orders at 3PLs", func(c store.Counts) bool { return c.ByState[store.StatePushed] > 5 })
	viewer, op := d.dial("vic"), d.dial("olga")

	out, errOut, code := sshtest.Run(t, viewer, "health --json")
	var h store.AccountHealth
	if code != exitOK || json.Unmarshal([]byte(out), &h) != nil || len(h.Metrics) != 4 || h.Orders == 0 {
		t.Fatalf("health --json: exit %d, %d metrics over %d orders\n%s%s", code, len(h.Metrics), h.Orders, out, errOut)
	}
	out, _, code = sshtest.Run(t, viewer, "health")
	for _, want := range []string{"LDR Late dispatch rate", "VTR Valid tracking rate", "SFCR", "OTDR", "estimated from"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("health lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	out, _, code = sshtest.Run(t, viewer, "reconcile --json --since 30d --within 20s")
	var rep store.ReconcileReport
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Checked == 0 || rep.Lookups == 0 {
		t.Fatalf("reconcile --json: exit %d, checked %d with %d lookups\n%s", code, rep.Checked, rep.Lookups, out)
	}
	if _, errOut, code = sshtest.Run(t, viewer, "reconcile --apply"); code != exitForbidden {
		t.Errorf("a viewer asked to apply findings: exit %d %s, want %d before any cross-check", code, errOut, exitForbidden)
	}
	out, _, code = sshtest.Run(t, op, "costs --json --since 30d")
	var costs store.CostReport
	if code != exitOK || json.Unmarshal([]byte(out), &costs) != nil || costs.Orders == 0 || costs.FBT.SingleUnitCents != 358 {
		t.Fatalf("costs --json: exit %d, %d orders, FBT card %+v\n%s", code, costs.Orders, costs.FBT, out)
	}
	if _, errOut, code = sshtest.Run(t, op, "costs --since soon"); code != exitUsage || !strings.Contains(errOut, "--since") {
		t.Errorf("costs --since soon: exit %d %q, want a usage error naming --since", code, errOut)
	}
}
