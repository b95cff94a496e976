package alert

import (
	"context"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/store"
)

// A metric at risk warns; crossing the line resolves the warning and fires
// a critical alert; recovering resolves it. The scan watch and
// reconciliation findings alert too.
func TestAccountHealthAlerts(t *testing.T) {
	r := newRig(t)
	m := r.monitor(nil)
	ldr := func(bad, total, atRisk int) store.Metric {
		v := float64(bad) / float64(total)
		return store.Metric{Name: store.MetricLDR, Title: "Late dispatch rate", Threshold: 0.04, Bad: bad, Total: total,
			Value: v, AtRisk: atRisk, Projected: float64(bad+atRisk) / float64(total+atRisk)}
	}
	firing := func() map[string]string {
		as, err := r.st.Alerts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, a := range as {
			out[a.Key] = a.Severity + ": " + a.Summary
		}
		return out
	}
	r.snap.set(func(s *store.Snapshot) {
		s.Health = store.AccountHealth{At: t0, Metrics: []store.Metric{ldr(3, 100, 4)},
			ScanWatch: []store.ScanFlag{{ID: "57001", Carrier: "swift", HoursLeft: 2.5}}}
		s.Reconcile = store.ReconcileReport{At: t0, Findings: []store.Finding{{Kind: store.FindingHandKeyed}}}
	})
	if f, _, _ := r.pass(m); f != 3 {
		t.Fatalf("fired %d, want 3 (LDR projected, scan watch, reconciliation): %v", f, firing())
	}
	got := firing()
	if s := got[RuleMetric+"/LDR-projected"]; !strings.HasPrefix(s, "warning: LDR (Late dispatch rate) will be 6.7%") || !strings.Contains(s, "4 orders at risk") {
		t.Errorf("projected LDR alert = %q", s)
	}
	if s := got[RuleScanWatch]; !strings.Contains(s, "first 57001 at swift, 2.5 h left") {
		t.Errorf("scan watch alert = %q", s)
	}
	r.snap.set(func(s *store.Snapshot) {
		s.Health.Metrics = []store.Metric{ldr(5, 100, 1)}
		s.Health.ScanWatch, s.Reconcile.Findings = nil, nil
	})
	f, res, _ := r.pass(m)
	if f != 1 || res != 3 {
		t.Fatalf("fired %d resolved %d, want LDR critical fired and the three warnings resolved: %v", f, res, firing())
	}
	if s := firing()[RuleMetric+"/LDR"]; !strings.HasPrefix(s, "critical: LDR (Late dispatch rate) is 5.0%, over TikTok's line of 4.0%: 5 of 100") {
		t.Errorf("LDR alert = %q", s)
	}
	if f, res, _ := r.pass(m); f != 0 || res != 0 {
		t.Fatalf("a second pass with nothing new fired %d resolved %d", f, res)
	}
}
