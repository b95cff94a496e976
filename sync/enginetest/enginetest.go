// Package enginetest wires the real sync engine for tests, as `shipdeck
// sync` wires it: a Badger store in a directory, the quota planner, the
// TikTok client and every simulated carrier over loopback, the router and
// the search index. The engine's own tests and the console's tests (which
// may not import the engine from inside package tui) build on it, so a
// rule change in the engine shows up in both.
package enginetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/search"
	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/quota"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// Options say how to wire the engine.
type Options struct {
	// Dir is the store's directory.
	Dir string
	// Base, when set, replaces the simulator's address in every peer URL
	// (a fault proxy in front of it).
	Base string
	// CarrierTimeout and TikTokTimeout bound each call (0: the clients'
	// defaults; carriers default to 300 ms here).
	CarrierTimeout, TikTokTimeout time.Duration
	// Routes are the routing rules (default: everything to swift).
	Routes []route.Rule
	// Failover, ShopID, Backoff and Discover (no shop cipher, as a config
	// without shop_cipher) configure the engine as the config would.
	Failover bool
	ShopID   string
	Backoff  backoff.Policy
	Discover bool
	// FreeSpace replaces the store's statfs, to simulate a full disk.
	FreeSpace func(string) (uint64, error)
	// Search indexes stored orders for the engine's search when set.
	Search bool
}

// Wired is what Wire built.
type Wired struct {
	Store   *store.Store
	Engine  *shipsync.Engine
	Client  *tiktok.Client
	Config  shipsync.Config
	Deps    shipsync.Deps
	Planner *quota.Planner
	Index   *search.Index
}

// Wire opens the store and wires an engine to s on clock.
func Wire(t testing.TB, s *sim.Sim, clock *sim.Clock, o Options) *Wired {
	t.Helper()
	w := &Wired{}
	so := store.Options{Now: clock.Now, FreeSpace: o.FreeSpace, DiskCheckEvery: 10 * time.Millisecond}
	if o.Search {
		w.Index = search.New()
		so.OnOrders = func(orders []store.Order) { shipsync.IndexOrders(w.Index, orders) }
	}
	st, err := store.Open(o.Dir, so)
	if err != nil {
		t.Fatal(err)
	}
	w.Store = st
	via := func(u string) string {
		if o.Base == "" {
			return u
		}
		return strings.Replace(u, s.MarketplaceURL(), o.Base, 1)
	}
	shop := s.Shop()
	if o.Discover {
		shop.ShopCipher = ""
	}
	planner, err := quota.New(quota.Config{DailyLimit: 5000, PerSecond: 1000, MinInterval: time.Minute, MaxInterval: 15 * time.Minute},
		quota.StoreLedger{Store: st}, clock.Now, quota.StoreProfile(st, clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	w.Planner = planner
	tt, err := tiktok.New(tiktok.Config{BaseURL: via(s.MarketplaceURL()), AuthBaseURL: via(s.AuthURL()), AppKey: shop.AppKey,
		AppSecret: shop.AppSecret, AccessToken: shop.AccessToken, RefreshToken: shop.RefreshToken, ShopCipher: shop.ShopCipher,
		Now: clock.Now, Timeout: o.TikTokTimeout,
		BeforeSend: func(ctx context.Context, call tiktok.Call) error {
			if call.Endpoint == tiktok.EndpointRefreshToken {
				return nil
			}
			return planner.Reserve(ctx, store.CallKind(tiktok.KindFrom(ctx)), 1)
		}})
	if err != nil {
		t.Fatal(err)
	}
	w.Client = tt
	ct := o.CarrierTimeout
	if ct == 0 {
		ct = 300 * time.Millisecond
	}
	var carriers []shipsync.Carrier
	var infos []route.CarrierInfo
	for _, ci := range s.Carriers() {
		var ad carrier.Carrier
		if ci.Kind == "shipstation" {
			ad, err = carrier.NewShipStation(carrier.ShipStationConfig{Name: ci.Name, Endpoint: via(ci.URL), APIKey: ci.Key, APISecret: ci.Secret, Timeout: ct})
		} else {
			// The 3PL's zone-less times are in the zone the demo config names.
			var zone *time.Location
			if ci.Zone != "" {
				if zone, err = time.LoadLocation(ci.Zone); err != nil {
					t.Fatal(err)
				}
			}
			ad, err = carrier.NewREST(carrier.RESTConfig{Name: ci.Name, Endpoint: via(ci.URL), Token: ci.Token, Timeout: ct, Zone: zone})
		}
		if err != nil {
			t.Fatal(err)
		}
		carriers = append(carriers, shipsync.Carrier{Carrier: ad, MaxInFlight: 8, TransitDays: ci.TransitDays, ProviderID: ci.ProviderID})
		infos = append(infos, route.CarrierInfo{Name: ci.Name, TransitDays: ci.TransitDays})
	}
	rules := o.Routes
	if rules == nil {
		rules = []route.Rule{{Name: "all", Carrier: "swift"}}
	}
	router, err := route.New(rules, infos, "swift")
	if err != nil {
		t.Fatal(err)
	}
	w.Config = shipsync.Config{Shop: "test", Seed: 1, AutoFailover: o.Failover, ShopID: o.ShopID, Backoff: o.Backoff}
	w.Deps = shipsync.Deps{
		Store: st, Marketplace: tt, Planner: planner, Router: router, Carriers: carriers,
		Health: health.NewTracker(), Breakers: health.NewBreakers(health.BreakerConfig{}), Now: clock.Now,
	}
	if w.Index != nil {
		w.Deps.Search = w.Index
	}
	w.Engine, err = shipsync.New(w.Config, w.Deps)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
