package sim

import (
	"fmt"
	"strings"

	"github.com/shipdeck/shipdeck/sync/carrier"
)

// Environment variables ConfigTOML refers to for the shop's secrets.
const (
	EnvAppSecret    = "SHIPDECK_APP_SECRET"
	EnvAccessToken  = "SHIPDECK_ACCESS_TOKEN"
	EnvRefreshToken = "SHIPDECK_REFRESH_TOKEN"
)

// The environment variables holding a carrier's secrets: the token of a
// REST carrier, the key and secret of ShipStation. Env and ConfigTOML both
// name them through these.
func tokenEnv(c CarrierInfo) string  { return envName("carrier", c.Name, "token") }
func keyEnv(c CarrierInfo) string    { return envName(c.Name, "key") }
func secretEnv(c CarrierInfo) string { return envName(c.Name, "secret") }

// envName is the environment variable name for a carrier secret.
func envName(parts ...string) string {
	return "SHIPDECK_" + strings.ToUpper(strings.Join(parts, "_"))
}

// carrierEnv maps a carrier's secret environment variables to their values.
func carrierEnv(c CarrierInfo) map[string]string {
	if c.Kind == carrier.KindShipStation {
		return map[string]string{keyEnv(c): c.Key, secretEnv(c): c.Secret}
	}
	return map[string]string{tokenEnv(c): c.Token}
}

// Env returns the secret environment variables ConfigTOML names, with their
// values: set them and the printed config points shipdeck at this simulator.
func (s *Sim) Env() map[string]string {
	env := map[string]string{
		EnvAppSecret:    s.shop.AppSecret,
		EnvAccessToken:  s.shop.AccessToken,
		EnvRefreshToken: s.shop.RefreshToken,
	}
	for _, c := range s.carriers {
		for k, v := range carrierEnv(c) {
			env[k] = v
		}
	}
	return env
}

// maxInFlight is how many concurrent pushes suit each profile.
func maxInFlight(profile string) int {
	switch profile {
	case ProfileSwift:
		return 8
	case ProfileShipStation:
		return 2
	}
	return 4
}

// ConfigTOML prints a shipdeck config that matches this simulator. Secrets
// are referenced by environment variable (see Env), never inlined.
func (s *Sim) ConfigTOML() string {
	var b strings.Builder
	q := func(v string) string { return fmt.Sprintf("%q", v) }
	fmt.Fprintf(&b, "# shipdeck configuration for the built-in simulator (seed %d).\n", s.opts.Seed)
	fmt.Fprintf(&b, "# Secrets come from the environment: %s, %s, %s and the carrier variables below.\n\n",
		EnvAppSecret, EnvAccessToken, EnvRefreshToken)

	b.WriteString("[shop]\n")
	fmt.Fprintf(&b, "name = %s\n", q(s.shop.Name))
	fmt.Fprintf(&b, "base_url = %s\n", q(s.baseURL))
	fmt.Fprintf(&b, "auth_url = %s\n", q(s.baseURL))
	fmt.Fprintf(&b, "app_key = %s\n", q(s.shop.AppKey))
	fmt.Fprintf(&b, "app_secret_env = %s\n", q(EnvAppSecret))
	fmt.Fprintf(&b, "access_token_env = %s\n", q(EnvAccessToken))
	fmt.Fprintf(&b, "refresh_token_env = %s\n", q(EnvRefreshToken))
	b.WriteString("# shop_cipher is left out: shipdeck fetches it from the authorized shops.\n\n")

	b.WriteString("[quota]\n")
	fmt.Fprintf(&b, "daily_limit = %d\n", max(s.opts.DailyLimit, 0))
	fmt.Fprintf(&b, "per_second = %d\n", max(s.opts.PerSecond, 0))
	fmt.Fprintf(&b, "reset_zone = %s\n", q(s.opts.ResetZone))
	fmt.Fprintf(&b, "reset_hour = %d\n", s.opts.ResetHour)
	b.WriteString("reserve_percent = 10\n")
	b.WriteString("# TikTok answers slowly in the Beijing evening.\n")
	b.WriteString("slow_windows = [\"18:00-21:00 Asia/Shanghai\"]\n\n")

	b.WriteString("[policy]\n")
	b.WriteString("# Orders that skipped ON_HOLD wait this long after payment.\n")
	b.WriteString("remorse_window = \"1h\"\n\n")

	b.WriteString("[poll]\n")
	b.WriteString("min_interval = \"1m\"\nmax_interval = \"15m\"\noverlap = \"2m\"\n")

	b.WriteString("\n# Cross-check TikTok, the 3PLs and the store hourly (default every 6 h).\n[health]\n")
	b.WriteString("reconcile_every = \"1h\"\nreconcile_window = \"48h\"\n")

	for _, c := range s.carriers {
		b.WriteString("\n[[carrier]]\n")
		fmt.Fprintf(&b, "name = %s\n", q(c.Name))
		fmt.Fprintf(&b, "kind = %s\n", q(c.Kind))
		fmt.Fprintf(&b, "endpoint = %s\n", q(c.URL))
		if c.Kind == carrier.KindShipStation {
			fmt.Fprintf(&b, "key_env = %s\n", q(keyEnv(c)))
			fmt.Fprintf(&b, "secret_env = %s\n", q(secretEnv(c)))
		} else {
			fmt.Fprintf(&b, "token_env = %s\n", q(tokenEnv(c)))
		}
		b.WriteString("timeout = \"10s\"\n")
		fmt.Fprintf(&b, "max_in_flight = %d\n", maxInFlight(c.Profile))
		fmt.Fprintf(&b, "transit_days = %d\n", c.TransitDays)
		if c.ProviderID != "" {
			fmt.Fprintf(&b, "tiktok_provider_id = %s\n", q(c.ProviderID))
		}
		if c.Zone != "" {
			fmt.Fprintf(&b, "zone = %s\n", q(c.Zone))
		}
		if c.Kind == carrier.KindREST {
			// What the 3PL charges, for `shipdeck costs` (ShipStation
			// reports each label's cost itself).
			b.WriteString("rates = { per_order_cents = 175, per_unit_cents = 35, weight_bands = [{ max_g = 450, cents = 425 }, { max_g = 1000, cents = 610 }, { max_g = 5000, cents = 950 }] }\n")
		}
	}

	b.WriteString("\n# UK orders go to a 3PL that ships there.\n")
	b.WriteString("[[route]]\n")
	b.WriteString("when = { country = \"GB\" }\n")
	b.WriteString("carrier = \"swift\"\n")
	b.WriteString("fallback = [\"steady\"]\n")
	b.WriteString("\n# Everything else goes to the flaky 3PL first, so the console has failures to show.\n")
	b.WriteString("[[route]]\n")
	b.WriteString("when = { country = \"US\" }\n")
	b.WriteString("carrier = \"flaky\"\n")
	b.WriteString("fallback = [\"swift\", \"steady\"]\n")
	return b.String()
}
