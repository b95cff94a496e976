package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Options configures a simulator. The zero value is a quiet, deterministic
// world for tests (no latency, no random carrier failures); DemoOptions is a
// lively one.
type Options struct {
	// Listen is host:port for the one listener that serves the marketplace,
	// the token host and every carrier (each under its own base URL).
	// Default "127.0.0.1:0".
	Listen string
	Seed   int64
	// OrdersPerDay is the mean daily order count. 0 means 300; negative
	// means no orders arrive.
	OrdersPerDay int
	// Speed is simulated seconds per real second when Clock is nil. 0 means 60.
	Speed float64
	// Clock overrides Speed: pass NewManualClock(...) in tests.
	Clock TimeSource
	// TimestampClock is what request timestamps are checked against (5 min
	// behind, 30 s ahead). Nil means the sim clock, right for a client that
	// shares it. A standalone simulator running faster than real time for a
	// separate process passes WallClock(), since that client stamps
	// requests with the real time.
	TimestampClock TimeSource
	// Start is the simulated time at startup (with Speed). Zero means now.
	Start time.Time
	// History backfills arrivals from Start − History, so a demo opens with
	// orders already in every state.
	History time.Duration
	// ArrivalZone is the buyers' zone for the hourly arrival profile.
	// Default "America/Los_Angeles".
	ArrivalZone string
	// Quota: DailyLimit calls per quota day (0 means 500, negative
	// unlimited), PerSecond calls per second (0 means 50, negative
	// unlimited); the quota day starts at ResetHour in ResetZone (default UTC).
	DailyLimit, PerSecond int
	ResetZone             string
	ResetHour             int
	// Credentials. Empty ones are derived from Seed, so the same seed gives
	// the same credentials on every run.
	AppKey, AppSecret, AccessToken, RefreshToken, ShopCipher string
	ShopName                                                 string
	// Latency scales simulated response times: 0 none (tests), 1 realistic.
	Latency float64
	// CarrierFaults scales the flaky carrier's failure rates: 0 none, 1 the
	// profile's rates.
	CarrierFaults float64
	// Scans makes some shipped orders' first carrier scan late or missing
	// (zero: every order scanned a few hours after shipping).
	Scans ScanPlan
	// Clerk keys some orders into a 3PL by hand and ships some from Seller
	// Center (zero: nobody works outside shipdeck).
	Clerk ClerkPlan
	// WebhookURL, when set, receives TikTok's notifications: order status
	// changes (type 1), address updates (3), package updates (4), seller
	// deauthorization (6), authorization expiring (7) and cancellation
	// status changes (11).
	WebhookURL string
	// LegacyWebhooks sends notifications in the older format, without
	// tts_notification_id.
	LegacyWebhooks bool
	// LocalSellerShare is the share (0..1) of orders that carry no package
	// id before shipment, as a US or UK local seller's do; they are
	// written back with Mark Package As Shipped.
	LocalSellerShare float64
	// OtherShops is how many more shops (beyond the simulated one) have
	// authorized the app; Get Authorized Shops lists them all.
	OtherShops int
	Logger     *slog.Logger
}

// DemoOptions are the defaults for `go run ./cmd/shipdeck` and
// `shipdeck sim`: a day passes in 24 minutes, with real latency and a
// misbehaving carrier.
func DemoOptions() Options {
	return Options{
		Seed: 1, OrdersPerDay: 300, Speed: 60, History: 6 * time.Hour,
		Latency: 1, CarrierFaults: 1, DailyLimit: 500, PerSecond: 50, LocalSellerShare: 0.4,
		Scans: ScanPlan{Late: 0.04, Never: 0.01}, Clerk: ClerkPlan{HandKeyed: 0.01, SellerCenter: 0.005},
	}
}

// CarrierInfo is what shipdeck needs to talk to one simulated carrier.
type CarrierInfo struct {
	Name    string
	Kind    string // carrier.KindREST or carrier.KindShipStation
	URL     string // base URL (the contract's {endpoint})
	Token   string // bearer token (rest)
	Key     string // API key (shipstation)
	Secret  string // API secret (shipstation)
	Profile string
	// TransitDays is the carrier's typical door-to-door time.
	TransitDays int
	// ProviderID is the TikTok shipping provider its tracking numbers belong to.
	ProviderID string
	// Zone is the IANA zone of the times it sends without an offset ("" when
	// every time it sends carries one).
	Zone string
}

// ShopInfo is the simulated shop and the app credentials it accepts.
type ShopInfo struct {
	ID, Name, Region  string
	AppKey, AppSecret string
	AccessToken       string
	RefreshToken      string
	ShopCipher        string
}

// Sim is a running simulator.
type Sim struct {
	opts     Options
	clock    TimeSource
	log      *slog.Logger
	srv      *http.Server
	baseURL  string
	shop     ShopInfo
	market   *market
	book     *orderBook
	rest     []*restCarrier
	ss       *shipStation
	carriers []CarrierInfo
	hooks    *webhookSender
	done     chan struct{}
	wg       gosync.WaitGroup
	once     gosync.Once
	closeErr error
}

func (o *Options) defaults() error {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.OrdersPerDay == 0 {
		o.OrdersPerDay = 300
	}
	if o.Speed == 0 {
		o.Speed = 60
	}
	if o.DailyLimit == 0 {
		o.DailyLimit = 500
	}
	if o.PerSecond == 0 {
		o.PerSecond = 50
	}
	if o.ResetZone == "" {
		o.ResetZone = "UTC"
	}
	if o.ResetHour < 0 || o.ResetHour > 23 {
		return fmt.Errorf("reset hour %d is not between 0 and 23", o.ResetHour)
	}
	if o.AppKey == "" {
		o.AppKey = "6" + hexString(o.Seed, 1, 12)
	}
	if o.AppSecret == "" {
		o.AppSecret = hexString(o.Seed, 2, 40)
	}
	if o.AccessToken == "" {
		o.AccessToken = "TTP_" + tokenString(o.Seed, 3, 30)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "TTP_" + tokenString(o.Seed, 4, 30)
	}
	if o.ShopCipher == "" {
		o.ShopCipher = "GCP_" + tokenString(o.Seed, 5, 24)
	}
	if o.ShopName == "" {
		o.ShopName = "Nebula Books"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// loadZone loads a named zone, falling back to a fixed offset for the
// defaults when the system has no tz database.
func loadZone(name string, fallback *time.Location) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		if fallback != nil {
			return fallback, nil
		}
		return nil, fmt.Errorf("load time zone %q: %w", name, err)
	}
	return loc, nil
}

// Start builds the simulated world and starts serving it. ctx bounds
// startup only; Close stops the simulator.
func Start(ctx context.Context, opts Options) (*Sim, error) {
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	var resetFallback *time.Location
	if opts.ResetZone == "UTC" {
		resetFallback = time.UTC
	}
	resetZone, err := loadZone(opts.ResetZone, resetFallback)
	if err != nil {
		return nil, fmt.Errorf("start simulator: quota reset zone: %w", err)
	}
	arrivalName, arrivalFallback := opts.ArrivalZone, (*time.Location)(nil)
	if arrivalName == "" {
		arrivalName, arrivalFallback = "America/Los_Angeles", time.FixedZone("PST", -8*3600)
	}
	arrivalZone, err := loadZone(arrivalName, arrivalFallback)
	if err != nil {
		return nil, fmt.Errorf("start simulator: arrival zone: %w", err)
	}
	pacific, _ := loadZone("America/Los_Angeles", time.FixedZone("PST", -8*3600))

	clock := opts.Clock
	if clock == nil {
		start := opts.Start
		if start.IsZero() {
			start = time.Now()
		}
		clock = NewClock(start.Truncate(time.Second), opts.Speed, time.Now)
	}
	now := clock.Now()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("start simulator: listen on %s: %w", opts.Listen, err)
	}
	s := &Sim{opts: opts, clock: clock, log: opts.Logger, done: make(chan struct{})}
	s.baseURL = "http://" + ln.Addr().String()
	s.shop = ShopInfo{ID: simShopID, Name: opts.ShopName, Region: "US", AppKey: opts.AppKey, AppSecret: opts.AppSecret,
		AccessToken: opts.AccessToken, RefreshToken: opts.RefreshToken, ShopCipher: opts.ShopCipher}

	opd := max(opts.OrdersPerDay, 0)
	s.book = newOrderBook(opts.Seed, opd, arrivalZone, now.Add(-opts.History))
	s.book.localShare = opts.LocalSellerShare
	s.book.scans = opts.Scans
	s.book.clerk = opts.Clerk
	g := &gate{
		appKey: opts.AppKey, appSecret: opts.AppSecret, shopCipher: opts.ShopCipher,
		refreshToken: opts.RefreshToken, refreshExp: now.Add(refreshLifetime).Truncate(time.Second),
		tokens: map[string]time.Time{opts.AccessToken: now.Add(tokenLifetime).Truncate(time.Second)},
		seed:   opts.Seed, stampClock: opts.TimestampClock,
		quota: quotaLedger{daily: opts.DailyLimit, perSecond: opts.PerSecond, zone: resetZone, resetHour: opts.ResetHour},
	}
	s.market = &market{
		book: s.book, gate: g, clock: clock, latency: newLatencyModel(opts.Seed, 100, opts.Latency),
		secret: uint64(opts.Seed) ^ 0x2545f4914f6cdd1d, shopName: opts.ShopName, done: s.done, log: opts.Logger,
	}
	s.market.counters.c = newMarketplaceCounters()
	s.addOtherShops(opts.OtherShops)
	if opts.WebhookURL != "" {
		s.hooks = &webhookSender{
			url: opts.WebhookURL, appKey: opts.AppKey, appSecret: opts.AppSecret, seed: opts.Seed,
			client: &http.Client{Timeout: 5 * time.Second}, counters: &s.market.counters, legacy: opts.LegacyWebhooks,
		}
		s.book.onChange = s.hooks.enqueue
		s.book.onNotify = s.hooks.enqueueType
	}

	mux := http.NewServeMux()
	s.market.register(mux)
	for i, p := range carrierProfiles() {
		info := CarrierInfo{
			Name: p.Name, Kind: carrier.KindREST, URL: s.baseURL + "/carriers/" + p.Name,
			Token: "sk_sim_" + p.Name + "_" + tokenString(opts.Seed, uint64(10+i), 20), Profile: p.Name,
			TransitDays: p.TransitDays, ProviderID: p.ProviderID, Zone: p.Zone,
		}
		c := newRESTCarrier(info, p, opts.Seed, uint64(200+i), clock, s.done, opts.Latency, opts.CarrierFaults, opts.Logger)
		s.rest = append(s.rest, c)
		s.carriers = append(s.carriers, info)
		mux.Handle("/carriers/"+p.Name+"/", http.StripPrefix("/carriers/"+p.Name, c.handler()))
	}
	if len(s.rest) > 0 {
		// The clerk keys orders in at the steadiest 3PL's screen: the
		// first one, the fast and reliable one.
		target := s.rest[0]
		s.book.keyByHand = func(externalID string, at time.Time) { target.keyByHand(externalID, at) }
	}
	ssp := shipStationProfile()
	ssInfo := CarrierInfo{
		Name: ssp.Name, Kind: carrier.KindShipStation, URL: s.baseURL + "/carriers/" + ssp.Name,
		Key: tokenString(opts.Seed, 30, 32), Secret: tokenString(opts.Seed, 31, 32), Profile: ssp.Name,
		TransitDays: ssp.TransitDays, ProviderID: ssp.ProviderID,
	}
	s.ss = newShipStation(ssInfo, ssp, opts.Seed, 300, clock, s.done, opts.Latency, pacific, opts.Logger)
	s.carriers = append(s.carriers, ssInfo)
	mux.Handle("/carriers/"+ssp.Name+"/", http.StripPrefix("/carriers/"+ssp.Name, s.ss.handler()))
	mux.HandleFunc("GET /_sim/counters", func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.MarshalIndent(s.Counters(), "", "  ")
		writeJSON(w, http.StatusOK, b, 0)
	})

	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // resets and aborts are on purpose
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("simulator stopped serving", "err", err)
		}
	}()
	if s.hooks != nil && !isManual(clock) {
		s.wg.Add(1)
		go s.webhookLoop()
	}
	s.log.Info("simulator started", "url", s.baseURL, "seed", opts.Seed, "orders_per_day", opd)
	return s, nil
}

func isManual(c TimeSource) bool {
	mc, ok := c.(*Clock)
	return ok && mc.Manual()
}

// webhookLoop delivers notifications as sim time passes, until Close.
func (s *Sim) webhookLoop() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if _, err := s.SendWebhooks(ctx); err != nil {
				s.log.Debug("webhook delivery failed", "err", err)
			}
		}
	}
}

// SendWebhooks brings the marketplace up to now and delivers the
// notifications due, reporting how many the receiver accepted. Failed
// deliveries are retried on TikTok's schedule (2 min, 30 min, 3 h, 12 h of
// sim time). With a manual clock there is no background delivery: tests call
// this after moving the clock.
func (s *Sim) SendWebhooks(ctx context.Context) (int, error) {
	if s.hooks == nil {
		return 0, nil
	}
	now := s.clock.Now()
	s.book.mu.Lock()
	s.book.advanceLocked(now)
	s.book.mu.Unlock()
	return s.hooks.deliver(ctx, now)
}

// PendingWebhooks is how many notifications await delivery or a retry.
func (s *Sim) PendingWebhooks() int {
	if s.hooks == nil {
		return 0
	}
	return s.hooks.pending()
}

// Close stops the simulator: held requests are released, the listener
// closes and the background loops end.
func (s *Sim) Close() error {
	s.once.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
			if !errors.Is(err, context.DeadlineExceeded) {
				s.closeErr = fmt.Errorf("close simulator: %w", err)
			}
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// MarketplaceURL is the TikTok Shop API base URL (no trailing slash).
func (s *Sim) MarketplaceURL() string { return s.baseURL }

// AuthURL is the token host's base URL (GET /api/v2/token/refresh). The
// simulator serves it on the marketplace listener, so it equals
// MarketplaceURL.
func (s *Sim) AuthURL() string { return s.baseURL }

// Shop returns the simulated shop and its credentials.
func (s *Sim) Shop() ShopInfo { return s.shop }

// Carriers lists the simulated carriers: swift, steady, flaky, picky (REST)
// and shipstation.
func (s *Sim) Carriers() []CarrierInfo {
	return append([]CarrierInfo(nil), s.carriers...)
}

// Carrier finds a simulated carrier by name.
func (s *Sim) Carrier(name string) (CarrierInfo, bool) {
	for _, c := range s.carriers {
		if c.Name == name {
			return c, true
		}
	}
	return CarrierInfo{}, false
}

// Clock is the simulator's clock. Without Options.Clock it is a *Clock
// running at Options.Speed.
func (s *Sim) Clock() TimeSource { return s.clock }

// Counters reports what the simulator has seen so far.
func (s *Sim) Counters() Counters {
	now := s.clock.Now()
	c := Counters{Marketplace: s.market.counters.snapshot(), Carriers: map[string]CarrierCounters{}}
	c.Marketplace.QuotaDay, c.Marketplace.QuotaUsed = s.market.gate.quota.usage(now)
	s.book.mu.Lock()
	s.book.advanceLocked(now)
	c.Marketplace.OrdersCreated = len(s.book.list)
	s.book.mu.Unlock()
	for _, rc := range s.rest {
		c.Carriers[rc.info.Name] = rc.snapshot()
	}
	c.Carriers[s.ss.info.Name] = s.ss.snapshot()
	return c
}

// Orders returns every order that exists at the simulator's now, as the API
// would show it, oldest first.
func (s *Sim) Orders() []tiktok.Order { return s.book.snapshot(s.clock.Now()) }

// Order returns one order as the API would show it now.
func (s *Sim) Order(id string) (tiktok.Order, bool) {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	s.book.advanceLocked(s.clock.Now())
	o := s.book.orders[id]
	if o == nil {
		return tiktok.Order{}, false
	}
	return o.view(), true
}

// CancelOrder has the buyer cancel an order now, as TikTok allows before
// the package is collected. It reports whether the order existed and could
// still be cancelled. Tests use it to cancel orders a 3PL already holds.
func (s *Sim) CancelOrder(id string) bool {
	return s.withOpenOrder(id, func(o *simOrder, now time.Time) {
		o.full.CancelReason = "Buyer cancelled"
		o.full.CancelTime, o.full.CancellationInitiator = now.Unix(), "BUYER"
		s.book.setStatus(o, StatusCancelled, now)
	})
}

// withOpenOrder runs fn on an order the buyer may still change or cancel
// (unpaid, on hold or awaiting shipment), with the book brought up to now
// and locked. It reports whether there was such an order.
func (s *Sim) withOpenOrder(id string, fn func(o *simOrder, now time.Time)) bool {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	now := s.clock.Now()
	s.book.advanceLocked(now)
	o := s.book.orders[id]
	if o == nil || !cancellable(o.full.Status) {
		return false
	}
	fn(o, now)
	return true
}

// FailNext makes the next n marketplace calls fail with kind before they
// take effect.
func (s *Sim) FailNext(n int, kind FaultKind) {
	s.market.faults.add(Fault{Kind: kind, Count: n})
}

// InjectFault queues a marketplace fault.
func (s *Sim) InjectFault(f Fault) { s.market.faults.add(f) }

// InjectCarrierFault queues a fault on the named carrier.
func (s *Sim) InjectCarrierFault(name string, f Fault) error {
	for _, c := range s.rest {
		if c.info.Name == name {
			c.faults.add(f)
			return nil
		}
	}
	if s.ss.info.Name == name {
		s.ss.faults.add(f)
		return nil
	}
	return fmt.Errorf("inject fault: no simulated carrier named %q", name)
}

// ClearFaults drops every queued fault.
func (s *Sim) ClearFaults() {
	s.market.faults.clear()
	for _, c := range s.rest {
		c.faults.clear()
	}
	s.ss.faults.clear()
}

// SetLatency rescales simulated response times everywhere (0 none, 1 realistic).
func (s *Sim) SetLatency(scale float64) {
	s.market.latency.setScale(scale)
	for _, c := range s.rest {
		c.latency.setScale(scale)
	}
	s.ss.latency.setScale(scale)
}

// SetCarrierFaults rescales the flaky carrier's random failure rates.
func (s *Sim) SetCarrierFaults(scale float64) {
	for _, c := range s.rest {
		c.setFaultScale(scale)
	}
}

// ExpireAccessTokens makes every access token issued so far expire now, so
// the next call gets 105002 and the client must refresh.
func (s *Sim) ExpireAccessTokens() { s.market.gate.expireTokens(s.clock.Now()) }
