package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/alert"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// logLine matches one text-format log line by level and message and
// returns its attributes.
func logLines(stderr, level, msg string) []map[string]string {
	var out []map[string]string
	head := fmt.Sprintf("level=%s msg=%s", level, quoteIfNeeded(msg))
	attr := regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S*)`)
	for _, l := range strings.Split(stderr, "\n") {
		i := strings.Index(l, head)
		if i < 0 {
			continue
		}
		rest := l[i+len(head):]
		if rest != "" && rest[0] != ' ' {
			continue // a longer message with the same start
		}
		m := map[string]string{}
		for _, kv := range attr.FindAllStringSubmatch(rest, -1) {
			m[kv[1]] = strings.Trim(kv[2], `"`)
		}
		out = append(out, m)
	}
	return out
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, " =\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// `sync` runs headless through failures: a 3PL that refuses connections
// (retryable failures until its circuit opens) and one that refuses the
// token (dead pushes). Its stderr has the lines an operator greps for, a
// count for what the rate limit dropped, and no secret.
func TestHeadlessSyncLogsWhatAnOperatorGreps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Four hours of history: orders older than an hour are past ON_HOLD
	// and the buyer-remorse window, so there are plenty to push.
	s, err := sim.Start(ctx, sim.Options{Seed: 12, OrdersPerDay: 1500, Speed: 1, History: 4 * time.Hour,
		TimestampClock: sim.WallClock(), DailyLimit: 500, PerSecond: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	cfg := s.ConfigTOML()
	// flaky: nothing listens there, so every push fails before it is sent.
	flakyEndpoint := regexp.MustCompile(`(name = "flaky"\nkind = "rest"\nendpoint = )"[^"]*"`)
	if !flakyEndpoint.MatchString(cfg) {
		t.Fatalf("sim config has no flaky carrier:\n%s", cfg)
	}
	cfg = flakyEndpoint.ReplaceAllString(cfg, `$1"http://127.0.0.1:`+closedPort(t)+`"`)
	// Light parcels go to swift (which refuses the token), the rest to flaky.
	route := "[[route]]\nwhen = { country = \"US\" }\ncarrier = \"flaky\"\nfallback = [\"swift\", \"steady\"]\n"
	if !strings.Contains(cfg, route) {
		t.Fatalf("sim config routes differently:\n%s", cfg)
	}
	cfg = strings.Replace(cfg, route, "[[route]]\nwhen = { max_weight_g = 500 }\ncarrier = \"swift\"\n\n[[route]]\ncarrier = \"flaky\"\n", 1)
	// A small burst, so the rate limit has something to drop; alerts to a
	// loopback receiver that verifies the signature.
	const alertSecret = "alert-hmac-secret-5c1d"
	var hookMu gosync.Mutex
	var hooks []alert.Message
	badSig := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		defer hookMu.Unlock()
		if r.Header.Get(alert.SignatureHeader) != alert.Sign([]byte(alertSecret), body) {
			badSig++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var m alert.Message
		_ = json.Unmarshal(body, &m)
		hooks = append(hooks, m)
	}))
	defer recv.Close()
	cfg += "\n[log]\nburst = 5\n\n[alerts]\nwebhook_url = \"" + recv.URL + "\"\nwebhook_secret_env = \"SHIPDECK_TEST_ALERT_SECRET\"\n"
	cfgPath := filepath.Join(dir, "shop.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := os.Environ()
	var secrets []string
	for k, v := range s.Env() {
		if strings.Contains(k, "SWIFT") && strings.HasSuffix(k, "TOKEN") {
			v = "wrong-token-for-swift-7f3a" // swift refuses it: 401, dead
		}
		env = append(env, k+"="+v)
		secrets = append(secrets, v)
	}
	cmd := exec.Command(bin, "sync", "--once", "--json", "--rounds", "2", "--config", cfgPath, "--data", filepath.Join(dir, "data"))
	secrets = append(secrets, alertSecret)
	cmd.Env = append(env, "SHIPDECK_TEST_ALERT_SECRET="+alertSecret)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	errText := stderr.String()
	var sum SyncSummary
	if err := json.Unmarshal([]byte(stdout.String()), &sum); err != nil {
		t.Fatalf("sync --once --json: %v (run error %v)\nstdout: %s\nstderr: %s", err, runErr, stdout.String(), errText)
	}

	start := logLines(errText, "INFO", "shipdeck started")
	if len(start) != 1 || start[0]["config"] != cfgPath || start[0]["version"] == "" || start[0]["go"] == "" || start[0]["schema"] != store.SchemaVersion() {
		t.Errorf("start line = %v, want one with version, go, schema and config %s", start, cfgPath)
	}
	if stop := logLines(errText, "INFO", "shipdeck stopped"); len(stop) != 1 {
		t.Errorf("stop lines = %v, want one", stop)
	}
	polls := logLines(errText, "INFO", "poll")
	if len(polls) != 1 || polls[0]["seen"] == "0" || polls[0]["calls"] == "" || polls[0]["next_poll"] == "" {
		t.Errorf("poll lines = %v, want one with seen > 0, calls and next_poll", polls)
	}
	failed := logLines(errText, "WARN", "push failed")
	if len(failed) == 0 {
		t.Fatalf("no push failed line:\n%s", errText)
	}
	for _, f := range failed {
		if f["carrier"] != "flaky" || f["class"] != "retryable" || f["order"] == "" || f["reason"] == "" || !strings.HasPrefix(f["key"], "shipdeck-") {
			t.Errorf("push failed line %v: want carrier flaky, class retryable, order, reason and idempotency key", f)
		}
	}
	if open := logLines(errText, "WARN", "circuit open"); len(open) != 1 || open[0]["carrier"] != "flaky" {
		t.Errorf("circuit open lines = %v, want one for flaky", open)
	}
	dead := logLines(errText, "ERROR", "push dead")
	if len(dead) == 0 {
		t.Fatalf("no push dead line:\n%s", errText)
	}
	for _, d := range dead {
		if d["carrier"] != "swift" || d["class"] != "permanent" || d["http_status"] != "401" || d["reason"] == "" {
			t.Errorf("push dead line %v: want carrier swift, class permanent, HTTP 401 and a reason", d)
		}
	}
	// The rate limit: at most the burst (5) per message, and what it
	// dropped is counted, so lines + dropped = what happened.
	dropped := 0
	for _, d := range logLines(errText, "ERROR", "log lines dropped") {
		if d["message"] == "push dead" {
			fmt.Sscan(d["dropped"], &dropped)
		}
	}
	if len(dead) > 5 || dropped == 0 || len(dead)+dropped != sum.Dead {
		t.Errorf("push dead: %d lines + %d dropped, want at most 5 lines, some dropped, and %d in all (the summary's dead)", len(dead), dropped, sum.Dead)
	}
	// The cycle ends with an alert pass: every dead push fires once, in
	// one signed message.
	hookMu.Lock()
	defer hookMu.Unlock()
	deadAlerts := 0
	for _, m := range hooks {
		for _, a := range m.Fired {
			if a.Rule == alert.RuleDead {
				deadAlerts++
			}
		}
	}
	if len(hooks) != 1 || badSig != 0 || deadAlerts != sum.Dead {
		t.Errorf("alert webhook got %d messages (%d bad signatures) with %d push_dead alerts, want 1 message with %d", len(hooks), badSig, deadAlerts, sum.Dead)
	}
	if fired := logLines(errText, "WARN", "alert fired"); len(fired) == 0 || fired[0]["rule"] != alert.RuleDead {
		t.Errorf("alert fired lines = %v", fired)
	}
	for _, sec := range secrets {
		if len(sec) >= 6 && strings.Contains(errText, sec) {
			t.Errorf("a secret from the environment reached the log")
		}
	}
	if strings.ContainsRune(errText, '\x1b') {
		t.Error("an escape sequence reached the log")
	}
	t.Logf("summary %+v; %d push failed lines, %d push dead lines (+%d dropped)", sum, len(failed), len(dead), dropped)
	// One line of each kind, as an operator's grep shows them.
	shown := map[string]bool{}
	for _, l := range strings.Split(errText, "\n") {
		for _, msg := range []string{`msg="shipdeck started"`, "msg=poll ", `msg="push failed"`, `msg="circuit open"`, `msg="push dead"`,
			`msg="alert fired"`, `msg="log lines dropped"`, `msg="shipdeck stopped"`} {
			if strings.Contains(l, msg) && !shown[msg] {
				shown[msg] = true
				t.Log(l)
			}
		}
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	return freePort(t)
}

// A flood of badly signed webhooks (issue 11: ~4,000 WARN lines a second)
// costs the log the burst and one count; the metrics count every one.
func TestWebhookFloodIsRateLimitedInTheLog(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	a, err := openApp(ctx, flags{Data: data, Speed: 1}, appOptions{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			a.Close()
		}
	}()
	h, err := a.webhookHandler()
	if err != nil {
		t.Fatal(err)
	}
	const flood = 4000
	for i := 0; i < flood; i++ {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"type":1}`))
		req.Header.Set("Authorization", strings.Repeat("0", 64))
		req.RemoteAddr = fmt.Sprintf("203.0.113.%d:4000", i%200)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("bad signature answered %d", rec.Code)
		}
	}
	// An operator action in the same minute is logged all the same.
	if err := a.eng.SetPaused(ctx, store.Actor{Name: "ana", Role: store.RoleOperator}, true); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.ops.metrics.Handler())
	defer srv.Close()
	fams, _ := scrape(t, srv.URL+"/metrics")
	if got, _ := value(fams, "shipdeck_webhooks_total", map[string]string{"outcome": "bad_signature"}); got != flood {
		t.Errorf("shipdeck_webhooks_total{outcome=bad_signature} = %v, want %d", got, flood)
	}
	a.Close() // flushes the limiter's count
	closed = true
	b, err := os.ReadFile(filepath.Join(data, "shipdeck.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	lines := logLines(log, "WARN", "webhook: bad signature")
	if len(lines) != 20 {
		t.Errorf("%d bad-signature lines, want the burst of 20", len(lines))
	}
	drops := logLines(log, "WARN", "log lines dropped")
	if len(drops) != 1 || drops[0]["message"] != "webhook: bad signature" || drops[0]["dropped"] != fmt.Sprint(flood-20) {
		t.Errorf("drop report = %v, want one counting %d bad signatures", drops, flood-20)
	}
	if op := logLines(log, "INFO", "operator action"); len(op) != 1 || op[0]["who"] != "ana" || op[0]["action"] != "pause" {
		t.Errorf("operator action lines = %v, want ana's pause", op)
	}
	fi, _ := os.Stat(filepath.Join(data, "shipdeck.log"))
	if fi.Size() > 64<<10 {
		t.Errorf("the log grew to %d bytes for %d refused webhooks", fi.Size(), flood)
	}
	if len(drops) == 1 {
		t.Logf("%d refused webhooks: %d log lines, a drop count of %s; shipdeck.log %d bytes", flood, len(lines), drops[0]["dropped"], fi.Size())
	}
}
