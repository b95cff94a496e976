package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestCountersEndpoint(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: 100, History: 2 * time.Hour})
	c := newAPIClient(t, s)
	c.do(http.MethodGet, "/authorization/202309/shops", nil, nil)
	newRESTClient(t, s, ProfileSwift).create("k", shipment("576653688135258178"))

	resp, err := http.Get(s.MarketplaceURL() + "/_sim/counters")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Counters
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("decode counters: %v", err)
	}
	if got.Marketplace.Calls[EndpointShops] != 1 || got.Marketplace.QuotaUsed != 1 || got.Marketplace.OrdersCreated == 0 {
		t.Fatalf("marketplace counters %+v", got.Marketplace)
	}
	if got.Carriers[ProfileSwift].CreatesByExternalID["576653688135258178"] != 1 || len(got.Carriers) != 5 {
		t.Fatalf("carrier counters %+v", got.Carriers)
	}
}

func TestConfigTOMLMatchesTheSimulator(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 7, OrdersPerDay: -1})
	var cfg struct {
		Shop struct {
			Name           string `toml:"name"`
			BaseURL        string `toml:"base_url"`
			AuthURL        string `toml:"auth_url"`
			RefreshEnv     string `toml:"refresh_token_env"`
			AppKey         string `toml:"app_key"`
			AppSecretEnv   string `toml:"app_secret_env"`
			AccessTokenEnv string `toml:"access_token_env"`
			ShopCipher     string `toml:"shop_cipher"`
		} `toml:"shop"`
		Quota struct {
			DailyLimit     int      `toml:"daily_limit"`
			PerSecond      int      `toml:"per_second"`
			ResetZone      string   `toml:"reset_zone"`
			ResetHour      int      `toml:"reset_hour"`
			ReservePercent int      `toml:"reserve_percent"`
			SlowWindows    []string `toml:"slow_windows"`
		} `toml:"quota"`
		Poll struct {
			MinInterval string `toml:"min_interval"`
			MaxInterval string `toml:"max_interval"`
			Overlap     string `toml:"overlap"`
		} `toml:"poll"`
		Policy struct {
			RemorseWindow string `toml:"remorse_window"`
		} `toml:"policy"`
		Health struct {
			ReconcileEvery  string `toml:"reconcile_every"`
			ReconcileWindow string `toml:"reconcile_window"`
		} `toml:"health"`
		Carrier []struct {
			Name             string `toml:"name"`
			Kind             string `toml:"kind"`
			Endpoint         string `toml:"endpoint"`
			TokenEnv         string `toml:"token_env"`
			KeyEnv           string `toml:"key_env"`
			SecretEnv        string `toml:"secret_env"`
			Timeout          string `toml:"timeout"`
			MaxInFlight      int    `toml:"max_in_flight"`
			TransitDays      int    `toml:"transit_days"`
			TiktokProviderID string `toml:"tiktok_provider_id"`
			Zone             string `toml:"zone"`
			Rates            struct {
				PerOrderCents int64 `toml:"per_order_cents"`
				PerUnitCents  int64 `toml:"per_unit_cents"`
				WeightBands   []struct {
					MaxGrams int   `toml:"max_g"`
					Cents    int64 `toml:"cents"`
				} `toml:"weight_bands"`
			} `toml:"rates"`
		} `toml:"carrier"`
		Route []struct {
			When     map[string]any `toml:"when"`
			Carrier  string         `toml:"carrier"`
			Fallback []string       `toml:"fallback"`
		} `toml:"route"`
	}
	md, err := toml.Decode(s.ConfigTOML(), &cfg)
	if err != nil {
		t.Fatalf("config does not parse: %v\n%s", err, s.ConfigTOML())
	}
	if undecoded := md.Undecoded(); len(undecoded) != 0 {
		t.Fatalf("config has keys outside the documented set: %v", undecoded)
	}
	env := s.Env()
	if cfg.Shop.BaseURL != s.MarketplaceURL() || cfg.Shop.AppKey != s.Shop().AppKey || cfg.Shop.ShopCipher != "" ||
		env[cfg.Shop.AppSecretEnv] != s.Shop().AppSecret || env[cfg.Shop.AccessTokenEnv] != s.Shop().AccessToken ||
		cfg.Shop.AuthURL != s.AuthURL() || env[cfg.Shop.RefreshEnv] != s.Shop().RefreshToken {
		t.Fatalf("shop section %+v does not match", cfg.Shop)
	}
	if cfg.Policy.RemorseWindow != "1h" {
		t.Fatalf("policy section %+v", cfg.Policy)
	}
	if cfg.Quota.DailyLimit != 500 || cfg.Quota.PerSecond != 50 || cfg.Quota.ResetZone != "UTC" {
		t.Fatalf("quota section %+v", cfg.Quota)
	}
	if len(cfg.Carrier) != len(s.Carriers()) {
		t.Fatalf("%d carriers in the config, %d simulated", len(cfg.Carrier), len(s.Carriers()))
	}
	for i, c := range cfg.Carrier {
		info := s.Carriers()[i]
		if c.Name != info.Name || c.Endpoint != info.URL || c.TiktokProviderID != info.ProviderID || c.TransitDays != info.TransitDays || c.Zone != info.Zone {
			t.Errorf("carrier %+v does not match %+v", c, info)
		}
		switch c.Kind {
		case "rest":
			if env[c.TokenEnv] != info.Token {
				t.Errorf("carrier %s: %s is not its token", c.Name, c.TokenEnv)
			}
		case "shipstation":
			if env[c.KeyEnv] != info.Key || env[c.SecretEnv] != info.Secret {
				t.Errorf("shipstation credentials do not match the environment")
			}
		}
	}
	if len(cfg.Route) != 2 || cfg.Route[0].When["country"] != "GB" || cfg.Route[1].When["country"] != "US" {
		t.Fatalf("routes %+v, want UK orders first, then US", cfg.Route)
	}
	for _, secret := range []string{s.Shop().AppSecret, s.Shop().AccessToken, s.Carriers()[0].Token} {
		if strings.Contains(s.ConfigTOML(), secret) {
			t.Fatal("the config inlines a secret")
		}
	}
}

func TestSameSeedSameCredentials(t *testing.T) {
	a, _ := startSim(t, Options{Seed: 5, OrdersPerDay: -1})
	b, _ := startSim(t, Options{Seed: 5, OrdersPerDay: -1})
	c, _ := startSim(t, Options{Seed: 6, OrdersPerDay: -1})
	if a.Shop() != b.Shop() || a.Carriers()[0].Token != b.Carriers()[0].Token {
		t.Fatal("the same seed gave different credentials")
	}
	if a.Shop().AppSecret == c.Shop().AppSecret {
		t.Fatal("different seeds gave the same secret")
	}
}

func TestDemoSimulatorRunsAndClosesPromptly(t *testing.T) {
	opts := DemoOptions()
	opts.Latency = 0.01
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Clock().(*Clock); !ok {
		t.Fatalf("default clock is %T", s.Clock())
	}
	if len(s.Orders()) == 0 {
		t.Fatal("the demo opens with no orders despite History")
	}
	// A request held by a timeout fault must not keep Close waiting.
	s.FailNext(1, FaultTimeout)
	c := newAPIClient(t, s)
	c.http.Timeout = 0 // the client would wait forever
	released := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, c.signedURL(http.MethodGet, "/authorization/202309/shops", nil, nil), nil)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-tts-access-token", c.token)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		released <- err
	}()
	for s.Counters().Marketplace.InjectedFaults == 0 {
		time.Sleep(5 * time.Millisecond) // until the request is held
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := <-released; err == nil {
		t.Fatal("the held request got a reply")
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{ResetHour: 24, Clock: NewManualClock(testStart)},
		{ResetZone: "Mars/Olympus", Clock: NewManualClock(testStart)},
		{Listen: "256.0.0.1:0", Clock: NewManualClock(testStart)},
	} {
		if s, err := Start(context.Background(), opts); err == nil {
			s.Close()
			t.Errorf("options %+v were accepted", opts)
		}
	}
}
