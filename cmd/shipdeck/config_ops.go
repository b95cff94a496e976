package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/shipdeck/shipdeck/logging"
)

// LogConfig is the [log] table.
type LogConfig struct {
	// Level is debug, info (default), warn or error.
	Level string `toml:"level"`
	// Format is text (default) or json.
	Format string `toml:"format"`
	// MaxSizeMB caps shipdeck.log before it rotates (default 10);
	// Keep is how many rotated files stay (default 3).
	MaxSizeMB int `toml:"max_size_mb"`
	Keep      int `toml:"keep"`
	// Burst lines of one message pass per minute (default 20); the rest
	// are counted in a "log lines dropped" line.
	Burst int `toml:"burst"`
}

// MetricsConfig is the [metrics] table; an empty listen turns it off.
type MetricsConfig struct {
	Listen string `toml:"listen"`
}

// AlertsConfig is the [alerts] table.
type AlertsConfig struct {
	// AtRisk: an order not pushed this long before its ship-by alerts
	// (default 4h).
	AtRisk duration `toml:"at_risk"`
	// CircuitOpen and Degraded: how long before they alert (15m, 10m).
	CircuitOpen duration `toml:"circuit_open"`
	Degraded    duration `toml:"degraded"`
	// AuthExpiring: alert when TikTok's authorization expires within it
	// (default 168h).
	AuthExpiring duration `toml:"auth_expiring"`
	// DiskFreeMB: alert below this much free space on the data directory
	// (default 256; -1 turns it off).
	DiskFreeMB int64 `toml:"disk_free_mb"`
	// Every is the time between alert passes (default 1m).
	Every duration `toml:"every"`
	// WebhookURL receives signed JSON; WebhookSecretEnv names the HMAC key.
	WebhookURL       string `toml:"webhook_url"`
	WebhookSecretEnv string `toml:"webhook_secret_env"`
	// SlackURLEnv names the variable holding a Slack incoming-webhook URL
	// (the URL is a secret).
	SlackURLEnv string `toml:"slack_url_env"`
	// SummaryHour (0..23, in SummaryZone) sends a daily summary; unset is off.
	SummaryHour *int        `toml:"summary_hour"`
	SummaryZone string      `toml:"summary_zone"`
	Email       EmailConfig `toml:"email"`
}

// EmailConfig is the [alerts.email] table; an empty host turns it off.
type EmailConfig struct {
	Host        string   `toml:"host"`
	Port        int      `toml:"port"`
	From        string   `toml:"from"`
	To          []string `toml:"to"`
	Username    string   `toml:"username"`
	PasswordEnv string   `toml:"password_env"`
}

func (c *Config) opsDefaults() {
	if c.Log.MaxSizeMB == 0 {
		c.Log.MaxSizeMB = 10
	}
	if c.Log.Keep == 0 {
		c.Log.Keep = 3
	}
	if c.Log.Burst == 0 {
		c.Log.Burst = 20
	}
	if c.Alerts.Email.Port == 0 {
		c.Alerts.Email.Port = 587
	}
	if c.Alerts.SummaryZone == "" {
		c.Alerts.SummaryZone = "UTC"
	}
}

// validateOps checks [log], [metrics] and [alerts].
func (c *Config) validateOps() error {
	if _, err := logging.ParseLevel(c.Log.Level); err != nil {
		return c.errAt("log.level", err.Error())
	}
	if err := logging.CheckFormat(c.Log.Format); err != nil {
		return c.errAt("log.format", err.Error())
	}
	switch {
	case c.Log.MaxSizeMB < 1:
		return c.errAt("log.max_size_mb", "must be at least 1")
	case c.Log.Keep < 1:
		return c.errAt("log.keep", "must be at least 1")
	case c.Log.Burst < 1:
		return c.errAt("log.burst", "must be at least 1")
	}
	if l := c.Metrics.Listen; l != "" {
		if _, _, err := net.SplitHostPort(l); err != nil {
			return c.errAt("metrics.listen", fmt.Sprintf("not a host:port address: %q", l))
		}
	}
	a := c.Alerts
	if a.WebhookURL != "" {
		u, err := url.Parse(a.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c.errAt("alerts.webhook_url", "must be an http(s) URL")
		}
		if a.WebhookSecretEnv == "" {
			return c.errAt("alerts.webhook_url", "needs webhook_secret_env naming the variable with the signing secret")
		}
	}
	for _, k := range []struct{ key, val string }{
		{"alerts.webhook_secret_env", a.WebhookSecretEnv}, {"alerts.slack_url_env", a.SlackURLEnv},
		{"alerts.email.password_env", a.Email.PasswordEnv},
	} {
		if k.val != "" && !envName.MatchString(k.val) {
			return c.errAt(k.key, "must name an environment variable (the secret itself never goes in the file)")
		}
	}
	if a.SummaryHour != nil && (*a.SummaryHour < 0 || *a.SummaryHour > 23) {
		return c.errAt("alerts.summary_hour", "must be 0..23")
	}
	if _, err := time.LoadLocation(a.SummaryZone); err != nil {
		return c.errAt("alerts.summary_zone", fmt.Sprintf("unknown time zone %q", a.SummaryZone))
	}
	if e := a.Email; e.Host != "" {
		switch {
		case e.From == "":
			return c.errAt("alerts.email.from", "is required with alerts.email.host")
		case len(e.To) == 0:
			return c.errAt("alerts.email.to", "needs at least one address")
		case e.Port < 1 || e.Port > 65535:
			return c.errAt("alerts.email.port", "must be 1..65535")
		}
	}
	return nil
}

// discoverConfig finds the config file when --config is not given:
// $SHIPDECK_CONFIG, then $XDG_CONFIG_HOME/shipdeck/config.toml (XDG's
// default, ~/.config, when the variable is unset). It returns "" when
// there is none.
func discoverConfig(getenv func(string) string) string {
	if p := getenv("SHIPDECK_CONFIG"); p != "" {
		return p
	}
	base := getenv("XDG_CONFIG_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".config")
	}
	p := filepath.Join(base, "shipdeck", "config.toml")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}
