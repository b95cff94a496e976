package alert

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// snapshots stands in for the engine's snapshot (worker, quota, circuits).
type snapshots struct {
	mu   gosync.Mutex
	snap store.Snapshot
}

func (s *snapshots) Snapshot() store.Snapshot { s.mu.Lock(); defer s.mu.Unlock(); return s.snap }
func (s *snapshots) set(fn func(*store.Snapshot)) {
	s.mu.Lock()
	fn(&s.snap)
	s.mu.Unlock()
}

// receiver is a loopback webhook endpoint that verifies the signature and
// records each accepted delivery; it refuses the first refuse requests.
type receiver struct {
	t      *testing.T
	secret []byte
	mu     gosync.Mutex
	got    []Message
	ids    []string
	refuse int
	bad    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Header.Get(SignatureHeader) != Sign(r.secret, body) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.refuse > 0 {
		r.refuse--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Errorf("webhook body is not a message: %v: %s", err, body)
	}
	r.got = append(r.got, m)
	r.ids = append(r.ids, req.Header.Get("X-Shipdeck-Delivery"))
}

func (r *receiver) messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.got...)
}

// smtpServer is a minimal loopback SMTP server recording each message.
type smtpServer struct {
	ln   net.Listener
	mu   gosync.Mutex
	msgs []string
	rcpt [][]string
	wg   gosync.WaitGroup
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(c)
	say := func(l string) { _, _ = io.WriteString(c, l+"\r\n") }
	say("220 test ESMTP")
	var to []string
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			to = nil
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = append(to, strings.TrimSpace(line[len("RCPT TO:"):]))
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.rcpt = append(s.rcpt, to)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

type rig struct {
	free atomic.Uint64
	t    *testing.T
	dir  string
	st   *store.Store
	clk  *fakeClock
	snap *snapshots
	hook *receiver
	mail *smtpServer
	url  string
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, dir: t.TempDir(), clk: &fakeClock{t: t0}, snap: &snapshots{}}
	r.free.Store(10 << 30)
	r.hook = &receiver{t: t, secret: []byte("s3cret-hmac-key")}
	srv := httptest.NewServer(r.hook)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	r.mail = startSMTP(t)
	r.open()
	return r
}

// open (re)opens the store, as a restart does.
func (r *rig) open() {
	if r.st != nil {
		_ = r.st.Close()
	}
	st, err := store.Open(r.dir, store.Options{GCInterval: -1, Now: r.clk.now, DiskCheckEvery: time.Millisecond,
		FreeSpace: func(string) (uint64, error) { return r.free.Load(), nil }})
	if err != nil {
		r.t.Fatal(err)
	}
	r.st = st
	r.t.Cleanup(func() { _ = st.Close() })
}

// setFree sets the free space the store reads and waits for a reading.
func (r *rig) setFree(n uint64) {
	r.free.Store(n)
	deadline := time.Now().Add(5 * time.Second)
	for r.st.DiskSpace().Free != n {
		if time.Now().After(deadline) {
			r.t.Fatalf("the store never read %d bytes free", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *rig) monitor(tune func(*Config)) *Monitor {
	cfg := Config{Shop: "Nebula Books", Now: r.clk.now, DiskFreeMB: -1, SummaryHour: -1,
		Channels: []Channel{
			&Webhook{URL: r.url, Secret: r.hook.secret},
			&Email{Addr: r.mail.ln.Addr().String(), From: "shipdeck@example.com", To: []string{"ops@example.com"}},
		}}
	if tune != nil {
		tune(&cfg)
	}
	return New(r.st, r.snap, cfg)
}

func (r *rig) put(orders ...store.Order) {
	r.t.Helper()
	err := r.st.Update(context.Background(), func(tx *store.Tx) error {
		for _, o := range orders {
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) pass(m *Monitor) (fired, resolved, sent int) {
	r.t.Helper()
	ctx := context.Background()
	f, res, err := m.Evaluate(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	s, err := m.Deliver(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return f, res, s
}

func order(id string, st store.State, shipBy time.Time) store.Order {
	return store.Order{ID: id, State: st, Status: store.StatusAwaitingShipment, CreateTime: shipBy.Add(-48 * time.Hour),
		RTSSLATime: shipBy, Reason: "carrier swift push: permanent (HTTP 422): address line 1 is required"}
}

// One delivery per fire and per resolve, on the signed webhook and on
// email, across restarts; a refused delivery is retried with backoff.
func TestAlertFiresOnceAndResolvesOnceAcrossRestarts(t *testing.T) {
	r := newRig(t)
	r.hook.refuse = 1 // the receiver is down for the first try
	r.put(order("ORD-DEAD-1", store.StateDead, t0.Add(48*time.Hour)))

	m := r.monitor(nil)
	if f, _, sent := r.pass(m); f != 1 || sent != 1 {
		t.Fatalf("first pass: fired %d, sent %d; want 1 fired, sent by email only (webhook refused once)", f, sent)
	}
	if n := len(r.hook.messages()); n != 0 {
		t.Fatalf("webhook accepted %d deliveries while refusing", n)
	}
	// Not due yet: nothing re-sent in the same instant.
	if _, _, sent := r.pass(m); sent != 0 {
		t.Fatalf("retry before its backoff: sent %d", sent)
	}
	r.clk.add(10 * time.Minute)
	if _, _, sent := r.pass(m); sent != 1 {
		t.Fatalf("retry after backoff: sent %d, want 1", sent)
	}

	// Restart: the stored alert is not fired again.
	r.open()
	m = r.monitor(nil)
	if f, res, sent := r.pass(m); f != 0 || res != 0 || sent != 0 {
		t.Fatalf("after restart: fired %d, resolved %d, sent %d; want nothing", f, res, sent)
	}

	// An operator resolves the order: the alert resolves, once.
	o := order("ORD-DEAD-1", store.StateShipped, t0.Add(48*time.Hour))
	o.Reason = ""
	r.put(o)
	if _, res, sent := r.pass(m); res != 1 || sent != 2 {
		t.Fatalf("resolve pass: resolved %d, sent %d; want 1 and 2 (webhook, email)", res, sent)
	}
	r.open()
	m = r.monitor(nil)
	if f, res, sent := r.pass(m); f+res+sent != 0 {
		t.Fatalf("after second restart: fired %d, resolved %d, sent %d", f, res, sent)
	}

	hook := r.hook.messages()
	if len(hook) != 2 || len(hook[0].Fired) != 1 || len(hook[1].Resolved) != 1 {
		t.Fatalf("webhook deliveries = %+v, want one fire then one resolve", hook)
	}
	a := hook[0].Fired[0]
	if a.Rule != RuleDead || a.Subject != "ORD-DEAD-1" || a.Severity != Critical || !strings.Contains(a.Summary, "address line 1 is required") {
		t.Fatalf("fired alert = %+v", a)
	}
	if hook[1].Resolved[0].ResolvedAt.IsZero() || hook[0].Shop != "Nebula Books" {
		t.Fatalf("resolve carries no time or shop: %+v", hook[1])
	}
	if r.hook.bad != 0 {
		t.Fatalf("%d deliveries failed signature verification", r.hook.bad)
	}
	mail := r.mail.messages()
	if len(mail) != 2 || !strings.Contains(mail[0], "Subject: shipdeck Nebula Books: 1 firing") ||
		!strings.Contains(mail[1], "Subject: shipdeck Nebula Books: 1 resolved") || !strings.Contains(mail[0], "ORD-DEAD-1") {
		t.Fatalf("emails = %q", mail)
	}
	if n, err := r.st.Notices(context.Background(), 0); err != nil || len(n) != 0 {
		t.Fatalf("notices left queued: %v, %v", n, err)
	}
	// The console's activity log has the fire and the resolve, once each.
	log, err := r.st.Activity(context.Background(), 0, 100, func(a *store.Activity) bool { return a.Kind == store.ActivityAlert })
	if err != nil || len(log) != 2 || !strings.HasPrefix(log[0].Text, "alert resolved: ") ||
		!strings.HasPrefix(log[1].Text, "alert fired: ") || log[1].Level != "error" {
		t.Fatalf("activity log = %+v, %v; want one fire and one resolve", log, err)
	}
	b, _ := json.MarshalIndent(hook[0], "", "  ")
	t.Logf("webhook payload:\n%s", b)
}

// A burst of transitions in one pass goes out as one message per channel.
func TestAlertBurstIsGroupedIntoOneMessage(t *testing.T) {
	r := newRig(t)
	var orders []store.Order
	for i := 0; i < 30; i++ {
		orders = append(orders, order("ORD-"+string(rune('A'+i%26))+string(rune('a'+i/26)), store.StateDead, t0.Add(72*time.Hour)))
	}
	r.put(orders...)
	m := r.monitor(nil)
	if f, _, sent := r.pass(m); f != 30 || sent != 2 {
		t.Fatalf("fired %d, sent %d; want 30 alerts in 2 messages", f, sent)
	}
	hook := r.hook.messages()
	if len(hook) != 1 || len(hook[0].Fired) != 30 {
		t.Fatalf("webhook got %d messages", len(hook))
	}
	mail := r.mail.messages()
	if len(mail) != 1 || !strings.Contains(mail[0], "... and 10 more") {
		t.Fatalf("email does not list 20 and count the rest: %q", mail)
	}
	// The console's activity log (its alerts list) shows 20 and a count.
	acts, err := r.st.Activity(context.Background(), 0, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	more := false
	for _, a := range acts {
		if a.Kind == store.ActivityAlert {
			alerts++
			more = more || strings.Contains(a.Text, "and 10 more alert changes")
			if strings.HasPrefix(a.Text, "alert fired: push of order") && (a.Level != "error" || a.OrderID == "") {
				t.Errorf("activity entry %+v: want level error and the order", a)
			}
		}
	}
	if alerts != 21 || !more {
		t.Fatalf("activity log has %d alert entries (count line %v), want 20 and one counting 10 more", alerts, more)
	}
}

func TestAlertRules(t *testing.T) {
	cases := []struct {
		name  string
		setup func(r *rig, m *Monitor)
		// after is how long passes before the second pass.
		after     time.Duration
		wantFirst []string
		wantAfter []string
	}{
		{
			name: "order at risk and late",
			setup: func(r *rig, m *Monitor) {
				r.put(order("RISK", store.StateQueued, t0.Add(3*time.Hour)), order("SAFE", store.StateQueued, t0.Add(30*time.Hour)),
					order("LATE", store.StateTracking, t0.Add(-time.Hour)), order("PUSHED", store.StatePushed, t0.Add(2*time.Hour)))
			},
			after:     4 * time.Hour,
			wantFirst: []string{"order_at_risk/RISK", "order_late/LATE"},
			wantAfter: []string{"order_late/LATE", "order_late/PUSHED", "order_late/RISK"},
		},
		{
			name: "circuit open longer than the threshold",
			setup: func(r *rig, m *Monitor) {
				r.snap.set(func(s *store.Snapshot) {
					s.Carriers = []store.CarrierStats{{Name: "swift", Circuit: store.CircuitOpen}, {Name: "steady", Circuit: store.CircuitClosed}}
				})
			},
			after:     16 * time.Minute,
			wantFirst: nil,
			wantAfter: []string{"circuit_open/swift"},
		},
		{
			name: "worker degraded longer than the threshold",
			setup: func(r *rig, m *Monitor) {
				r.snap.set(func(s *store.Snapshot) {
					s.Worker = store.WorkerStatus{State: store.WorkerDegraded, Reason: "disk almost full: 40 MB free on /var/lib/shipdeck"}
				})
			},
			after:     11 * time.Minute,
			wantFirst: nil,
			wantAfter: []string{"worker_degraded"},
		},
		{
			name: "quota projected to run out before the reset",
			setup: func(r *rig, m *Monitor) {
				r.snap.set(func(s *store.Snapshot) {
					s.Quota = store.QuotaStatus{Day: "2026-12-03", Limit: 500, Used: 450, ExhaustAt: t0.Add(2 * time.Hour), ResetAt: t0.Add(14 * time.Hour)}
				})
			},
			wantFirst: []string{"quota_exhaustion/2026-12-03"},
			wantAfter: []string{"quota_exhaustion/2026-12-03"},
		},
		{
			name:      "authorization expiring, then revoked",
			setup:     func(r *rig, m *Monitor) { m.SetAuthorization(t0.Add(36 * time.Hour)) },
			wantFirst: []string{"tiktok_auth_expiring"},
			after:     time.Minute,
			wantAfter: []string{"tiktok_auth_revoked"},
		},
		{
			name: "TikTok's authorization webhooks, recorded on the shop",
			setup: func(r *rig, m *Monitor) {
				if err := r.st.Update(context.Background(), func(tx *store.Tx) error {
					return tx.SetShop(store.Shop{ID: "s1", AuthExpiresAt: t0.Add(48 * time.Hour)})
				}); err != nil {
					r.t.Fatal(err)
				}
			},
			after:     time.Minute,
			wantFirst: []string{"tiktok_auth_expiring"},
			wantAfter: []string{"tiktok_auth_revoked"},
		},
		{
			name: "disk almost full, then space freed",
			setup: func(r *rig, m *Monitor) {
				m.cfg.DiskFreeMB = 256
				r.setFree(100 << 20)
			},
			after:     time.Minute,
			wantFirst: []string{"disk_almost_full"},
			wantAfter: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			m := r.monitor(func(c *Config) { c.Channels = nil })
			tc.setup(r, m)
			ctx := context.Background()
			keys := func() []string {
				if _, _, err := m.Evaluate(ctx); err != nil {
					t.Fatal(err)
				}
				as, err := r.st.Alerts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, a := range as {
					out = append(out, a.Key)
				}
				return out
			}
			if got := keys(); strings.Join(got, ",") != strings.Join(tc.wantFirst, ",") {
				t.Fatalf("first pass: %v, want %v", got, tc.wantFirst)
			}
			r.clk.add(tc.after)
			r.setFree(10 << 30)
			if strings.HasPrefix(tc.name, "TikTok's authorization") {
				if err := r.st.Update(ctx, func(tx *store.Tx) error {
					return tx.SetShop(store.Shop{ID: "s1", DeauthorizedAt: r.clk.now(), DeauthMessage: "seller removed the app"})
				}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.name == "authorization expiring, then revoked" {
				m.Observe(shipsync.Event{Kind: shipsync.EventPoll, Err: &tiktok.APIError{Class: tiktok.ClassTokenExpired, Message: "access token expired"}})
			}
			if got := keys(); strings.Join(got, ",") != strings.Join(tc.wantAfter, ",") {
				t.Fatalf("after %s: %v, want %v", tc.after, got, tc.wantAfter)
			}
		})
	}
}

// A receiver that refuses the request itself (4xx) is not retried forever.
func TestAlertRefusedForGoodIsDropped(t *testing.T) {
	r := newRig(t)
	r.put(order("ORD-1", store.StateDead, t0.Add(48*time.Hour)))
	m := r.monitor(func(c *Config) {
		c.Channels = []Channel{&Webhook{URL: r.url, Secret: []byte("wrong secret")}}
	})
	if f, _, sent := r.pass(m); f != 1 || sent != 0 {
		t.Fatalf("fired %d sent %d", f, sent)
	}
	n, err := r.st.Notices(context.Background(), 0)
	if err != nil || len(n) != 0 {
		t.Fatalf("a notice refused with 401 stays queued: %v %v", n, err)
	}
	if r.hook.bad != 1 {
		t.Fatalf("receiver saw %d bad signatures, want 1", r.hook.bad)
	}
}

func TestPermanentErrorUnwraps(t *testing.T) {
	err := &PermanentError{Err: io.EOF}
	if !errors.Is(err, io.EOF) {
		t.Fatal("PermanentError hides its cause")
	}
}

// The daily summary goes out once a day at the configured hour, also
// across a restart.
func TestDailySummaryOncePerDay(t *testing.T) {
	r := newRig(t)
	r.clk.t = time.Date(2026, 12, 3, 7, 30, 0, 0, time.UTC)
	r.put(order("ORD-D", store.StateDead, r.clk.t.Add(48*time.Hour)))
	m := r.monitor(func(c *Config) { c.SummaryHour = 8 })
	m.Observe(shipsync.Event{Kind: shipsync.EventDetected})
	m.Observe(shipsync.Event{Kind: shipsync.EventPush, Outcome: "pushed"})
	m.Observe(shipsync.Event{Kind: shipsync.EventWriteBack, Outcome: "shipped"})
	ctx := context.Background()
	summaries := func() int {
		n := 0
		for _, msg := range r.hook.messages() {
			if msg.Summary != "" {
				n++
			}
		}
		return n
	}
	if err := m.summary(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if summaries() != 0 {
		t.Fatal("summary sent before its hour")
	}
	r.clk.add(time.Hour) // 08:30
	for i := 0; i < 2; i++ {
		if err := m.summary(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.open()
	m = r.monitor(func(c *Config) { c.SummaryHour = 8 })
	if err := m.summary(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if n := summaries(); n != 1 {
		t.Fatalf("%d summaries on one day, want 1", n)
	}
	var text string
	for _, msg := range r.hook.messages() {
		text += msg.Summary
	}
	for _, want := range []string{"orders in 1, pushed 1, shipped 1", "dead 1", "TikTok quota"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary %q lacks %q", text, want)
		}
	}
	if mail := r.mail.messages(); len(mail) != 1 || !strings.Contains(mail[0], "Subject: shipdeck Nebula Books: daily summary") {
		t.Fatalf("summary emails = %q", mail)
	}
	r.clk.add(24 * time.Hour)
	if err := m.summary(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if n := summaries(); n != 2 {
		t.Fatalf("next day: %d summaries, want 2", n)
	}
}
