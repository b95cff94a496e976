package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
)

// scrape fetches url and parses it with the Prometheus text parser.
func scrape(t *testing.T, url string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: HTTP %d", url, resp.StatusCode)
	}
	var raw strings.Builder
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(teeReader{resp.Body, &raw})
	if err != nil {
		t.Fatalf("the scrape does not parse as Prometheus text: %v", err)
	}
	return fams, raw.String()
}

type teeReader struct {
	r interface{ Read([]byte) (int, error) }
	w *strings.Builder
}

func (t teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.w.Write(p[:n])
	return n, err
}

// samples returns the values of family name whose labels include want
// (counters, gauges, and histograms' sample counts).
func samples(fams map[string]*dto.MetricFamily, name string, want map[string]string) []float64 {
	var out []float64
	for _, m := range fams[name].GetMetric() {
		match := true
		for k, v := range want {
			has := false
			for _, lp := range m.GetLabel() {
				has = has || (lp.GetName() == k && lp.GetValue() == v)
			}
			match = match && has
		}
		switch {
		case !match:
		case m.Counter != nil:
			out = append(out, m.GetCounter().GetValue())
		case m.Gauge != nil:
			out = append(out, m.GetGauge().GetValue())
		case m.Histogram != nil:
			out = append(out, float64(m.GetHistogram().GetSampleCount()))
		}
	}
	return out
}

// value is the first matching sample, and whether there was one.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	if v := samples(fams, name, want); len(v) > 0 {
		return v[0], true
	}
	return 0, false
}

// sum adds the matching samples.
func sum(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	total := 0.0
	for _, v := range samples(fams, name, want) {
		total += v
	}
	return total
}

// The worker runs against the simulator with metrics on; the scrape, read
// with Prometheus's own parser, agrees with the store.
func TestMetricsScrapeMatchesTheStore(t *testing.T) {
	port := freePort(t)
	d := startServedDemo(t, 60, func(a *app) { a.cfg.Metrics.Listen = "127.0.0.1:" + port })
	base := "http://127.0.0.1:" + port
	d.waitCounts("orders pushed", func(c store.Counts) bool {
		return c.ByState[store.StatePushed]+c.ByState[store.StateTracking]+c.ByState[store.StateShipped] >= 10
	})
	// A live scrape while the worker runs.
	fams, _ := scrape(t, base+"/metrics")
	if v, ok := value(fams, "shipdeck_worker_state", map[string]string{"state": "paused"}); !ok || v != 0 {
		t.Fatalf("worker reported paused before the pause (%v, %v)", v, ok)
	}

	// Pause, let in-flight calls finish, then the figures must match.
	ctx := context.Background()
	if err := d.a.eng.SetPaused(ctx, store.Actor{Name: "test", Role: store.RoleAdmin}, true); err != nil {
		t.Fatal(err)
	}
	d.waitQuiet()
	time.Sleep(1200 * time.Millisecond) // one snapshot refresh
	fams, raw := scrape(t, base+"/metrics")
	counts, err := d.a.st.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range store.States() {
		got, ok := value(fams, "shipdeck_orders", map[string]string{"state": string(s)})
		if !ok || int64(got) != counts.ByState[s] {
			t.Errorf("shipdeck_orders{state=%q} = %v (present %v), store says %d", s, got, ok, counts.ByState[s])
		}
	}
	for _, s := range store.MarketStatuses() {
		got, _ := value(fams, "shipdeck_orders_by_status", map[string]string{"status": string(s)})
		if int64(got) != counts.ByStatus[s] {
			t.Errorf("shipdeck_orders_by_status{status=%q} = %v, store says %d", s, got, counts.ByStatus[s])
		}
	}
	q, err := d.a.planner.Status(ctx, d.a.now())
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string]int{"used": q.Used, "remaining": q.Remaining, "reserve": q.Reserve, "limit": q.Limit} {
		if got, _ := value(fams, "shipdeck_quota_calls", map[string]string{"kind": kind}); int(got) != want {
			t.Errorf("shipdeck_quota_calls{kind=%q} = %v, ledger says %d", kind, got, want)
		}
	}

	// Every push and write-back attempt in the store was counted once.
	pushes, writeBacks := map[string]int{}, 0
	for _, st := range store.States() {
		for off := 0; ; off += 500 {
			page, err := d.a.st.Queue(ctx, st, off, 500)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				_, atts, _, err := d.a.st.OrderDetail(ctx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, at := range atts {
					switch at.Kind {
					case store.AttemptPush:
						pushes[at.Carrier]++
					case store.AttemptWriteBack:
						writeBacks++
					}
				}
			}
			if len(page) < 500 {
				break
			}
		}
	}
	if len(pushes) == 0 {
		t.Fatal("no push attempts stored")
	}
	for carrier, n := range pushes {
		if got := sum(fams, "shipdeck_pushes_total", map[string]string{"carrier": carrier}); int(got) != n {
			t.Errorf("shipdeck_pushes_total{carrier=%q} sums to %v, store has %d push attempts", carrier, got, n)
		}
		if got, _ := value(fams, "shipdeck_push_duration_seconds", map[string]string{"carrier": carrier}); int(got) != n {
			t.Errorf("shipdeck_push_duration_seconds{carrier=%q} count %v, store has %d", carrier, got, n)
		}
	}
	if got := sum(fams, "shipdeck_write_backs_total", nil); int(got) != writeBacks {
		t.Errorf("shipdeck_write_backs_total sums to %v, store has %d write-back attempts", got, writeBacks)
	}
	if got, _ := value(fams, "shipdeck_order_detection_delay_seconds", nil); int64(got) != counts.Total {
		t.Errorf("detection delay observed %v orders, store holds %d (every order came from a poll)", got, counts.Total)
	}
	if v, _ := value(fams, "shipdeck_worker_state", map[string]string{"state": "paused"}); v != 1 {
		t.Errorf("shipdeck_worker_state{state=paused} = %v after the pause", v)
	}
	for _, name := range []string{"shipdeck_circuit_state", "shipdeck_ssh_sessions", "shipdeck_build_info", "shipdeck_quota_rate_limited"} {
		if fams[name] == nil {
			t.Errorf("series %s missing", name)
		}
	}

	// Health: alive; not ready while paused? Paused is an operator's choice,
	// so it stays ready; degraded is not.
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var rd struct {
		Ready  bool   `json:"ready"`
		Reason string `json:"reason"`
		Worker string `json:"worker"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&rd)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !rd.Ready || rd.Worker != "paused" {
		t.Fatalf("/readyz = HTTP %d %+v, want ready (paused)", resp.StatusCode, rd)
	}

	// The admin's backup over SSH while serve runs restores into a new
	// directory with the same orders.
	c := d.dial("ada")
	out, stderr, code := sshtest.Run(t, c, "backup -")
	if code != 0 || len(out) == 0 {
		t.Fatalf("backup over SSH: exit %d, %d bytes, %s", code, len(out), stderr)
	}
	if _, _, code := sshtest.Run(t, d.dial("olga"), "backup -"); code != exitForbidden {
		t.Fatalf("operator backup over SSH: exit %d, want %d", code, exitForbidden)
	}
	file := filepath.Join(t.TempDir(), "served.backup")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	restored := t.TempDir()
	var rout, rerr strings.Builder
	if code := run(ctx, []string{"restore", file, "--data", restored}, strings.NewReader(""), &rout, &rerr); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, rerr.String())
	}
	if !strings.Contains(rout.String(), fmt.Sprintf(": %d orders", counts.Total)) {
		t.Fatalf("restore says %q, want %d orders", rout.String(), counts.Total)
	}
	t.Logf("scrape excerpt:\n%s", excerpt(raw, "shipdeck_orders{", "shipdeck_pushes_total", "shipdeck_quota_calls", "shipdeck_circuit_state", "shipdeck_write_backs_total"))
}

// excerpt keeps the scrape lines that start with one of the prefixes.
func excerpt(raw string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(raw, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}
