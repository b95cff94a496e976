package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/shipdeck/shipdeck/search"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/quota"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
	"github.com/shipdeck/shipdeck/zone"
)

// runEnv says where a command runs and who runs it: a local terminal (the
// OS user, who owns the data directory) or an SSH session on `serve`
// (an operator from the operators file, sharing the server's app).
type runEnv struct {
	in       io.Reader
	out, err io.Writer
	actor    store.Actor
	// shared is the serving process's app when the command came over SSH.
	shared *app
}

func localEnv(in io.Reader, out, errw io.Writer) *runEnv {
	name := "local"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return &runEnv{in: in, out: out, err: errw, actor: store.Actor{Name: name, Role: store.RoleAdmin}}
}

// app is one wired shipdeck: config, store, search index, engine and, in
// the demo, the simulator it talks to.
type app struct {
	cfg     *Config
	dataDir string
	demo    bool
	st      *store.Store
	idx     *search.Index
	eng     *shipsync.Engine
	planner *quota.Planner
	tt      *tiktok.Client
	sim     *sim.Sim
	now     func() time.Time
	speed   float64
	log     *slog.Logger
	logs    logSink
	ops     opsParts
	getenv  func(string) (string, bool)
	// noSecrets lets commands that only read the store run without the
	// shop's and carriers' secrets in the environment.
	noSecrets bool
	// zone is the display time zone ([console] timezone).
	zone zone.Zone
	// reloadOperators reloads the SSH operators file when serving.
	reloadOperators func() error
}

// appOptions select what openApp wires.
type appOptions struct {
	// Demo allows the built-in simulator when no config is given.
	Demo bool
	// LogTo, when set, receives the log (headless: stderr for journald);
	// otherwise it goes to the rotating file in the data directory.
	LogTo io.Writer
	// NoSecrets opens for commands that only read the store: missing
	// secrets leave TikTok and the carriers unconfigured instead of failing.
	NoSecrets bool
	// NoSearch leaves out the search index, for commands that never search
	// (an import would otherwise hold every order it stores in memory).
	NoSearch bool
	// BulkLoad opens the store for a bulk load (see store.Options).
	BulkLoad bool
}

// openApp loads the config (or starts the demo simulator), opens the store
// and wires the engine. It starts no worker: callers run eng.Run.
func openApp(ctx context.Context, f flags, opts appOptions) (a *app, err error) {
	a = &app{getenv: os.LookupEnv, now: time.Now, speed: 1, noSecrets: opts.NoSecrets}
	opened := a // the error returns set a to nil; what was opened still closes
	defer func() {
		if err != nil {
			opened.Close()
		}
	}()
	switch {
	case f.Config != "":
		a.cfg, err = LoadConfig(f.Config)
		if err != nil {
			return nil, err
		}
		a.dataDir = f.Data
		if a.dataDir == "" {
			a.dataDir = filepath.Join(filepath.Dir(f.Config), "shipdeck-data")
		}
	case opts.Demo:
		if err := a.startDemo(ctx, f); err != nil {
			return nil, err
		}
	default:
		return nil, usageError{errors.New("--config is required for this command (run `shipdeck` alone for the demo)")}
	}
	if err := os.MkdirAll(a.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", a.dataDir, err)
	}
	if err := a.openLog(opts.LogTo); err != nil {
		return nil, err
	}
	sopts := store.Options{Logger: a.log, Now: a.now, MinFree: a.cfg.Store.MinFree.Bytes, BulkLoad: opts.BulkLoad}
	if !opts.NoSearch {
		a.idx = search.New()
		sopts.OnOrders = func(o []store.Order) { shipsync.IndexOrders(a.idx, o) }
	}
	a.st, err = store.Open(a.dataDir, sopts)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, withCode(exitLocked, fmt.Errorf("%w\n  a running `shipdeck serve` holds it: use the SSH form, e.g. ssh -p %s <host> %s",
				err, portOf(a.cfg.SSH.Listen), "orders --state dead"))
		}
		return nil, err
	}
	if err := a.wire(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// startDemo starts the simulator in-process and builds a config for it,
// with a fresh demo data directory.
func (a *app) startDemo(ctx context.Context, f flags) error {
	a.demo = true
	speed := f.Speed
	if speed <= 0 {
		speed = 60
	}
	o := sim.DemoOptions()
	o.Speed = speed
	o.History = 12 * time.Hour
	s, err := sim.Start(ctx, o)
	if err != nil {
		return fmt.Errorf("start the demo simulator: %w", err)
	}
	a.sim = s
	a.now = s.Clock().Now
	a.speed = speed
	env := s.Env()
	a.getenv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	a.cfg, err = ParseConfig("(demo config)", s.ConfigTOML())
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	a.dataDir = f.Data
	if a.dataDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		a.dataDir = filepath.Join(base, "shipdeck", "demo")
		// The demo's shop starts afresh every run, so its store does too.
		if err := os.RemoveAll(a.dataDir); err != nil {
			return fmt.Errorf("reset demo data %s: %w", a.dataDir, err)
		}
	}
	return nil
}

// secret reads the secret a config key names from the environment (the
// demo's own in the demo). Errors name the variable, never its value.
func (a *app) secret(key, env string) (string, error) {
	if env == "" {
		return "", nil
	}
	v, ok := a.getenv(env)
	if !ok || v == "" {
		if a.noSecrets {
			return unsetSecret, errNoSecret
		}
		return "", fmt.Errorf("%s: environment variable %s is not set", key, env)
	}
	return v, nil
}

// wire builds the TikTok client, carriers, router, planner and engine.
func (a *app) wire(ctx context.Context) error {
	c := a.cfg
	resetZone, err := time.LoadLocation(c.Quota.ResetZone)
	if err != nil {
		return fmt.Errorf("%s: quota.reset_zone: %w", c.path, err)
	}
	var windows []quota.Window
	for _, w := range c.Quota.SlowWindows {
		win, err := quota.ParseWindow(w)
		if err != nil {
			return c.errAt("quota.slow_windows", err.Error())
		}
		windows = append(windows, win)
	}
	a.planner, err = quota.New(quota.Config{
		DailyLimit: c.Quota.DailyLimit, PerSecond: c.Quota.PerSecond, Zone: resetZone, ResetHour: c.Quota.ResetHour,
		ReservePercent: c.Quota.ReservePercent, SlowWindows: windows,
		MinInterval: c.Poll.MinInterval.Duration, MaxInterval: c.Poll.MaxInterval.Duration,
	}, quota.StoreLedger{Store: a.st}, a.now, quota.StoreProfile(a.st, a.now))
	if err != nil {
		return fmt.Errorf("%s: quota: %w", c.path, err)
	}
	var mp shipsync.Marketplace
	if c.Shop.AppKey != "" && !a.missingSecret(c.Shop.AppSecretEnv, c.Shop.AccessTokenEnv) {
		secretV, err := a.secret("shop.app_secret_env", c.Shop.AppSecretEnv)
		if err != nil {
			return err
		}
		token, err := a.secret("shop.access_token_env", c.Shop.AccessTokenEnv)
		if err != nil {
			return err
		}
		refresh, rerr := a.secret("shop.refresh_token_env", c.Shop.RefreshTokenEnv)
		if rerr != nil {
			refresh = "" // optional: without it an expired token is reported, not refreshed
		}
		a.tt, err = tiktok.New(tiktok.Config{
			BaseURL: c.Shop.BaseURL, AuthBaseURL: c.Shop.AuthURL, AppKey: c.Shop.AppKey, AppSecret: secretV,
			AccessToken: token, RefreshToken: refresh, ShopCipher: c.Shop.ShopCipher, Now: a.now,
			BeforeSend: func(ctx context.Context, call tiktok.Call) error {
				if call.Endpoint == tiktok.EndpointRefreshToken {
					return nil // the token host does not count against the API quota
				}
				return a.planner.Reserve(ctx, callKind(tiktok.KindFrom(ctx)), 1)
			},
			AfterSend: func(ctx context.Context, call tiktok.Call, res tiktok.Result) {
				if res.HTTPStatus == http.StatusTooManyRequests || res.Code == tiktok.CodeRateLimited {
					_ = a.planner.NoteRateLimited(ctx, a.now())
					a.log.Warn("quota: TikTok rate limit", "endpoint", call.Endpoint, "http_status", res.HTTPStatus, "code", res.Code)
				}
			},
			OnToken: a.onToken,
		})
		if err != nil {
			return fmt.Errorf("%s: shop: %w", c.path, err)
		}
		mp = a.tt
	}
	carriers, infos, err := a.carriers()
	if err != nil {
		return err
	}
	rules := make([]route.Rule, 0, len(c.Routes))
	for i, r := range c.Routes {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("route %d", i+1)
		}
		rules = append(rules, route.Rule{Name: name, Carrier: r.Carrier, Fallback: r.Fallback, When: route.When{
			Country: r.When.Country, Region: r.When.Region, PostalPrefix: r.When.PostalPrefix,
			MinWeightG: r.When.MinWeightG, MaxWeightG: r.When.MaxWeightG, SKU: r.When.SKU,
			MinValueCents: r.When.MinValueCents, MaxValueCents: r.When.MaxValueCents,
		}})
	}
	router, err := route.New(rules, infos, c.Carriers[0].Name)
	if err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	tracker := health.NewTracker()
	if samples, err := a.recentSamples(ctx, infos); err == nil {
		tracker.Load(samples)
	}
	if a.zone, err = zone.Load(c.Console.Timezone); err != nil {
		return fmt.Errorf("%s: console.timezone: %w", c.path, err)
	}
	reconcileEvery, reconcileWindow := c.reconcileSchedule()
	a.eng, err = shipsync.New(shipsync.Config{
		Zone: a.zone, Shop: c.Shop.Name, ShopCipher: c.Shop.ShopCipher, ShopID: c.Shop.ShopID, Demo: a.demo, Overlap: c.Poll.Overlap.Duration, MinInterval: c.Poll.MinInterval.Duration, Speed: a.speed,
		RemorseWindow: c.Policy.RemorseWindow.Duration,
		Account:       c.accountConfig(), ReconcileEvery: reconcileEvery, ReconcileWindow: reconcileWindow, Costs: c.costConfig(),
	}, shipsync.Deps{
		Store: a.st, Marketplace: mp, Planner: a.planner, Router: router, Carriers: carriers,
		Health: tracker, Breakers: health.NewBreakers(health.BreakerConfig{}), Search: a.idx,
		Now: a.now, Logger: a.log, Observers: a.observers(),
	})
	return err
}

// recentSamples loads the last day's latency samples to warm the tracker.
func (a *app) recentSamples(ctx context.Context, infos []route.CarrierInfo) ([]store.LatencySample, error) {
	now := a.now()
	var all []store.LatencySample
	for _, ci := range infos {
		s, err := a.st.Samples(ctx, ci.Name, now.Add(-24*time.Hour), now.Add(time.Minute))
		if err != nil {
			return nil, err
		}
		all = append(all, s...)
	}
	return all, nil
}

// carriers builds the carrier adapters from config.
func (a *app) carriers() ([]shipsync.Carrier, []route.CarrierInfo, error) {
	var out []shipsync.Carrier
	var infos []route.CarrierInfo
	for i, cc := range a.cfg.Carriers {
		key := fmt.Sprintf("carrier[%d]", i)
		var ad carrier.Carrier
		var err error
		switch cc.Kind {
		case carrier.KindREST:
			token, terr := a.secret(key+".token_env", cc.TokenEnv)
			if terr != nil && !errors.Is(terr, errNoSecret) {
				return nil, nil, terr
			}
			var zone *time.Location
			if cc.Zone != "" {
				zone, _ = time.LoadLocation(cc.Zone) // checked by validate
			}
			ad, err = carrier.NewREST(carrier.RESTConfig{Name: cc.Name, Endpoint: cc.Endpoint, Token: token, Timeout: cc.Timeout.Duration, Zone: zone})
		case carrier.KindShipStation:
			k, kerr := a.secret(key+".key_env", cc.KeyEnv)
			if kerr != nil && !errors.Is(kerr, errNoSecret) {
				return nil, nil, kerr
			}
			s, serr := a.secret(key+".secret_env", cc.SecretEnv)
			if serr != nil && !errors.Is(serr, errNoSecret) {
				return nil, nil, serr
			}
			ad, err = carrier.NewShipStation(carrier.ShipStationConfig{Name: cc.Name, Endpoint: cc.Endpoint, APIKey: k, APISecret: s, Timeout: cc.Timeout.Duration})
		case carrier.KindCSV:
			ad, err = carrier.NewCSV(carrier.CSVConfig{Name: cc.Name, Dir: a.dataPath(cc.Dir), Now: a.now})
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", a.cfg.path, key, err)
		}
		out = append(out, shipsync.Carrier{Carrier: ad, MaxInFlight: cc.MaxInFlight, TransitDays: cc.TransitDays, ProviderID: cc.TikTokProviderID,
			Providers: carrier.NewProviderMap(cc.Providers)})
		infos = append(infos, route.CarrierInfo{Name: cc.Name, TransitDays: cc.TransitDays})
	}
	return out, infos, nil
}

// callKind maps the client's call kind onto the ledger's.
func callKind(k string) store.CallKind {
	for _, c := range store.CallKinds() {
		if string(c) == k {
			return c
		}
	}
	return store.CallOther
}

// Close closes what openApp opened, in reverse order.
func (a *app) Close() {
	if a == nil {
		return
	}
	if a.st != nil {
		if err := a.st.Close(); err != nil && a.log != nil {
			a.log.Warn("close store", "err", err)
		}
	}
	if a.sim != nil {
		_ = a.sim.Close()
	}
	a.logs.close()
}

// portOf returns the port of host:port for hints.
func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return "2222"
}

// runWorker runs the engine and the webhook listener (when configured)
// until ctx ends, and returns when both have stopped.
func (a *app) runWorker(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hooks := make(chan error, 1)
	go func() {
		if err := a.serveWebhooks(ctx); err != nil {
			a.log.Error("webhook listener stopped", "err", err)
		}
		hooks <- nil
	}()
	a.logStart("worker")
	ops := a.startOps(ctx)
	err := a.eng.Run(ctx)
	cancel()
	<-hooks
	ops.Wait()
	a.logStop("worker", err)
	return err
}
