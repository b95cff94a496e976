package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd"
	"github.com/shipdeck/shipdeck/cmd/shipdeck/sshd/sshtest"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// serveWait bounds every wait in the serve tests. It guards against hangs;
// it is not an expectation about speed.
const serveWait = sshtest.WaitLimit

// servedOperators are the operators every served demo admits.
var servedOperators = []struct{ name, role string }{
	{"vic", "viewer"}, {"olga", "operator"}, {"ada", "admin"},
}

// servedDemo is `shipdeck serve` on the demo simulator, in this process,
// as an operator's ssh client reaches it.
type servedDemo struct {
	t      testing.TB
	a      *app
	addr   string
	hostFP string
	keys   map[string]sshtest.Key
	out    *sshtest.Buffer
}

var (
	serveAddrLine = regexp.MustCompile(`over SSH on (\S+)`)
	serveHostLine = regexp.MustCompile(`host key (\S+)`)
)

// startServedDemo opens the demo app (its clock at speed× real time) in a
// fresh data directory, writes the operators file, lets tune adjust the
// config, and runs serve until the test ends.
func startServedDemo(t testing.TB, speed float64, tune func(*app)) *servedDemo {
	t.Helper()
	return startServedDemoIn(t, t.TempDir(), speed, tune)
}

// startServedDemoIn is startServedDemo on the data directory dir, which may
// already hold a store.
func startServedDemoIn(t testing.TB, dir string, speed float64, tune func(*app)) *servedDemo {
	t.Helper()
	a, err := openApp(context.Background(), flags{Data: dir, Speed: speed}, appOptions{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	d := &servedDemo{t: t, a: a, keys: map[string]sshtest.Key{}, out: &sshtest.Buffer{}}
	for _, o := range servedOperators {
		k := sshtest.NewKey(t, o.name+"@test")
		if err := sshd.Add(a.operatorsPath(), o.name, o.role, k.Line); err != nil {
			t.Fatal(err)
		}
		d.keys[o.name] = k
	}
	a.cfg.SSH.Listen = "127.0.0.1:0"
	if tune != nil {
		tune(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := &runEnv{in: strings.NewReader(""), out: d.out, err: d.out}
	go func() { done <- serve(ctx, env, a) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after its context ended", err)
			}
		case <-time.After(serveWait):
			t.Errorf("serve did not stop within %s of its context ending", serveWait)
		}
	})
	deadline := time.Now().Add(serveWait)
	for {
		s := d.out.String()
		addr, host := serveAddrLine.FindStringSubmatch(s), serveHostLine.FindStringSubmatch(s)
		if addr != nil && host != nil {
			d.addr, d.hostFP = addr[1], host[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped before listening: %v\n%s", err, s)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never said where it listens:\n%s", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return d
}

// dial connects as the named operator, pinning the host key serve printed.
func (d *servedDemo) dial(name string) *gossh.Client {
	d.t.Helper()
	return sshtest.MustDial(d.t, d.addr, d.hostFP, name, d.keys[name])
}

// heldChip matches the queues pane's "held N" chip exactly (not held N0).
func heldChip(n int64) func(string) bool {
	re := regexp.MustCompile(fmt.Sprintf(`(^|\s)held %d(\s|$)`, n))
	return func(s string) bool { return re.MatchString(s) }
}

// waitCounts polls the store until ok holds for its counts.
func (d *servedDemo) waitCounts(what string, ok func(store.Counts) bool) store.Counts {
	d.t.Helper()
	deadline := time.Now().Add(serveWait + 10*time.Second)
	for {
		c, err := d.a.st.Counts(context.Background())
		if err != nil {
			d.t.Fatal(err)
		}
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the demo never reached: %s (counts %v)", what, c.ByState)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitQuiet waits until the store's counts stop moving (after a pause,
// in-flight calls finish).
func (d *servedDemo) waitQuiet() {
	d.t.Helper()
	var last store.Counts
	stableSince := time.Now()
	d.waitCounts("counts stable for 500ms", func(c store.Counts) bool {
		if !maps.Equal(c.ByState, last.ByState) {
			last, stableSince = c, time.Now()
			return false
		}
		return time.Since(stableSince) >= 500*time.Millisecond
	})
}

// pick returns an order in one of the states, skipping used ids.
func (d *servedDemo) pick(used map[string]bool, states ...store.State) string {
	d.t.Helper()
	return d.pickAt(used, "", states...)
}

// pickAt returns an order routed to carrierName ("" for any) in one of the
// states, skipping used ids.
func (d *servedDemo) pickAt(used map[string]bool, carrierName string, states ...store.State) string {
	d.t.Helper()
	for _, st := range states {
		orders, err := d.a.st.Queue(context.Background(), st, 0, 200)
		if err != nil {
			d.t.Fatal(err)
		}
		for _, o := range orders {
			if (carrierName == "" || o.Carrier() == carrierName) && !used[o.ID] {
				used[o.ID] = true
				return o.ID
			}
		}
	}
	c, _ := d.a.st.Counts(context.Background())
	d.t.Fatalf("no unused order at %q in %v (counts %v)", carrierName, states, c.ByState)
	return ""
}

// auditEntries reads the whole audit trail through the store.
func (d *servedDemo) auditEntries() []store.AuditEntry {
	d.t.Helper()
	es, err := d.a.st.Audit(context.Background(), 1<<20)
	if err != nil {
		d.t.Fatal(err)
	}
	return es
}

func TestServeRolesAndExitCodesOverSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo over SSH; skipped in -short mode")
	}
	// No dice: the simulated carriers fail only where this test says, so
	// every run takes the same path. Every push to the flaky carrier is
	// rate limited, so its orders end dead after their last attempt, and
	// a re-route must check them there with a lookup.
	d := startServedDemo(t, 60, func(a *app) {
		a.sim.SetCarrierFaults(0)
		if err := a.sim.InjectCarrierFault("flaky", sim.Fault{Kind: sim.FaultRateLimited, Endpoint: "create", Count: 1 << 20}); err != nil {
			t.Fatal(err)
		}
	})
	clients := map[string]*gossh.Client{}
	for _, o := range servedOperators {
		clients[o.name] = d.dial(o.name)
	}
	// Dead orders stay dead until an operator acts, so the steps below find
	// them whenever the worker is paused.
	// Six are used below: a retry and two re-routes for each of olga and
	// ada. (More go dead as the open circuit lets probes through.)
	d.waitCounts("six dead orders", func(c store.Counts) bool {
		return c.ByState[store.StateDead] >= 6
	})

	used := map[string]bool{}
	// ids remembers the order each role's hold/reroute/resolve used, for
	// the follow-ups that depend on it.
	ids := map[string]string{}
	type step struct {
		who, cmd string
		// order picks the order the command names (the command has one %s).
		order func(who string) string
		code  int
		// audit is the action the step must leave in the trail (with the
		// order, if any); "" means none.
		audit string
		// stdout must contain this, when set.
		stdout string
		// then runs after the step's checks.
		then func()
	}
	anyOrder := func(string) string {
		return d.pick(map[string]bool{}, store.StateFailed, store.StateDead, store.StateNew, store.StateReady)
	}
	fresh := func(key string, states ...store.State) func(string) string {
		return func(who string) string {
			id := d.pick(used, states...)
			ids[who+"/"+key] = id
			return id
		}
	}
	again := func(key string) func(string) string {
		return func(who string) string { return ids[who+"/"+key] }
	}
	failedish := []store.State{store.StateFailed, store.StateDead}
	limitedBefore := 0
	parked := []store.State{store.StateNew, store.StateReady, store.StateQueued}

	steps := []step{
		// The admin pauses the worker first, so order states only change
		// by these commands.
		{who: "ada", cmd: "pause", code: exitOK, audit: "pause", stdout: "worker paused", then: d.waitQuiet},
	}
	for _, o := range servedOperators {
		who := o.name
		steps = append(steps,
			step{who: who, cmd: "orders --json", code: exitOK, stdout: "["},
			step{who: who, cmd: "orders --state new", code: exitOK, stdout: "ORDER"},
			step{who: who, cmd: "quota --json", code: exitOK, stdout: `"limit"`},
			step{who: who, cmd: "audit --json", code: exitOK, stdout: "["},
		)
		if o.role == "viewer" {
			for _, c := range []string{"retry %s", "reroute %s --carrier swift", "hold %s", "release %s", "resolve %s --reason x"} {
				steps = append(steps, step{who: who, cmd: c, order: anyOrder, code: exitForbidden})
			}
			steps = append(steps,
				step{who: who, cmd: "export failed", code: exitForbidden},
				step{who: who, cmd: "pause", code: exitForbidden},
				step{who: who, cmd: "resume", code: exitForbidden},
				step{who: who, cmd: "reload", code: exitForbidden},
			)
			continue
		}
		steps = append(steps,
			step{who: who, cmd: "export failed", code: exitOK, stdout: "order_id,state"},
			step{who: who, cmd: "retry %s", order: fresh("retry", failedish...), code: exitOK, audit: "retry"},
			// Retried, it is queued again: a second retry does not apply.
			step{who: who, cmd: "retry %s", order: again("retry"), code: exitRefused},
			// The flaky 3PL answers the re-route's lookup with a 429 and
			// Retry-After: 1; the re-route waits it out and goes ahead.
			step{who: who, cmd: "reroute %s --carrier swift", order: func(who string) string {
				id := d.pickAt(used, "flaky", failedish...)
				ids[who+"/reroute-429"] = id
				limitedBefore = d.a.sim.Counters().Carriers["flaky"].RateLimited
				if err := d.a.sim.InjectCarrierFault("flaky", sim.Fault{Kind: sim.FaultRateLimited, Endpoint: "lookup"}); err != nil {
					t.Fatal(err)
				}
				return id
			}, code: exitOK, audit: "reroute", then: func() {
				if n := d.a.sim.Counters().Carriers["flaky"].RateLimited - limitedBefore; n != 1 {
					t.Errorf("the flaky 3PL rate limited %d calls during the re-route, want its one lookup", n)
				}
			}},
			step{who: who, cmd: "reroute %s --carrier swift", order: fresh("reroute", slices.Concat(failedish, parked)...), code: exitOK, audit: "reroute"},
			step{who: who, cmd: "reroute %s --carrier swift", order: again("reroute"), code: exitRefused},
			step{who: who, cmd: "reroute %s --carrier nosuch", order: fresh("reroute-bad", parked...), code: exitRefused},
			step{who: who, cmd: "hold %s", order: fresh("hold", parked...), code: exitOK, audit: "hold"},
			step{who: who, cmd: "hold %s", order: again("hold"), code: exitRefused},
			step{who: who, cmd: "release %s", order: again("hold"), code: exitOK, audit: "release"},
			step{who: who, cmd: "release %s", order: again("hold"), code: exitRefused},
			step{who: who, cmd: "resolve %s --reason x", order: fresh("resolve", parked...), code: exitOK, audit: "resolve"},
			// Resolved means shipped: neither resolve nor hold applies now.
			step{who: who, cmd: "resolve %s --reason x", order: again("resolve"), code: exitRefused},
			step{who: who, cmd: "hold %s", order: again("resolve"), code: exitRefused},
		)
	}
	steps = append(steps,
		step{who: "olga", cmd: "reload", code: exitForbidden},
		step{who: "ada", cmd: "reload", code: exitOK, stdout: "operators reloaded"},
		step{who: "olga", cmd: "pause", code: exitOK, audit: "pause", stdout: "worker paused"},
		step{who: "olga", cmd: "resume", code: exitOK, audit: "resume", stdout: "worker resumed"},
		step{who: "ada", cmd: "resume", code: exitOK, audit: "resume", stdout: "worker resumed"},
	)

	for i, s := range steps {
		cmd := s.cmd
		id := ""
		if s.order != nil {
			id = s.order(s.who)
			cmd = fmt.Sprintf(s.cmd, id)
		}
		before := d.auditEntries()
		out, errOut, code := sshtest.Run(t, clients[s.who], cmd)
		if code != s.code {
			t.Errorf("%s: %s → exit %d, want %d (stderr %q)", s.who, cmd, code, s.code, errOut)
		}
		if s.stdout != "" && !strings.Contains(out, s.stdout) {
			t.Errorf("%s: %s: stdout lacks %q:\n%s", s.who, cmd, s.stdout, out)
		}
		if s.code == exitForbidden && !strings.Contains(errOut, "not allowed for this role") {
			t.Errorf("%s: %s: the refusal does not say why: %q", s.who, cmd, errOut)
		}
		after := d.auditEntries()
		added := len(after) - len(before)
		switch {
		case s.audit == "" && added != 0:
			t.Errorf("%s: %s (exit %d) left %d audit entries: %+v", s.who, cmd, code, added, after[0])
		case s.audit != "" && added != 1:
			t.Errorf("%s: %s left %d audit entries, want 1", s.who, cmd, added)
		case s.audit != "":
			e := after[0] // newest first
			if e.Who != s.who || e.Action != s.audit || e.OrderID != id {
				t.Errorf("step %d %s: %s: audit entry %+v, want who=%s action=%s order=%q", i, s.who, cmd, e, s.who, s.audit, id)
			}
		}
		if s.then != nil {
			s.then()
		}
	}

	// The audit command shows the same trail to every role.
	out, _, code := sshtest.Run(t, clients["vic"], "audit --json --last 1000")
	if code != exitOK {
		t.Fatalf("audit --json: exit %d", code)
	}
	var trail []store.AuditEntry
	if err := json.Unmarshal([]byte(out), &trail); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	if want := len(d.auditEntries()); len(trail) != want {
		t.Errorf("audit --json lists %d entries, the store has %d", len(trail), want)
	}
	for _, e := range trail {
		if e.Who == "vic" {
			t.Errorf("the viewer left an audit entry: %+v", e)
		}
	}
}

func TestServeTwoConsolesSeeTheSameLiveChange(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo over SSH; skipped in -short mode")
	}
	d := startServedDemo(t, 60, nil)
	olga, vic := d.dial("olga"), d.dial("vic")
	opTerm := sshtest.OpenTerm(t, olga, 120, 40, true)
	viewTerm := sshtest.OpenTerm(t, vic, 120, 40, true)
	opTerm.WaitFor(t, "DEMO", "olga (operator)", "held 0")
	viewTerm.WaitFor(t, "DEMO", "vic (viewer)", "held 0")

	// An order the worker leaves alone while unpaid or not yet routed.
	d.waitCounts("an order waiting to be routed", func(c store.Counts) bool {
		return c.ByState[store.StateNew]+c.ByState[store.StateReady] > 0
	})
	seenOp, seenView := opTerm.Watch(heldChip(1)), viewTerm.Watch(heldChip(1))
	var done time.Time
	used := map[string]bool{}
	for attempt := 0; ; attempt++ {
		id := d.pick(used, store.StateNew, store.StateReady, store.StateQueued)
		_, errOut, code := sshtest.Run(t, olga, "hold "+id)
		done = time.Now()
		if code == exitOK {
			break
		}
		// The worker may have moved the order in flight meanwhile.
		if code != exitRefused || attempt > 5 {
			t.Fatalf("hold %s: exit %d %s", id, code, errOut)
		}
	}
	for _, s := range []struct {
		name string
		seen <-chan time.Time
		term *sshtest.Term
	}{{"olga (operator)", seenOp, opTerm}, {"vic (viewer)", seenView, viewTerm}} {
		select {
		case at := <-s.seen:
			t.Logf("%s's screen showed held 1 %s after the hold command returned", s.name, at.Sub(done).Round(time.Millisecond))
		case <-time.After(10 * time.Second):
			t.Fatalf("%s's screen never showed held 1:\n%s", s.name, s.term.Screen())
		}
	}
}

func TestServeSessionCapHoldsWithTheRealHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo over SSH; skipped in -short mode")
	}
	d := startServedDemo(t, 60, func(a *app) { a.cfg.SSH.MaxSessions = 2 })
	olga, vic, ada := d.dial("olga"), d.dial("vic"), d.dial("ada")
	first := sshtest.OpenTerm(t, olga, 100, 30, true)
	second := sshtest.OpenTerm(t, vic, 100, 30, true)
	first.WaitFor(t, "olga (operator)")
	second.WaitFor(t, "vic (viewer)")

	_, errOut, code := sshtest.Run(t, ada, "quota")
	if code != exitError || !strings.Contains(errOut, "limit of 2 sessions") {
		t.Fatalf("third session: exit %d stderr %q, want the cap's refusal", code, errOut)
	}
	sess, err := ada.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	// Refusals go to the terminal (stdout) on a PTY and to stderr otherwise.
	var refusedOut, refusedErr bytes.Buffer
	sess.Stdout, sess.Stderr = &refusedOut, &refusedErr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	if said := refusedOut.String() + refusedErr.String(); err == nil || !strings.Contains(said, "limit of 2 sessions") {
		t.Fatalf("third console: %v, %q; want the cap's refusal", err, said)
	}

	// q quits the first console; its slot frees up.
	first.Type(t, "q")
	if code := first.Wait(t); code != exitOK {
		t.Fatalf("q ended the console with exit status %d, want %d:\n%s", code, exitOK, first.Screen())
	}
	deadline := time.Now().Add(serveWait)
	for {
		out, errOut, code := sshtest.Run(t, ada, "quota")
		if code == exitOK && strings.Contains(out, "remaining") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a console closed: exit %d stderr %q", code, errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeConsoleExportWritesUnderTheDataDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo over SSH; skipped in -short mode")
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	strays := func() []string {
		m, _ := filepath.Glob(filepath.Join(cwd, "shipdeck-*.csv"))
		return m
	}
	before := strays()
	t.Cleanup(func() { // a failing run must not leave files in the source tree
		for _, f := range strays() {
			if !slices.Contains(before, f) {
				_ = os.Remove(f)
			}
		}
	})
	d := startServedDemo(t, 60, nil)
	term := sshtest.OpenTerm(t, d.dial("olga"), 140, 40, true)
	term.WaitFor(t, "olga (operator)")
	term.Type(t, ":export all\r")
	term.WaitFor(t, "exported")
	want := filepath.Join(d.a.dataDir, "exports")
	m := regexp.MustCompile(`exported \d+ all orders to (\S+\.csv)`).FindStringSubmatch(strings.Join(strings.Fields(term.Screen()), " "))
	if m == nil {
		t.Fatalf("the toast does not name the file:\n%s", term.Screen())
	}
	if filepath.Dir(m[1]) != want {
		t.Errorf("the export went to %s, want a file in %s", m[1], want)
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Errorf("the named export: %v", err)
	}
	if extra := len(strays()) - len(before); extra != 0 {
		t.Errorf("the export left %d files in serve's working directory %s", extra, cwd)
	}
}
