package sync_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/route"
)

// netFault is a way the network between shipdeck and its peers (TikTok
// and the 3PLs) misbehaves.
type netFault string

// Network faults the proxy injects. All but dropRequest let the request
// reach the simulator first, so the peer acts and only the reply is lost:
// the case shipdeck must resolve without sending twice.
const (
	faultLatency      netFault = "latency"       // every exchange is delayed
	faultDropRequest  netFault = "drop_request"  // connection closed before the request is forwarded
	faultDropResponse netFault = "drop_response" // reply cut mid-body, connection closed
	faultTruncate     netFault = "truncate"      // reply body cut short but well framed
	faultGarbage      netFault = "garbage"       // reply replaced by a 200 of binary garbage
	faultStall        netFault = "stall"         // reply held until the client gives up
)

// faultProxy is a loopback HTTP proxy in front of the simulator. While a
// fault is set it applies it to a seeded fraction of exchanges (every
// exchange for latency).
type faultProxy struct {
	srv      *httptest.Server
	upstream string
	client   *http.Client
	done     chan struct{}

	mu    gosync.Mutex
	rnd   *rand.Rand
	fault netFault
	// rate is the fraction of 3PL exchanges faulted, tiktokRate that of
	// TikTok exchanges (fewer, so they may need a higher rate to be hit).
	rate, tiktokRate float64
	hits             map[netFault]int
	// atCarriers counts faults on 3PL exchanges, the rest went to TikTok.
	atCarriers int
}

// maxStall bounds how long a stalled reply is held if the client never
// gives up; it is well above every client timeout in these tests.
const maxStall = 5 * time.Second

func newFaultProxy(t *testing.T, upstream string, seed uint64) *faultProxy {
	t.Helper()
	p := &faultProxy{
		upstream: strings.TrimRight(upstream, "/"),
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}},
		done:     make(chan struct{}),
		rnd:      rand.New(rand.NewPCG(seed, seed^0x5bd1e995)),
		hits:     map[netFault]int{},
	}
	p.srv = httptest.NewServer(p)
	t.Cleanup(func() {
		close(p.done)
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.client.CloseIdleConnections()
	})
	return p
}

// URL is the proxy's base URL, standing in for the simulator's.
func (p *faultProxy) URL() string { return p.srv.URL }

// set applies fault to a fraction of the 3PL and TikTok exchanges from
// now on; "" lifts it.
func (p *faultProxy) set(fault netFault, rate, tiktokRate float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.rate, p.tiktokRate = fault, rate, tiktokRate
}

// applied is how many exchanges got fault.
func (p *faultProxy) applied(fault netFault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[fault]
}

// split is how many faulted exchanges went to the 3PLs and to TikTok.
func (p *faultProxy) split() (carriers, tiktok int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	total := 0
	for _, n := range p.hits {
		total += n
	}
	return p.atCarriers, total - p.atCarriers
}

// pick decides this exchange's fault and, for latency, its delay.
func (p *faultProxy) pick(path string) (netFault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fault == "" {
		return "", 0
	}
	toCarrier := strings.HasPrefix(path, "/carriers/")
	rate := p.tiktokRate
	if toCarrier {
		rate = p.rate
	}
	if p.rnd.Float64() >= rate {
		return "", 0
	}
	p.hits[p.fault]++
	if toCarrier {
		p.atCarriers++
	}
	if p.fault == faultLatency {
		return faultLatency, time.Duration(1+p.rnd.IntN(4)) * time.Millisecond
	}
	return p.fault, 0
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault, delay := p.pick(r.URL.Path)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if fault == faultDropRequest {
		panic(http.ErrAbortHandler) // the simulator never sees it
	}
	if delay > 0 && !p.sleep(r.Context(), delay) {
		panic(http.ErrAbortHandler)
	}
	// The simulator gets the whole request even if the client gives up, as
	// a real peer that already read it would.
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.upstream+r.URL.RequestURI(), strings.NewReader(string(body)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		panic(http.ErrAbortHandler) // the simulator itself cut the reply
	}
	copyHeader := func() {
		for k, vs := range resp.Header {
			if k == "Content-Length" {
				continue
			}
			w.Header()[k] = vs
		}
	}
	switch fault {
	case faultDropResponse:
		copyHeader()
		w.Header().Set("Content-Length", strconv.Itoa(len(reply)))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(reply[:len(reply)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	case faultTruncate:
		copyHeader()
		cut := reply[:len(reply)/2]
		w.Header().Set("Content-Length", strconv.Itoa(len(cut)))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(cut)
	case faultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("\x1f\x8b\x08\x00garbage{{\"code\":0,,]\xff\xfe"))
	case faultStall:
		if !p.sleep(r.Context(), maxStall) {
			panic(http.ErrAbortHandler)
		}
		panic(http.ErrAbortHandler)
	default:
		copyHeader()
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(reply)
	}
}

// sleep waits d unless the client or the proxy goes away first; it
// reports whether the full d passed.
func (p *faultProxy) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-p.done:
	}
	return false
}

// Client timeouts behind the proxy: short, so stalls cost little wall time.
const (
	proxiedCarrierTimeout = 150 * time.Millisecond
	proxiedTikTokTimeout  = 250 * time.Millisecond
)

// faultyCycle is one worker round while the network misbehaves: failures
// are expected and recorded on the orders, so they are only counted.
func (w *world) faultyCycle(ctx context.Context) (failures int) {
	if _, err := w.eng.Poll(ctx); err != nil {
		failures++
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		failures++
	}
	if _, err := w.eng.Track(ctx); err != nil {
		failures++
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		failures++
	}
	return failures
}

// TestNetworkFaultsKeepExactlyOnce runs one simulated day of orders through
// a proxy that injects each network fault in turn, then lifts the fault and
// lets the world drain: no order may be created twice at a 3PL, no package
// shipped twice on TikTok, no order lost, and nothing left in flight.
func TestNetworkFaultsKeepExactlyOnce(t *testing.T) {
	routes := []route.Rule{
		{Name: "west", Carrier: "shipstation", When: route.When{PostalPrefix: []string{"9"}}},
		{Name: "rest", Carrier: "swift"},
	}
	tests := []struct {
		fault            netFault
		rate, tiktokRate float64
	}{
		{faultLatency, 1, 1},
		{faultDropRequest, 0.2, 0.2},
		{faultDropResponse, 0.2, 0.2},
		{faultTruncate, 0.2, 0.2},
		{faultGarbage, 0.2, 0.2},
		{faultStall, 0.015, 0.05},
	}
	for i, tc := range tests {
		t.Run(string(tc.fault), func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, worldOptions{ordersPerDay: 240, routes: routes})
			w.close()
			proxy := newFaultProxy(t, w.sim.MarketplaceURL(), uint64(100+i))
			w.openThrough(proxy.URL())
			defer func() { w.close() }()

			proxy.set(tc.fault, tc.rate, tc.tiktokRate)
			failures := 0
			for range 48 { // one simulated day, a round every 30 minutes
				w.clock.Advance(30 * time.Minute)
				failures += w.faultyCycle(ctx)
			}
			hits := proxy.applied(tc.fault)
			atCarriers, atTikTok := proxy.split()
			if atCarriers == 0 || atTikTok == 0 {
				t.Fatalf("the proxy applied %d %s faults to 3PLs and %d to TikTok; the test needs both", atCarriers, tc.fault, atTikTok)
			}
			during := w.counts()

			// A restart with the fault lifted, as an operator would after the
			// network recovers, then drain.
			proxy.set("", 0, 0)
			w.close()
			w.openThrough(proxy.URL())
			if err := w.eng.Recover(ctx); err != nil {
				t.Fatal(err)
			}
			w.drain(ctx, 12, 20*time.Minute)
			w.cycle(ctx)

			w.assertExactlyOnce()
			counts := w.counts()
			for _, s := range []store.State{store.StatePushing, store.StateUnknown, store.StateQueued, store.StateReady, store.StateFailed} {
				if n := counts.ByState[s]; n != 0 {
					t.Errorf("%d orders left %s after the fault was lifted: %+v", n, s, counts.ByState)
					w.logOrders(ctx, s, 3)
				}
			}
			w.assertDeadOnlyByBusiness(ctx)
			simOrders := len(w.sim.Orders())
			if int(counts.Total) != simOrders {
				t.Errorf("stored %d orders, the simulator has %d", counts.Total, simOrders)
			}
			creates := map[string]int{}
			for name, cc := range w.sim.Counters().Carriers {
				if n := cc.Creates(); n > 0 {
					creates[name] = n
				}
			}
			if creates["swift"] == 0 || creates["shipstation"] == 0 {
				t.Errorf("orders created per 3PL %v: both routes must carry orders", creates)
			}
			t.Logf("%s: %d faults applied (%d to 3PLs, %d to TikTok), %d failed steps; during the fault %v; after draining %v; %d orders, created at 3PLs %v",
				tc.fault, hits, atCarriers, atTikTok, failures, stateSummary(during), stateSummary(counts), simOrders, creates)
		})
	}
}

// assertDeadOnlyByBusiness fails for any dead order the buyer did not
// cancel: a lost, cut or garbled reply is resolved by a lookup, a replay of
// the same key or TikTok's "already shipped", and never needs an operator.
// A cancellation that races the push or the write-back does (the parcel
// may be on its way), and the simulator's cancellations are timing-bound.
func (w *world) assertDeadOnlyByBusiness(ctx context.Context) {
	dead, err := w.st.Queue(ctx, store.StateDead, 0, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range dead {
		if so, ok := w.sim.Order(o.ID); ok && store.NormalizeStatus(so.Status) == store.StatusCancelled {
			continue
		}
		w.t.Errorf("order %s is dead though the buyer did not cancel it: %s", o.ID, o.Reason)
	}
}

// logOrders shows a few orders in state s with their reasons, to explain a
// failure.
func (w *world) logOrders(ctx context.Context, s store.State, n int) {
	orders, err := w.st.Queue(ctx, s, 0, n)
	if err != nil {
		w.t.Logf("list %s: %v", s, err)
		return
	}
	for _, o := range orders {
		w.t.Logf("  %s %s attempts %d next %s: %s", o.ID, o.State, o.Attempts, o.NextAttemptAt.Format(time.RFC3339), o.Reason)
	}
}

// stateSummary prints the non-zero states.
func stateSummary(c store.Counts) string {
	var parts []string
	for _, s := range store.States() {
		if n := c.ByState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", s, n))
		}
	}
	return strings.Join(parts, " ")
}
